// Trains CMUDeepLens on onnxruntime-node's CPU build: one session runs the hand-written training
// graph (src-core/classify/onnx/train-graph.ts: loss + all gradients + batch statistics), and this
// module applies Adam and the batch-norm running averages exactly as tfjs does
// (tfjs-core AdamOptimizer: β₁ 0.9, β₂ 0.999, ε 1e-7, bias-corrected; tfjs-layers
// BatchNormalization: running ← running − (running − batch)·(1 − momentum), biased variance).
// Validation logits come from the inference export on the same runtime.
//
// Weights live here in ONNX layout (conv kernels OIHW) while an epoch runs; `syncModel` writes them
// (HWIO) and the running statistics into the tfjs model, which stays the model of record.
import os from 'node:os';
import ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs';
import { buildTrainingGraph, gradName, type TrainParam } from '../../src-core/classify/onnx/train-graph';
import { exportCmuDeepLensOnnx, permuteKernel } from '../../src-core/classify/onnx/export';
import { cpuSessionOptions } from './ort-scorer';
import { BN_MOMENTUM } from '../../src-core/classify/model';
import { adamUpdate, type AdamHyper } from '../../src-core/math/adam';
import type { OptimizerWeights, TrainEngine, TrainEngineFactory } from '../../src-core/classify/train-engine';

/** tfjs's AdamOptimizer defaults; ε is its backend epsilon for float32 (ENGINE.backend.epsilon()). */
const TFJS_ADAM: AdamHyper = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

interface Slot {
  p: TrainParam;
  /** Position in model.trainableWeights (the order of tfjs's optimiser state). */
  index: number;
  value: Float32Array;
  m: Float32Array;
  v: Float32Array;
  variableName: string;
  tfShape: number[];
}

export interface OrtTrainEngineOptions {
  /** Intra-op threads (default: the machine's logical cores). */
  threads?: number;
}

export function ortTrainEngine(opts: OrtTrainEngineOptions = {}): TrainEngineFactory {
  return async (model, size, bands) => {
    const threads = opts.threads ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
    const graph = buildTrainingGraph({ size, bands });
    const session = await ort.InferenceSession.create(graph.onnx, cpuSessionOptions(threads));
    const trainable = model.trainableWeights;
    const slots: Slot[] = graph.params.map((p) => {
      const index = trainable.findIndex((w) => w.originalName === p.name);
      if (index < 0) throw new Error(`internal: training graph weight ${p.name} is not in the model`);
      const w = trainable[index];
      const data = w.read().dataSync() as Float32Array;
      return {
        p,
        index,
        value: p.convKernel ? permuteKernel(data, p.dims) : Float32Array.from(data),
        m: new Float32Array(data.length),
        v: new Float32Array(data.length),
        variableName: (w.read() as tf.Variable).name,
        tfShape: w.shape as number[],
      };
    });
    if (slots.length !== trainable.length) throw new Error(`internal: training graph has ${slots.length} weights, the model ${trainable.length}`);
    const running = graph.bns.map((b) => {
      const [, , mean, variance] = model.getLayer(b.layer).getWeights();
      return { layer: b.layer, mean: Float32Array.from(mean.dataSync()), variance: Float32Array.from(variance.dataSync()) };
    });
    let iterations = 0;
    let dirty = false;
    let scorer: { session: ort.InferenceSession; version: number } | null = null;
    let version = 0;

    const syncModel = async () => {
      if (!dirty) return;
      // Copies: tf.tensor() may keep the typed array itself, which Adam goes on updating in place.
      for (const s of slots) {
        const data = s.p.convKernel ? permuteKernel(s.value, s.p.dims, true) : Float32Array.from(s.value);
        trainable[s.index].write(tf.tensor(data, s.tfShape));
      }
      for (const r of running) {
        const layer = model.getLayer(r.layer);
        const [gamma, beta] = layer.getWeights();
        layer.setWeights([gamma, beta, tf.tensor(Float32Array.from(r.mean)), tf.tensor(Float32Array.from(r.variance))]);
      }
      dirty = false;
    };

    const engine: TrainEngine = {
      name: `onnxruntime-cpu (${threads} thread${threads === 1 ? '' : 's'})`,
      async step(b, posWeight, lr) {
        const feeds: Record<string, ort.Tensor> = {
          cutout: new ort.Tensor('float32', b.images, [b.n, size, size, bands]),
          label: new ort.Tensor('float32', b.labels, [b.n, 1]),
          weight: new ort.Tensor('float32', b.weights ?? new Float32Array(b.n).fill(1), [b.n, 1]),
          pos_weight: new ort.Tensor('float32', Float32Array.of(posWeight), [1]),
        };
        for (const s of slots) feeds[s.p.name] = new ort.Tensor('float32', s.value, s.p.dims);
        const out = await session.run(feeds);
        const loss = (out.loss.data as Float32Array)[0];
        // Adam, in the order of tfjs's AdamOptimizer (float32 arithmetic per element, as there).
        iterations++;
        for (const s of slots) adamUpdate(s.value, out[gradName(s.p.name)].data as Float32Array, s.m, s.v, lr, iterations, TFJS_ADAM);
        for (const r of running) {
          const bm = out[`${r.layer}/batch_mean`].data as Float32Array;
          const bv = out[`${r.layer}/batch_var`].data as Float32Array;
          for (let i = 0; i < r.mean.length; i++) {
            r.mean[i] -= (r.mean[i] - bm[i]) * (1 - BN_MOMENTUM);
            r.variance[i] -= (r.variance[i] - bv[i]) * (1 - BN_MOMENTUM);
          }
        }
        for (const t of Object.values(out)) t.dispose?.();
        dirty = true;
        version++;
        return loss;
      },
      async logits(images, n, between) {
        await syncModel();
        if (!scorer || scorer.version !== version) {
          await scorer?.session.release();
          const onnx = exportCmuDeepLensOnnx(model, { size, bands, logitOutput: true });
          scorer = { session: await ort.InferenceSession.create(onnx, cpuSessionOptions(threads)), version };
        }
        const per = size * size * bands;
        const out = new Float32Array(n);
        for (let i = 0; i < n; i += 256) {
          if (i) await between?.();
          const k = Math.min(256, n - i);
          const r = await scorer.session.run({ cutout: new ort.Tensor('float32', images.subarray(i * per, (i + k) * per), [k, size, size, bands]) }, ['logit']);
          out.set(r.logit.data as Float32Array, i);
          r.logit.dispose?.();
        }
        return out;
      },
      syncModel,
      async optimizerWeights(): Promise<OptimizerWeights> {
        const ordered = [...slots].sort((a, b) => a.index - b.index);
        const tfLayout = (s: Slot, a: Float32Array) => (s.p.convKernel ? permuteKernel(a, s.p.dims, true) : Float32Array.from(a));
        return [
          { name: 'iter', shape: [], data: Float32Array.of(iterations) },
          ...ordered.map((s) => ({ name: `${s.variableName}/m`, shape: s.tfShape, data: tfLayout(s, s.m) })),
          ...ordered.map((s) => ({ name: `${s.variableName}/v`, shape: s.tfShape, data: tfLayout(s, s.v) })),
        ];
      },
      async setOptimizerWeights(w) {
        const k = slots.length;
        if (w.length !== 2 * k + 1 || w[0].name !== 'iter') throw new Error(`optimizer state has ${w.length} entries, expected iter + 2×${k}`);
        iterations = w[0].data[0];
        for (const s of slots) {
          const m = w[1 + s.index].data;
          const v = w[1 + k + s.index].data;
          if (m.length !== s.value.length || v.length !== s.value.length) throw new Error(`optimizer state for ${s.p.name} has the wrong size`);
          s.m = s.p.convKernel ? permuteKernel(m, s.p.dims) : Float32Array.from(m);
          s.v = s.p.convKernel ? permuteKernel(v, s.p.dims) : Float32Array.from(v);
        }
      },
      async dispose() {
        await syncModel();
        await scorer?.session.release();
        await session.release();
      },
    };
    return engine;
  };
}
