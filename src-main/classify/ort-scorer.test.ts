import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCmuDeepLens, lensProbabilities } from '../../src-core/classify/model';
import { Rng } from '../../src-core/rng';
import { OrtScorer } from './ort-scorer';

/** Random BN statistics and affine parameters, so BN folding in the export is really exercised. */
function randomiseBatchNorms(model: tf.LayersModel, rng: Rng): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const c = layer.getWeights()[0].shape[0];
    const vec = (f: () => number) => tf.tensor1d(Array.from({ length: c }, f));
    layer.setWeights([
      vec(() => 0.5 + rng.uniform()), // gamma
      vec(() => 0.2 * rng.normal()), // beta
      vec(() => 0.3 * rng.normal()), // moving mean
      vec(() => 0.5 + rng.uniform()), // moving variance
    ]);
  }
}

describe('ONNX export + onnxruntime-node agree with tfjs', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => tf.disposeVariables());

  it('gives the same probabilities (≤ 1e-5) on random weights, 45×45×4, and a dynamic batch', async () => {
    const rng = new Rng(7, 0);
    const size = 45;
    const model = buildCmuDeepLens({ size, bands: 4, seed: 11 });
    randomiseBatchNorms(model, rng);
    const n = 3;
    const images = Float32Array.from({ length: n * size * size * 4 }, () => rng.normal());
    const ref = lensProbabilities(model, tf.tensor4d(images, [n, size, size, 4])).dataSync();
    // the test must be able to fail: the probabilities differ between images
    expect(Math.max(...ref) - Math.min(...ref)).toBeGreaterThan(1e-3);
    // both the plain optimised graph and the one whose ELUs stay in NCHWc (nchwc-elu.ts)
    for (const nchwcElu of [false, true]) {
      const scorer = await OrtScorer.fromModel(model, { size, bands: 4, threads: 1, nchwcElu });
      const p = await scorer.score(images);
      const one = await scorer.score(images.subarray(0, size * size * 4)); // batch of 1: dynamic axis
      await scorer.release();
      expect(p).toHaveLength(n);
      for (let i = 0; i < n; i++) expect(Math.abs(p[i] - ref[i])).toBeLessThanOrEqual(1e-5);
      expect(Math.abs(one[0] - ref[0])).toBeLessThanOrEqual(1e-5);
      // onnxruntime's NCHWc kernels exist on x86-64 (AVX2/AVX-512); there all 42 ELUs that follow a
      // blocked conv or BN are rewritten (3 follow a BN that stays NCHW)
      if (nchwcElu && process.arch === 'x64') expect(scorer.nchwcElus).toBe(42);
      if (!nchwcElu) expect(scorer.nchwcElus).toBe(0);
    }
    model.dispose();
  });

  it('rejects a buffer that is not whole images', async () => {
    const model = buildCmuDeepLens({ size: 16, bands: 4, seed: 1 });
    const scorer = await OrtScorer.fromModel(model, { size: 16, bands: 4, threads: 1 });
    await expect(scorer.score(new Float32Array(16 * 16 * 4 + 1))).rejects.toThrow(/not a multiple/);
    await scorer.release();
    model.dispose();
  });
});
