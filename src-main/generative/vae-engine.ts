// Runs the Flow-VAE graphs (src-core/generative/vae-graph.ts) on onnxruntime-node's CPU build, the
// way the score U-Net trains (src-main/score/unet-engine.ts): one session runs the hand-written training
// graph (negative β-ELBO + every gradient), Adam (Kingma & Ba 2015; PyTorch defaults, bias-corrected)
// updates the float32 weights here. Encoder and decoder sessions serve inference.
import ort from 'onnxruntime-node';
import { cpuSessionOptions } from '../classify/ort-scorer';
import { gradName, type TapeParam } from '../../src-core/onnx/tape';
import { buildVaeDecoderGraph, buildVaeEncoderGraph, buildVaeTrainingGraph, decoderSide, type VaeConfig } from '../../src-core/generative/vae-graph';
import { defaultThreads, type AdamState } from '../score/unet-engine';
import { NamedAdam } from '../../src-core/math/adam';


/** One training batch, all in fluxScale units (see buildVaeTrainingGraph). */
export interface VaeBatch {
  x: Float32Array;
  w: Float32Array;
  logSigma: Float32Array;
  eps: Float32Array;
  /** B×K×K unit-sum PSFs at the decoder's pixel ('psf' likelihood only). */
  psf?: Float32Array;
}

export interface VaeStepResult {
  loss: number;
  rec: Float32Array;
  kl: Float32Array;
}

export interface VaeTrainer {
  readonly params: readonly TapeParam[];
  readonly weights: Map<string, Float32Array>;
  readonly threads: number;
  lossAndGrads(b: VaeBatch): Promise<VaeStepResult & { grads: Map<string, Float32Array> }>;
  step(b: VaeBatch, lr: number): Promise<VaeStepResult>;
  adam(): AdamState;
  setAdam(s: AdamState): void;
  dispose(): Promise<void>;
}

export async function createVaeTrainer(cfg: VaeConfig, weights: Map<string, Float32Array>, opts: { threads?: number } = {}): Promise<VaeTrainer> {
  const threads = opts.threads ?? defaultThreads();
  const graph = buildVaeTrainingGraph(cfg);
  for (const p of graph.params) {
    const w = weights.get(p.name);
    const n = p.dims.reduce((a, b) => a * b, 1);
    if (!w || w.length !== n) throw new Error(`Flow-VAE weight ${p.name}: expected ${n} values, got ${w?.length ?? 'none'}`);
  }
  const session = await ort.InferenceSession.create(graph.onnx, cpuSessionOptions(threads));
  const { size: S, batch: B, latent: L, psfSize: K } = cfg;
  const opt = new NamedAdam(weights, graph.params.map((p) => p.name));

  const run = async (b: VaeBatch) => {
    if (b.x.length !== B * S * S || b.w.length !== B * S * S || b.logSigma.length !== B || b.eps.length !== B * L) throw new Error(`Flow-VAE batch: expected ${B} stamps of ${S}×${S} and ${L} latent noises`);
    const feeds: Record<string, ort.Tensor> = {
      x: new ort.Tensor('float32', b.x, [B, 1, S, S]),
      w: new ort.Tensor('float32', b.w, [B, 1, S, S]),
      log_sigma: new ort.Tensor('float32', b.logSigma, [B]),
      eps: new ort.Tensor('float32', b.eps, [B, L]),
    };
    if (cfg.likelihood === 'psf') {
      if (!b.psf || b.psf.length !== B * K * K) throw new Error(`Flow-VAE batch: expected ${B} PSFs of ${K}×${K}`);
      feeds.psf = new ort.Tensor('float32', b.psf, [B, 1, K, K]);
    }
    for (const p of graph.params) feeds[p.name] = new ort.Tensor('float32', weights.get(p.name)!, p.dims);
    return session.run(feeds);
  };
  const result = (out: ort.InferenceSession.OnnxValueMapType): VaeStepResult => ({
    loss: (out.loss!.data as Float32Array)[0]!,
    rec: Float32Array.from(out.rec!.data as Float32Array),
    kl: Float32Array.from(out.kl!.data as Float32Array),
  });

  return {
    params: graph.params,
    weights,
    threads,
    async lossAndGrads(b) {
      const out = await run(b);
      const grads = new Map(graph.params.map((p) => [p.name, Float32Array.from(out[gradName(p.name)]!.data as Float32Array)]));
      return { ...result(out), grads };
    },
    async step(b, lr) {
      const out = await run(b);
      opt.step(weights, (name) => out[gradName(name)]!.data as Float32Array, lr);
      const r = result(out);
      for (const t of Object.values(out)) t.dispose?.();
      return r;
    },
    adam: () => opt.state,
    setAdam(s) {
      opt.state = s;
    },
    dispose: () => session.release(),
  };
}

export interface VaeCoder {
  /** μ and log σ² of q(z | x) for n stamps (fluxScale units) with per-stamp log σ. */
  encode(x: Float32Array, logSigma: Float32Array): Promise<{ mu: Float32Array; logvar: Float32Array }>;
  /** g_θ(z) for n latent vectors (n×L) → n×D×D. */
  decode(z: Float32Array, n: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/**
 * Decoder runs per onnxruntime call. Measured on the bundled 64×64 decoder (1 thread, 10,240 codes):
 * 32 or 64 per call took 5.3–5.5 s and 170–230 MB of process memory, 256 per call 8–11 s and 590 MB
 * (the activations of a large batch, 256 × 16 channels × 64² floats per level, fall out of the caches
 * and stay in onnxruntime's arena). Each galaxy is decoded alone either way: the batch size does not
 * change the output (vae-engine.test.ts).
 */
export const DECODE_BATCH = 32;

export async function createVaeCoder(cfg: VaeConfig, weights: ReadonlyMap<string, Float32Array>, opts: { threads?: number; maxBatch?: number; decodeBatch?: number } = {}): Promise<VaeCoder> {
  // No spin-waiting between ops: with several intra-op threads on a busy machine, spinning threads
  // burned ~1.7× the CPU of one thread for a slower decode (measured at load ≈ 6 on 2 cores).
  const so: ort.InferenceSession.SessionOptions = { ...cpuSessionOptions(opts.threads ?? defaultThreads()), extra: { session: { intra_op: { allow_spinning: '0' } } } };
  const enc = await ort.InferenceSession.create(buildVaeEncoderGraph(cfg, weights), so);
  const dec = await ort.InferenceSession.create(buildVaeDecoderGraph(cfg, weights), so);
  const S = cfg.size, L = cfg.latent, D = decoderSide(cfg), maxBatch = opts.maxBatch ?? 256, decodeBatch = opts.decodeBatch ?? DECODE_BATCH;
  return {
    async encode(x, logSigma) {
      const n = logSigma.length;
      const mu = new Float32Array(n * L), logvar = new Float32Array(n * L);
      for (let o = 0; o < n; o += maxBatch) {
        const k = Math.min(maxBatch, n - o);
        const out = await enc.run({ x: new ort.Tensor('float32', x.subarray(o * S * S, (o + k) * S * S), [k, 1, S, S]), log_sigma: new ort.Tensor('float32', logSigma.subarray(o, o + k), [k]) });
        mu.set(out.mu!.data as Float32Array, o * L);
        logvar.set(out.logvar!.data as Float32Array, o * L);
      }
      return { mu, logvar };
    },
    async decode(z, n) {
      if (z.length !== n * L) throw new Error(`Flow-VAE decode: ${z.length} values for ${n} latent vectors of ${L}`);
      const g = new Float32Array(n * D * D);
      for (let o = 0; o < n; o += decodeBatch) {
        const k = Math.min(decodeBatch, n - o);
        const out = await dec.run({ z: new ort.Tensor('float32', z.subarray(o * L, (o + k) * L), [k, L]) });
        g.set(out.g!.data as Float32Array, o * D * D);
      }
      return g;
    },
    async dispose() {
      await enc.release();
      await dec.release();
    },
  };
}
