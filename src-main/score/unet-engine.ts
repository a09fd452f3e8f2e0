// Trains the score U-Net on onnxruntime-node's CPU build, the way the lens finder trains: one session
// runs the hand-written training graph (src-core/score/unet-graph.ts: DSM loss + all gradients) and
// Adam (Kingma & Ba 2015, PyTorch's defaults β = (0.9, 0.999), ε = 1e-8, bias-corrected) runs here on
// the float32 weights. A second session on the inference graph gives scores for the samplers.
import os from 'node:os';
import ort from 'onnxruntime-node';
import { cpuSessionOptions } from '../classify/ort-scorer';
import { NamedAdam, type AdamState } from '../../src-core/math/adam';
import { gradName, type TapeParam } from '../../src-core/onnx/tape';
import { buildUnetInferenceGraph, buildUnetTrainingGraph, type UnetConfig } from '../../src-core/score/unet-graph';


export type { AdamState };

export interface UnetTrainer {
  readonly params: readonly TapeParam[];
  readonly weights: Map<string, Float32Array>;
  readonly threads: number;
  /** Loss and gradients (no update): the gradient check and diagnostics. */
  lossAndGrads(x: Float32Array, eps: Float32Array, sigma: Float32Array): Promise<{ loss: number; perImage: Float32Array; grads: Map<string, Float32Array> }>;
  /** One Adam step at learning rate lr; returns the batch loss and the loss of each image. */
  step(x: Float32Array, eps: Float32Array, sigma: Float32Array, lr: number): Promise<{ loss: number; perImage: Float32Array }>;
  adam(): AdamState;
  setAdam(s: AdamState): void;
  dispose(): Promise<void>;
}

export const defaultThreads = () => Math.max(1, os.availableParallelism?.() ?? os.cpus().length);

export async function createUnetTrainer(cfg: UnetConfig, weights: Map<string, Float32Array>, opts: { threads?: number } = {}): Promise<UnetTrainer> {
  const threads = opts.threads ?? defaultThreads();
  const graph = buildUnetTrainingGraph(cfg);
  for (const p of graph.params) {
    const w = weights.get(p.name);
    const n = p.dims.reduce((a, b) => a * b, 1);
    if (!w || w.length !== n) throw new Error(`score U-Net weight ${p.name}: expected ${n} values, got ${w?.length ?? 'none'}`);
  }
  const session = await ort.InferenceSession.create(graph.onnx, cpuSessionOptions(threads));
  const opt = new NamedAdam(weights, graph.params.map((p) => p.name));
  const S = cfg.size;

  const run = async (x: Float32Array, eps: Float32Array, sigma: Float32Array) => {
    const n = sigma.length;
    if (x.length !== n * S * S || eps.length !== n * S * S) throw new Error(`score U-Net batch: ${n} σ values but ${x.length / (S * S)} images`);
    const feeds: Record<string, ort.Tensor> = {
      x: new ort.Tensor('float32', x, [n, 1, S, S]),
      eps: new ort.Tensor('float32', eps, [n, 1, S, S]),
      sigma: new ort.Tensor('float32', sigma, [n]),
    };
    for (const p of graph.params) feeds[p.name] = new ort.Tensor('float32', weights.get(p.name)!, p.dims);
    return session.run(feeds);
  };

  return {
    params: graph.params,
    weights,
    threads,
    async lossAndGrads(x, eps, sigma) {
      const out = await run(x, eps, sigma);
      const grads = new Map(graph.params.map((p) => [p.name, Float32Array.from(out[gradName(p.name)]!.data as Float32Array)]));
      return { loss: (out.loss!.data as Float32Array)[0]!, perImage: Float32Array.from(out.loss_per_image!.data as Float32Array), grads };
    },
    async step(x, eps, sigma, lr) {
      const out = await run(x, eps, sigma);
      opt.step(weights, (name) => out[gradName(name)]!.data as Float32Array, lr);
      const result = { loss: (out.loss!.data as Float32Array)[0]!, perImage: Float32Array.from(out.loss_per_image!.data as Float32Array) };
      for (const t of Object.values(out)) t.dispose?.();
      return result;
    },
    adam: () => opt.state,
    setAdam(s) {
      opt.state = s;
    },
    dispose: () => session.release(),
  };
}

export interface UnetScorer {
  /** score s_θ(x, σ_i) for n images x (n×S×S, row-major) at per-image σ. */
  score(x: Float32Array, sigma: Float32Array): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/**
 * `input`: what the network is fed for the noisy images x (n×S×S) at σ, when a model was trained on a
 * transform of x̃ rather than x̃ itself (a hybrid κ prior fed the Gaussian posterior mean: kappa-training.ts).
 */
export async function createUnetScorer(onnx: Uint8Array, size: number, opts: { threads?: number; input?: (x: Float32Array, sigma: Float32Array) => Float32Array } = {}): Promise<UnetScorer> {
  const session = await ort.InferenceSession.create(onnx, cpuSessionOptions(opts.threads ?? defaultThreads()));
  return {
    async score(x, sigma) {
      const n = sigma.length;
      const fed = opts.input ? opts.input(x, sigma) : x;
      const out = await session.run({ x: new ort.Tensor('float32', fed, [n, 1, size, size]), sigma: new ort.Tensor('float32', sigma, [n]) }, ['score']);
      const s = Float32Array.from(out.score!.data as Float32Array);
      out.score!.dispose?.();
      return s;
    },
    dispose: () => session.release(),
  };
}

export function unetInferenceOnnx(cfg: UnetConfig, weights: ReadonlyMap<string, Float32Array>): Uint8Array {
  return buildUnetInferenceGraph(cfg, weights).onnx;
}

/** The scorer as src-core's BatchScoreFn (annealedLangevinBatched), in chunks of at most `maxBatch`. */
export function unetBatchScore(scorer: UnetScorer, size: number, maxBatch = 64): (x: Float32Array, sigma: number, chains: number) => Promise<Float32Array> {
  const d = size * size;
  return async (x, sigma, chains) => {
    const out = new Float32Array(chains * d);
    for (let c = 0; c < chains; c += maxBatch) {
      const k = Math.min(maxBatch, chains - c);
      out.set(await scorer.score(x.subarray(c * d, (c + k) * d), new Float32Array(k).fill(sigma)), c * d);
    }
    return out;
  };
}
