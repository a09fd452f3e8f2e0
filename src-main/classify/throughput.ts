// Throughput measurements of CMUDeepLens on this machine (images per second), shared by
// bench/classify.ts and `lensdesk score-bench`. Random weights and inputs: speed does not depend
// on them. Medians of `reps` timed runs after `warmup` untimed ones.
import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs';
import { buildCmuDeepLens, lensProbabilities } from '../../src-core/classify/model';
import { trainableVariables, trainStep } from '../../src-core/classify/train-step';
import { Rng } from '../../src-core/rng';
import { type BackendCandidate, selectBackend } from '../backend/select';
import { cpuSessionOptions, OrtScorer } from './ort-scorer';

export interface Timing {
  imgPerS: number;
  medianS: number;
  reps: number;
}

async function median(fn: () => Promise<void> | void, reps: number, warmup: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    t.push((performance.now() - t0) / 1000);
  }
  t.sort((a, b) => a - b);
  const m = t.length >> 1;
  return t.length % 2 ? t[m] : (t[m - 1] + t[m]) / 2;
}

const randomImages = (n: number, size: number, bands: number) => {
  const rng = new Rng(12345, n * 1000 + size);
  return Float32Array.from({ length: n * size * size * bands }, () => rng.normal());
};

export async function tfjsInference(backend: BackendCandidate, size: number, batch: number, reps: number, warmup = 1): Promise<Timing> {
  await selectBackend({ order: [backend] });
  const model = buildCmuDeepLens({ size, bands: 4, seed: 1 });
  const x = tf.tensor4d(randomImages(batch, size, 4), [batch, size, size, 4]);
  const s = await median(
    async () => {
      const p = lensProbabilities(model, x);
      await p.data();
      p.dispose();
    },
    reps,
    warmup,
  );
  x.dispose();
  model.dispose();
  return { imgPerS: batch / s, medianS: s, reps };
}

export async function ortInference(size: number, batch: number, reps: number, threads = 2, warmup = 2): Promise<Timing> {
  await selectBackend({ order: ['cpu'] }); // only to build the model and export its weights
  const model = buildCmuDeepLens({ size, bands: 4, seed: 1 });
  const scorer = await OrtScorer.fromModel(model, { size, bands: 4, threads });
  model.dispose();
  const images = randomImages(batch, size, 4);
  const s = await median(async () => void (await scorer.score(images)), reps, warmup);
  await scorer.release();
  return { imgPerS: batch / s, medianS: s, reps };
}

/** Adam + weighted BCE steps (the training loop's step), batch `batch`. */
export async function tfjsTraining(backend: BackendCandidate, size: number, batch: number, reps: number, warmup = 1): Promise<Timing> {
  await selectBackend({ order: [backend] });
  const model = buildCmuDeepLens({ size, bands: 4, seed: 1 });
  const opt = tf.train.adam(1e-3);
  const vars = trainableVariables(model);
  const x = tf.tensor4d(randomImages(batch, size, 4), [batch, size, size, 4]);
  const y = tf.tensor2d(Array.from({ length: batch }, (_, i) => i % 2), [batch, 1]);
  try {
    const s = await median(() => void trainStep(model, opt, x, y, 1, vars), reps, warmup);
    return { imgPerS: batch / s, medianS: s, reps };
  } finally {
    tf.dispose([x, y]);
    model.dispose();
    opt.dispose();
  }
}

/** The same steps on the onnxruntime training graph (src-main/classify/ort-train-engine.ts), all cores. */
export async function ortTraining(size: number, batch: number, reps: number, warmup = 1, threads?: number): Promise<Timing> {
  await selectBackend({ order: ['cpu'] }); // only to build the model and hand its weights over
  const { ortTrainEngine } = await import('./ort-train-engine');
  const model = buildCmuDeepLens({ size, bands: 4, seed: 1 });
  const engine = await ortTrainEngine({ threads })(model, size, 4);
  const b = { images: randomImages(batch, size, 4), n: batch, labels: Float32Array.from({ length: batch }, (_, i) => i % 2), weights: null };
  try {
    const s = await median(async () => void (await engine.step(b, 1, 1e-3)), reps, warmup);
    return { imgPerS: batch / s, medianS: s, reps };
  } finally {
    await engine.dispose();
    model.dispose();
  }
}

/** Kernel time of one training step, summed per kernel name (tf.profile), largest first. */
export async function trainingProfile(backend: BackendCandidate, size: number, batch: number): Promise<[string, number][]> {
  await selectBackend({ order: [backend] });
  const model = buildCmuDeepLens({ size, bands: 4, seed: 1 });
  const opt = tf.train.adam(1e-3);
  const vars = trainableVariables(model);
  const x = tf.tensor4d(randomImages(batch, size, 4), [batch, size, size, 4]);
  const y = tf.tensor2d(Array.from({ length: batch }, (_, i) => i % 2), [batch, 1]);
  trainStep(model, opt, x, y, 1, vars);
  const p = await tf.profile(() => void trainStep(model, opt, x, y, 1, vars));
  tf.dispose([x, y]);
  model.dispose();
  opt.dispose();
  // Composite ops ('…__op') contain their kernels; count only kernels to avoid double counting.
  const agg = new Map<string, number>();
  for (const k of p.kernels) if (!k.name.endsWith('__op')) agg.set(k.name, (agg.get(k.name) ?? 0) + Number(k.kernelTimeMs));
  return [...agg].sort((a, b) => b[1] - a[1]);
}

/** Interleaved runs of our export and another ONNX file of the same network (NCHW input). */
export async function ortAB(peerOnnxPath: string, size: number, batch: number, reps: number, threads = 2): Promise<{ ours: number; peer: number }> {
  await selectBackend({ order: ['cpu'] });
  const model = buildCmuDeepLens({ size, bands: 4, seed: 1 });
  const ours = await OrtScorer.fromModel(model, { size, bands: 4, threads });
  model.dispose();
  const peer = await ort.InferenceSession.create(readFileSync(peerOnnxPath), cpuSessionOptions(threads));
  const images = randomImages(batch, size, 4);
  const feeds = { [peer.inputNames[0]]: new ort.Tensor('float32', images, [batch, 4, size, size]) };
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < reps + 2; i++) {
    let t0 = performance.now();
    await ours.score(images);
    if (i >= 2) ta.push(performance.now() - t0);
    t0 = performance.now();
    await peer.run(feeds);
    if (i >= 2) tb.push(performance.now() - t0);
  }
  await ours.release();
  await peer.release();
  const med = (t: number[]) => t.sort((a, b) => a - b)[t.length >> 1] / 1000;
  return { ours: Math.round((batch / med(ta)) * 10) / 10, peer: Math.round((batch / med(tb)) * 10) / 10 };
}

/**
 * Kernels a training step runs (profiled on 'cpu', 8×8 input, batch 2) that the wasm backend has
 * no kernel for *before* our gradient kernels are installed — call it before selecting wasm.
 */
export async function kernelsWasmLacksForTraining(): Promise<string[]> {
  await import('@tensorflow/tfjs-backend-wasm'); // registers the upstream wasm kernels
  await selectBackend({ order: ['cpu'] });
  const model = buildCmuDeepLens({ size: 8, bands: 4, seed: 1 });
  const opt = tf.train.adam(1e-3);
  const x = tf.tensor4d(randomImages(2, 8, 4), [2, 8, 8, 4]);
  const y = tf.tensor2d([[1], [0]]);
  const p = await tf.profile(() => void trainStep(model, opt, x, y, 1));
  tf.dispose([x, y]);
  model.dispose();
  opt.dispose();
  return [...new Set(p.kernelNames)].filter((k) => !k.endsWith('__op') && !tf.getKernel(k, 'wasm')).sort();
}
