import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCmuDeepLens, cmudeeplensLayout, countTrainableParams, stageSizes } from './model';

// Trainable parameter counts from /work/shared/peers/README.md, checked there against an independent
// counter transliterated from the original deeplens/blocks.py and against PyTorch.
describe('CMUDeepLens architecture', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => tf.disposeVariables());

  it('has 3,511,681 trainable parameters for 3 bands and 3,513,249 for 4', () => {
    const m3 = buildCmuDeepLens({ size: 45, bands: 3, seed: 1 });
    const m4 = buildCmuDeepLens({ size: 45, bands: 4, seed: 1 });
    expect(countTrainableParams(m3)).toBe(3_511_681);
    expect(countTrainableParams(m4)).toBe(3_513_249);
    // BN running statistics (not trained): 10,944 (peers README)
    const nonTrainable = m4.nonTrainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
    expect(nonTrainable).toBe(10_944);
    m3.dispose();
    m4.dispose();
  });

  it('downsamples 45→23→12→6→3 and 101→51→26→13→7 and ends in one logit', () => {
    expect(stageSizes(45)).toEqual([45, 23, 12, 6, 3]);
    expect(stageSizes(101)).toEqual([101, 51, 26, 13, 7]);
    const m = buildCmuDeepLens({ size: 45, bands: 4, seed: 2 });
    const last = m.getLayer('s5u3_add').outputShape;
    expect(last).toEqual([null, 3, 3, 512]);
    expect(m.getLayer('s2u1_add').outputShape).toEqual([null, 23, 23, 64]);
    expect(m.outputs[0].shape).toEqual([null, 1]);
    m.dispose();
  });

  it('wires 1 stem + 45 unit convs + 4 projection shortcuts; unit 1 of stage 1 has no pre-BN', () => {
    const units = cmudeeplensLayout(4).units;
    expect(units).toHaveLength(15);
    expect(units.filter((u) => u.projection).map((u) => u.name)).toEqual(['s2u1', 's3u1', 's4u1', 's5u1']);
    expect(units.filter((u) => u.preactivated).map((u) => u.name)).toEqual(['s1u1']);
    const m = buildCmuDeepLens({ size: 16, bands: 4, seed: 3 });
    const convs = m.layers.filter((l) => l.getClassName() === 'Conv2D');
    expect(convs).toHaveLength(50);
    expect(() => m.getLayer('s1u1_bn0')).toThrow();
    m.dispose();
  });
});
