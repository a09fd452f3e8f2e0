// The onnxruntime training graph and engine against tfjs on its cpu backend (plain JS kernels,
// tfjs's own autodiff): same loss, same gradients for all 161 weights, same Adam steps, and Adam
// state that moves between the two engines (a run resumed on the other engine continues exactly).
import * as tf from '@tensorflow/tfjs';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCmuDeepLens } from '../../src-core/classify/model';
import { buildTrainingGraph, gradName } from '../../src-core/classify/onnx/train-graph';
import { weightedSigmoidCrossEntropy } from '../../src-core/classify/loss';
import { tfjsEngine, type StepBatch } from '../../src-core/classify/train-engine';
import { Rng } from '../../src-core/rng';
import { permuteKernel } from '../../src-core/classify/onnx/export';
import { ortTrainEngine } from './ort-train-engine';

// 13 px: stride-2 stages see sides 13 → 7 → 4 → 2 → 1, so both odd and even (output-padding) sides occur.
const SIZE = 13;
const BANDS = 3;
const N = 5;
const POS_WEIGHT = 2;
// Small steps: Adam moves every weight by ≈ lr whatever its gradient, so weights whose gradients are
// rounding noise (conv biases followed by BN, exactly 0 in exact arithmetic) take random-sign steps
// that differ between any two implementations; at 1e-4 that stays far below the tolerances.
const LR = 1e-4;

const rng = new Rng(11, 0);
const randn = (n: number, s = 1) => Float32Array.from({ length: n }, () => s * rng.normal());
/** max|a − b| / max|b|, the denominator at least `floor`. */
const relErr = (a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-12) => {
  let d = 0;
  let m = floor;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / Math.max(m, 1e-12);
};

function batch(seed: number): StepBatch {
  const r = new Rng(seed, 1);
  return {
    images: Float32Array.from({ length: N * SIZE * SIZE * BANDS }, () => r.normal()),
    n: N,
    labels: Float32Array.from({ length: N }, (_, i) => i % 2),
    weights: Float32Array.from({ length: N }, () => 0.5 + r.uniform()),
  };
}

/** Two models with identical weights (tfjs builds from the same seed are identical). */
const twin = () => buildCmuDeepLens({ size: SIZE, bands: BANDS, seed: 5 });

describe('CMUDeepLens training graph on onnxruntime', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => tf.disposeVariables());

  it('gives tfjs’s loss and gradients for every weight', async () => {
    const model = twin();
    const b = batch(1);
    const x = tf.tensor4d(b.images, [N, SIZE, SIZE, BANDS]);
    const y = tf.tensor2d(b.labels, [N, 1]);
    const w = tf.tensor2d(b.weights!, [N, 1]);
    const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => weightedSigmoidCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor, POS_WEIGHT, w), vars);
    const refLoss = value.dataSync()[0];

    const graph = buildTrainingGraph({ size: SIZE, bands: BANDS });
    expect(graph.params).toHaveLength(vars.length);
    const session = await ort.InferenceSession.create(graph.onnx, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
    const feeds: Record<string, ort.Tensor> = {
      cutout: new ort.Tensor('float32', b.images, [N, SIZE, SIZE, BANDS]),
      label: new ort.Tensor('float32', b.labels, [N, 1]),
      weight: new ort.Tensor('float32', b.weights!, [N, 1]),
      pos_weight: new ort.Tensor('float32', Float32Array.of(POS_WEIGHT), [1]),
    };
    const byName = new Map(model.trainableWeights.map((v, i) => [v.originalName, vars[i]]));
    for (const p of graph.params) {
      const d = byName.get(p.name)!.dataSync() as Float32Array;
      feeds[p.name] = new ort.Tensor('float32', p.convKernel ? permuteKernel(d, p.dims) : d, p.dims);
    }
    const out = await session.run(feeds);
    expect((out.loss.data as Float32Array)[0]).toBeCloseTo(refLoss, 5);
    // Relative to each weight's largest gradient, floored at 1e-3 of the largest overall: conv biases
    // followed by BN have exactly zero gradient in exact arithmetic, and both sides give rounding noise.
    const refOf = (name: string) => grads[byName.get(name)!.name].dataSync() as Float32Array;
    const floor = 1e-3 * Math.max(...graph.params.map((p) => refOf(p.name).reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
    let worst = 0;
    for (const p of graph.params) {
      const ref = refOf(p.name);
      const got = out[gradName(p.name)].data as Float32Array;
      const mine = p.convKernel ? permuteKernel(got, p.dims, true) : got;
      let d = 0;
      let m = floor;
      for (let i = 0; i < ref.length; i++) {
        d = Math.max(d, Math.abs(mine[i] - ref[i]));
        m = Math.max(m, Math.abs(ref[i]));
      }
      worst = Math.max(worst, d / m);
      expect(d / m, p.name).toBeLessThan(2e-4);
    }
    expect(worst).toBeGreaterThan(0); // the two really are independent computations
    await session.release();
    tf.dispose([x, y, w, value, ...Object.values(grads)]);
  });

  it('takes the same Adam steps as tfjs, and Adam state moves between engines', async () => {
    const a = twin();
    const b = twin();
    const onOrt = await ortTrainEngine({ threads: 1 })(a, SIZE, BANDS);
    const onTfjs = await tfjsEngine(b, SIZE, BANDS);
    const lossesOrt: number[] = [];
    const lossesTfjs: number[] = [];
    for (let s = 0; s < 3; s++) {
      lossesOrt.push(await onOrt.step(batch(10 + s), POS_WEIGHT, LR));
      lossesTfjs.push(await onTfjs.step(batch(10 + s), POS_WEIGHT, LR));
    }
    for (let s = 0; s < 3; s++) expect(Math.abs(lossesOrt[s] - lossesTfjs[s]) / lossesTfjs[s]).toBeLessThan(2e-3);
    expect(lossesOrt[2]).not.toBe(lossesOrt[0]);
    await onOrt.syncModel();
    // The weight updates point the same way (cosine over all 161 weights; a wrong Adam, BN or
    // gradient formula gives far less). Not element-wise: see LR.
    const start = twin().getWeights().map((t) => t.dataSync());
    const wa = a.getWeights().map((t) => t.dataSync());
    const wb = b.getWeights().map((t) => t.dataSync());
    let dot = 0;
    let na = 0;
    let nb = 0;
    start.forEach((s0, i) => {
      for (let j = 0; j < s0.length; j++) {
        const da = wa[i][j] - s0[j];
        const db = wb[i][j] - s0[j];
        dot += da * db;
        na += da * da;
        nb += db * db;
      }
    });
    expect(na).toBeGreaterThan(0);
    expect(dot / Math.sqrt(na * nb)).toBeGreaterThan(0.99);
    // inference logits agree too (running BN statistics were updated the same way)
    const probe = batch(99);
    const la = await onOrt.logits(probe.images, N);
    const lb = await onTfjs.logits(probe.images, N);
    expect(relErr(la, lb), 'inference logits').toBeLessThan(5e-3);

    // Resume across engines: ORT's Adam state loaded into tfjs continues as ORT does.
    const state = await onOrt.optimizerWeights();
    expect(state[0].name).toBe('iter');
    expect(state[0].data[0]).toBe(3);
    const tfState = await onTfjs.optimizerWeights();
    expect(state.map((s) => s.shape)).toEqual(tfState.map((s) => s.shape));
    // (moments of the noise-level bias gradients, see above, excluded by a floor)
    const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    for (const part of [state.slice(1, 162), state.slice(162)]) {
      const floor = 1e-3 * Math.max(...part.map((s) => maxAbs(s.data)));
      for (const s of part) expect(relErr(s.data, tfState[state.indexOf(s)].data, floor), s.name).toBeLessThan(2e-2);
    }
    const c = twin();
    c.setWeights(a.getWeights().map((t) => t.clone()));
    const resumed = await tfjsEngine(c, SIZE, BANDS);
    await resumed.setOptimizerWeights(state);
    const next = batch(20);
    const l1 = await onOrt.step(next, POS_WEIGHT, LR);
    const l2 = await resumed.step(next, POS_WEIGHT, LR);
    // same weights and same Adam state: only one step's rounding apart
    expect(Math.abs(l1 - l2) / l2).toBeLessThan(1e-4);
    await onOrt.syncModel();
    const after1 = a.getWeights().map((t) => t.dataSync());
    const after2 = c.getWeights().map((t) => t.dataSync());
    // except conv biases followed by a BN (all but the last unit's): their gradient is exactly 0 in
    // exact arithmetic, so their Adam steps follow rounding noise
    const noiseOnly = (name: string) => /(conv3|shortcut)\/bias/.test(name) && !name.startsWith('s5u3');
    after1.forEach((arr, i) => {
      const name = a.weights[i].originalName;
      if (!noiseOnly(name)) expect(relErr(arr, after2[i]), name).toBeLessThan(1e-3);
    });
    await Promise.all([onOrt.dispose(), onTfjs.dispose(), resumed.dispose()]);
  });
});
