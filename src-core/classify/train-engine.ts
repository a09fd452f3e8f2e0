// What computes a training step. The tfjs model stays the model of record (it is what is saved,
// exported and scored); an engine may keep its own copy of the weights while an epoch runs and
// writes them back in `syncModel`. Two implementations: tfjs itself (any tfjs backend: the GPU via
// tfjs-node-gpu, libtensorflow, wasm, cpu) below, and onnxruntime on the CPU
// (src-main/classify/ort-train-engine.ts) for machines where tfjs only has wasm.
import * as tf from '@tensorflow/tfjs';
import { trainableVariables, trainStep } from './train-step';

/** Adam state in tfjs's own format (AdamOptimizer.getWeights): `iter`, then every `/m`, then every `/v`. */
export type OptimizerWeights = { name: string; shape: number[]; data: Float32Array }[];

export interface StepBatch {
  /** n × H × W × bands, normalised, NHWC. */
  images: Float32Array;
  n: number;
  labels: Float32Array;
  /** Per-sample loss weights, or null for all ones. */
  weights: Float32Array | null;
}

export interface TrainEngine {
  /** Shown in logs and recorded as the recipe's backend, e.g. "wasm" or "onnxruntime-cpu (2 threads)". */
  readonly name: string;
  /** One Adam step at learning rate `lr`; returns the batch loss before the update. */
  step(batch: StepBatch, posWeight: number, lr: number): Promise<number>;
  /** Inference-mode logits (running BN statistics) for n cutouts; `between` is awaited between chunks (cancellation). */
  logits(images: Float32Array, n: number, between?: () => Promise<void>): Promise<Float32Array>;
  /** Writes the engine's weights and BN running statistics into the tfjs model. */
  syncModel(): Promise<void>;
  optimizerWeights(): Promise<OptimizerWeights>;
  setOptimizerWeights(w: OptimizerWeights): Promise<void>;
  dispose(): Promise<void>;
}

/** Opens an engine on a (fresh, resumed or parent) model of `size`×`size`×`bands` cutouts. */
export type TrainEngineFactory = (model: tf.LayersModel, size: number, bands: number) => Promise<TrainEngine>;

/** tfjs's optimiser on the model's own variables, on whatever tfjs backend is active. */
export const tfjsEngine: TrainEngineFactory = async (model, size, bands) => {
  const optimizer = tf.train.adam(1e-3);
  const vars = trainableVariables(model);
  return {
    name: tf.getBackend(),
    async step(b, posWeight, lr) {
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
      const x = tf.tensor4d(b.images, [b.n, size, size, bands]);
      const y = tf.tensor2d(b.labels, [b.n, 1]);
      const w = b.weights ? tf.tensor2d(b.weights, [b.n, 1]) : undefined;
      try {
        return trainStep(model, optimizer, x, y, posWeight, vars, w);
      } finally {
        tf.dispose(w ? [x, y, w] : [x, y]);
      }
    },
    async logits(images, n, between) {
      const out = new Float32Array(n);
      const per = size * size * bands;
      // Chunks of 64: each is synchronous on wasm/cpu, so a cancel waits for at most one of them.
      for (let i = 0; i < n; i += 64) {
        if (i) await between?.();
        const k = Math.min(64, n - i);
        const logit = tf.tidy(() => model.predict(tf.tensor4d(images.subarray(i * per, (i + k) * per), [k, size, size, bands])) as tf.Tensor);
        out.set(logit.dataSync() as Float32Array, i);
        logit.dispose();
      }
      return out;
    },
    async syncModel() {},
    // Float32Array.from: Adam's iteration count is an int32 tensor; stored as float like the moments.
    async optimizerWeights() {
      return Promise.all((await optimizer.getWeights()).map(async (w) => ({ name: w.name, shape: w.tensor.shape, data: Float32Array.from(await w.tensor.data()) })));
    },
    async setOptimizerWeights(w) {
      await optimizer.setWeights(w.map((v) => ({ name: v.name, tensor: tf.tensor(v.data, v.shape) })));
    },
    async dispose() {
      optimizer.dispose();
    },
  };
};
