import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildCmuDeepLens, layerNames } from './model';
import { mapBands, transferCmuDeepLens } from './transfer-init';

describe('mapBands', () => {
  it('keeps shared bands and borrows a missing one from the nearest in wavelength', () => {
    const m = mapBands(['g', 'r', 'i', 'z'], ['u', 'g', 'r', 'i']);
    expect(m.from).toEqual({ u: 'g', g: 'g', r: 'r', i: 'i' });
    expect(m.borrowed).toEqual(['u']);
    // y (971 nm) is nearest z (869 nm), not i (755 nm).
    expect(mapBands(['g', 'r', 'i', 'z'], ['y']).from).toEqual({ y: 'z' });
    // Survey spellings are normalised first: 'HSC-G' is g.
    expect(mapBands(['HSC-G', 'HSC-R'], ['g', 'u']).from).toEqual({ g: 'g', u: 'g' });
  });

  it('refuses a band with no known wavelength', () => {
    expect(() => mapBands(['g', 'r'], ['F814W'])).toThrow(/no wavelength known for F814W/);
  });
});

describe('transferCmuDeepLens', () => {
  it('copies every layer and gathers the stem kernel by band, for another cutout size', () => {
    tf.setBackend('cpu');
    const parent = buildCmuDeepLens({ size: 17, bands: 4, seed: 5 });
    const { model, mapping } = transferCmuDeepLens(parent, ['g', 'r', 'i', 'z'], { size: 25, bands: ['u', 'g', 'r', 'i'], seed: 9 });
    expect(mapping.borrowed).toEqual(['u']);
    expect(model.inputs[0]!.shape).toEqual([null, 25, 25, 4]);
    const pk = parent.getLayer(layerNames.stemConv).getWeights()[0]!.arraySync() as number[][][][];
    const ck = model.getLayer(layerNames.stemConv).getWeights()[0]!.arraySync() as number[][][][];
    // Child slice j must equal parent slice src[j] for every tap and filter: u←g(0), g←g(0), r←r(1), i←i(2).
    const src = [0, 0, 1, 2];
    for (let y = 0; y < 7; y++) for (let x = 0; x < 7; x++) for (let j = 0; j < 4; j++) expect(ck[y]![x]![j]).toEqual(pk[y]![x]![src[j]!]);
    // A deeper layer is an exact copy (the child was built with another seed, so it would differ otherwise).
    const name = layerNames.conv('s3u2', 2);
    const a = parent.getLayer(name).getWeights()[0]!.dataSync();
    const b = model.getLayer(name).getWeights()[0]!.dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    const dense = model.getLayer(layerNames.dense).getWeights();
    expect(Array.from(dense[1]!.dataSync())).toEqual(Array.from(parent.getLayer(layerNames.dense).getWeights()[1]!.dataSync()));
    // Same network on the overlapping bands: a cutout whose u plane is zero and whose g,r,i planes
    // match a g,r,i,(z = 0) cutout gives the same logit only if the copy is right; at the same size
    // (global pooling) the two models then agree.
    const same = transferCmuDeepLens(parent, ['g', 'r', 'i', 'z'], { size: 17, bands: ['u', 'g', 'r', 'i'] }).model;
    const x = tf.randomNormal([1, 17, 17, 3], 0, 1, 'float32', 3);
    const zero = tf.zeros([1, 17, 17, 1]);
    const pOut = (parent.predict(tf.concat([x, zero], 3)) as tf.Tensor).dataSync()[0]!;
    const cOut = (same.predict(tf.concat([zero, x], 3)) as tf.Tensor).dataSync()[0]!;
    expect(cOut).toBeCloseTo(pOut, 4);
    parent.dispose();
    model.dispose();
    same.dispose();
  }, 60_000);

  it('refuses a parent of another architecture', () => {
    tf.setBackend('cpu');
    const input = tf.input({ shape: [9, 9, 2] });
    const other = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(input) as tf.SymbolicTensor });
    expect(() => transferCmuDeepLens(other, ['g', 'r'], { size: 9, bands: ['g', 'r'] })).toThrow(/no layer stem_conv/);
    other.dispose();
  });
});
