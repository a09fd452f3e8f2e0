// `lensdesk galaxy train`: trains the Flow-VAE (src-core/generative/vae-graph.ts) on onnxruntime CPU
// (vae-engine.ts), then fits the latent density to the encoder means of the training stamps (two-stage,
// deblending-and-generative.md §B3) and, when the data carry a noiseless truth (simulations), runs the
// paper's moments test (§B6) on samples. Checkpoint (weights + Adam) every K steps and on cancellation;
// `resume` continues it (pinned options must match). Stamps are divided by fluxScale (the median stamp
// peak) so the network works on O(1) values.
import { existsSync, mkdirSync } from 'node:fs';
import { CancelledError, InputError } from '../../src-core/errors';
import { GaussianDensity, type LatentDensity } from '../../src-core/generative/latent-density';
import { RealNvp } from '../../src-core/flows/realnvp';
import { compareMoments, measureSet } from '../../src-core/generative/moments-compare';
import { ksTwoSample } from '../../src-core/generative/moments';
import { buildVaeDecoderGraph, buildVaeEncoderGraph, decoderSide, defaultVaeConfig, vaeParams, type VaeConfig, type VaeLikelihood } from '../../src-core/generative/vae-graph';
import { zigguratNormal } from '../../src-core/lens/ziggurat';
import { Rng } from '../../src-core/rng';
import { initUnetWeights } from '../../src-core/score/unet-graph';
import { FLOWVAE_FORMAT, readFlowVaeModel, readVaeCheckpoint, writeFlowVaeModel, writeVaeCheckpoint, type EpochRecord, type FlowVaeCard } from './model-files';
import { createVaeCoder, createVaeTrainer, type VaeBatch } from './vae-engine';

export interface VaeTrainingData {
  /** count × S × S stamps (any flux unit; σ in the same unit). */
  stamps: Float32Array;
  count: number;
  size: number;
  /** Survey pixel, arcsec. */
  pixelScale: number;
  /** Noise σ per stamp. */
  sigma: Float32Array;
  /** Per-pixel inverse variance (count × S × S; 0 = masked); default 1/σ². */
  invVar?: Float32Array;
  /** PSFs on the decoder grid (half the survey pixel), nPsf × K × K, unit sum; psfIndex per stamp. */
  psfs: Float32Array;
  psfSize: number;
  psfIndex: Int32Array;
  description: Record<string, unknown>;
  psfDescription: Record<string, unknown>;
  /** Noiseless PSF-free truth on the 2S grid (simulations): the moments test's reference. */
  truth?: { images: Float32Array; count: number; side: number; pixelScale: number };
}

export interface VaeTrainOptions {
  data: VaeTrainingData;
  likelihood: VaeLikelihood;
  beta: number;
  latent?: number;
  batch?: number;
  /** Decoder widths (4 for psf, 3 for plain); default vae-graph's. */
  dec?: number[];
  /** Decoder output nonlinearity (default linear). */
  output?: 'linear' | 'softplus';
  out: string;
  steps: number;
  learningRate: number;
  seed: number;
  threads?: number;
  resume: boolean;
  checkpointEvery: number;
  signal?: AbortSignal;
  onProgress?: (step: number, steps: number, loss: number) => void;
  log?: (line: string) => void;
  /** Second-stage latent density (default realnvp, the 'Flow' of Flow-VAE). */
  density?: LatentKind;
}

function medianPeak(d: VaeTrainingData): number {
  const S2 = d.size * d.size, peaks = new Float64Array(d.count);
  for (let k = 0; k < d.count; k++) {
    let m = -Infinity;
    for (let i = 0; i < S2; i++) m = Math.max(m, d.stamps[k * S2 + i]!);
    peaks[k] = m;
  }
  peaks.sort();
  const v = peaks[peaks.length >> 1]!;
  if (!(v > 0)) throw new InputError('FLOWVAE_DATA', 'the median stamp peak is not positive (empty or negative stamps?)', {});
  return Number(v.toPrecision(3));
}

export type LatentKind = 'gaussian' | 'realnvp';

const LATENT_DESCRIPTIONS: Record<LatentKind, string> = {
  gaussian: 'gaussian (full covariance, maximum likelihood on encoder means)',
  realnvp: 'realnvp (8 affine coupling layers, hidden 64, maximum likelihood on encoder means; src-core/flows)',
};

/**
 * The Flow-VAE's second stage (Lanusse et al. 2020 §3.3): encode every training stamp, fit the latent
 * density to the encoder means, and — when the data carry noiseless truth — compare the adaptive
 * moments of decoded latent samples with the truth's (KS tests).
 */
export async function fitLatentStage(
  cfg: VaeConfig, weights: ReadonlyMap<string, Float32Array>, data: VaeTrainingData,
  o: { seed: number; density: LatentKind; threads?: number; log?: (line: string) => void },
): Promise<{ density: LatentDensity; momentsTest?: Record<string, unknown>; description: string }> {
  const L = cfg.latent, D = decoderSide(cfg), decoderPixelScale = (data.pixelScale * cfg.size) / D;
  const coder = await createVaeCoder(cfg, weights, { threads: o.threads });
  try {
    const x = Float32Array.from(data.stamps, (v) => v / cfg.fluxScale);
    const { mu } = await coder.encode(x, Float32Array.from(data.sigma, (s) => Math.log(s / cfg.fluxScale)));
    const means = Array.from({ length: data.count }, (_, k) => Float64Array.from(mu.subarray(k * L, (k + 1) * L)));
    const density: LatentDensity = o.density === 'realnvp'
      ? RealNvp.fit(means, { layers: 8, hidden: 64, steps: 3000, batch: 128, lr: 1e-3, seed: o.seed, onProgress: (st, nll) => { if (st % 500 === 0) o.log?.(`latent flow step ${st}: NLL ${nll.toFixed(3)}`); } })
      : GaussianDensity.fit(means);
    let momentsTest: Record<string, unknown> | undefined;
    if (data.truth) {
      const n = data.truth.count, rng = new Rng(o.seed, 4), z = new Float32Array(n * L);
      for (let k = 0; k < n; k++) z.set(density.sample(rng), k * L);
      const samples = await coder.decode(z, n);
      const cmp = compareMoments(measureSet(samples, n, D, decoderPixelScale), measureSet(data.truth.images, n, data.truth.side, data.truth.pixelScale), ksTwoSample);
      momentsTest = { description: `adaptive moments of ${n} decoder samples g(z), z from the latent density (${o.density}), against ${n} independent noiseless PSF-free truth galaxies (sizes in arcsec)`, ...cmp };
      o.log?.(`moments test: σ bias ${cmp.stats.sigma.bias.toFixed(4)}″ (KS p ${cmp.stats.sigma.ksP.toPrecision(3)}), |e| bias ${cmp.stats.e.bias.toFixed(4)} (KS p ${cmp.stats.e.ksP.toPrecision(3)})`);
    }
    return { density, ...(momentsTest ? { momentsTest } : {}), description: LATENT_DESCRIPTIONS[o.density] };
  } finally {
    await coder.dispose();
  }
}

/** Refits a trained model's latent density (e.g. a Gaussian → a RealNVP) on its training data, in place. */
export async function refitLatent(dir: string, data: VaeTrainingData, o: { seed: number; density: LatentKind; threads?: number; log?: (line: string) => void }): Promise<FlowVaeCard> {
  const { card, weights } = readFlowVaeModel(dir);
  const r = await fitLatentStage(card.config, weights, data, o);
  const next: FlowVaeCard = { ...card, latentDensity: r.description, ...(r.momentsTest ? { momentsTest: r.momentsTest } : {}) };
  writeFlowVaeModel(dir, next, weights, { encoder: buildVaeEncoderGraph(card.config, weights), decoder: buildVaeDecoderGraph(card.config, weights) }, r.density, modelReadme(next));
  return next;
}

export async function trainFlowVae(o: VaeTrainOptions): Promise<FlowVaeCard> {
  const { data } = o;
  mkdirSync(o.out, { recursive: true });
  const cfg: VaeConfig = defaultVaeConfig(o.likelihood, { size: data.size, beta: o.beta, psfSize: data.psfSize, fluxScale: medianPeak(data), ...(o.latent ? { latent: o.latent } : {}), ...(o.batch ? { batch: o.batch } : {}), ...(o.dec ? { dec: o.dec } : {}), ...(o.output && o.output !== 'linear' ? { output: o.output } : {}) });
  const { size: S, batch: B, latent: L, psfSize: K, fluxScale } = cfg;
  const pinned = { config: cfg, learningRate: o.learningRate, seed: o.seed, trainingSet: data.description };
  const params = vaeParams(cfg);
  const paramList = params.map((p) => ({ name: p.name, dims: p.dims }));
  let weights = initUnetWeights(params, (() => { const r = new Rng(o.seed, 1); return () => r.uniform(); })());
  let start = 0, seconds = 0, epochs: EpochRecord[] = [], partial = { steps: 0, rec: 0, kl: 0 };
  const previous = o.resume ? readVaeCheckpoint(o.out) : null;
  if (o.resume && !previous) o.log?.(`no checkpoint in ${o.out}: starting from scratch`);
  if (!o.resume && existsSync(`${o.out}/checkpoint.json`)) throw new InputError('FLOWVAE_CHECKPOINT_EXISTS', `${o.out} holds a checkpoint: pass --resume to continue it, or another --out`, { path: o.out });
  if (previous) {
    if (JSON.stringify(previous.ck.options) !== JSON.stringify(pinned)) throw new InputError('FLOWVAE_RESUME_MISMATCH', `${o.out}/checkpoint.json was made with other options or data; resume with the same ones`, { path: o.out });
    ({ weights } = previous);
    ({ step: start, seconds, epochs, partial } = previous.ck);
  }
  const stepsPerEpoch = Math.max(1, Math.ceil(data.count / B));
  const trainer = await createVaeTrainer(cfg, weights, { threads: o.threads });
  if (previous) trainer.setAdam(previous.adam);
  const save = (step: number) => writeVaeCheckpoint(o.out, { format: FLOWVAE_FORMAT, options: pinned, config: cfg, params: paramList, step, seconds, iterations: trainer.adam().iterations, epochs, partial }, weights, trainer.adam());
  const S2 = S * S, K2 = K * K;
  const batch: VaeBatch = { x: new Float32Array(B * S2), w: new Float32Array(B * S2), logSigma: new Float32Array(B), eps: new Float32Array(B * L), psf: o.likelihood === 'psf' ? new Float32Array(B * K2) : undefined };
  try {
    for (let step = start; step < o.steps; step++) {
      if (o.signal?.aborted) {
        save(step);
        throw new CancelledError(`Flow-VAE training stopped at step ${step}/${o.steps}; checkpoint saved in ${o.out} (continue with --resume)`);
      }
      const rng = new Rng(o.seed, 2, step); // one stream per step: a resumed run draws the same batches
      for (let b = 0; b < B; b++) {
        const j = rng.int(data.count), s = data.sigma[j]! / fluxScale;
        for (let i = 0; i < S2; i++) {
          batch.x[b * S2 + i] = data.stamps[j * S2 + i]! / fluxScale;
          batch.w[b * S2 + i] = data.invVar ? data.invVar[j * S2 + i]! * fluxScale * fluxScale : 1 / (s * s);
        }
        batch.logSigma[b] = Math.log(s);
        if (batch.psf) batch.psf.set(data.psfs.subarray(data.psfIndex[j]! * K2, (data.psfIndex[j]! + 1) * K2), b * K2);
      }
      for (let i = 0; i < B * L; i++) batch.eps[i] = zigguratNormal(rng);
      const t0 = performance.now();
      // constant rate, then ÷10 for the last 20 % of the steps (a resumed run that changes --steps moves the drop)
      const r = await trainer.step(batch, step < 0.8 * o.steps ? o.learningRate : o.learningRate / 10);
      seconds += (performance.now() - t0) / 1000;
      partial.steps++;
      partial.rec += r.rec.reduce((a, v) => a + v, 0) / B;
      partial.kl += r.kl.reduce((a, v) => a + v, 0) / B;
      if ((step + 1) % stepsPerEpoch === 0 || step + 1 === o.steps) {
        const rec = partial.rec / partial.steps, kl = partial.kl / partial.steps;
        epochs.push({ epoch: epochs.length + 1, step: step + 1, elbo: Number((-(rec + kl)).toFixed(3)), rec: Number(rec.toFixed(3)), kl: Number(kl.toFixed(3)) });
        o.log?.(`epoch ${epochs.length} (step ${step + 1}): ELBO ${(-(rec + kl)).toFixed(1)} (½χ² ${rec.toFixed(1)}, KL ${kl.toFixed(2)})`);
        partial = { steps: 0, rec: 0, kl: 0 };
      }
      o.onProgress?.(step + 1, o.steps, r.loss);
      if ((step + 1) % o.checkpointEvery === 0 && step + 1 < o.steps) save(step + 1);
      await new Promise((res) => setImmediate(res)); // let SIGINT arrive between steps
    }
  } finally {
    await trainer.dispose();
  }
  save(Math.max(start, o.steps));

  // second stage: latent density on the encoder means of every training stamp
  const D = decoderSide(cfg), decoderPixelScale = (data.pixelScale * S) / D;
  const { density, momentsTest, description: latentDensity } = await fitLatentStage(cfg, weights, data, { seed: o.seed, density: o.density ?? 'realnvp', threads: o.threads, log: o.log });
  const card: FlowVaeCard = {
    format: FLOWVAE_FORMAT, model: 'flowvae', created: new Date().toISOString(), config: cfg, params: paramList,
    pixelScale: data.pixelScale, decoderPixelScale, trainingSet: data.description, psfs: data.psfDescription,
    likelihoodModel: o.likelihood === 'psf' ? 'x ~ N(P(Π ∗ g(z)), Σ): decoder at half the stamp pixel, stamp PSF, 2×2 pixelisation' : 'x ~ N(g(z), Σ): decoder at the stamp pixel, no PSF (baseline)',
    latentDensity,
    steps: Math.max(start, o.steps), learningRate: o.learningRate, seed: o.seed,
    engine: `onnxruntime-node cpu, training graph (${trainer.threads} threads)`,
    seconds: Math.round(seconds * 10) / 10, imagesPerSecond: Math.round(((Math.max(start, o.steps) - 0) * B / Math.max(1e-9, seconds)) * 100) / 100,
    elboPerEpoch: epochs, ...(momentsTest ? { momentsTest } : {}),
  };
  writeFlowVaeModel(o.out, card, weights, { encoder: buildVaeEncoderGraph(cfg, weights), decoder: buildVaeDecoderGraph(cfg, weights) }, density, modelReadme(card));
  return card;
}

export function modelReadme(card: FlowVaeCard): string {
  const c = card.config;
  return `# Flow-VAE galaxy model (${c.likelihood} likelihood)

Generative galaxy model after Lanusse et al. 2020 (arXiv:2008.03833), trained by \`lensdesk galaxy train\`
(docs/flowvae.md). ${card.likelihoodModel}.

- stamps ${c.size}×${c.size} at ${card.pixelScale}″; decoder ${decoderSide(c)}×${decoderSide(c)} at ${card.decoderPixelScale}″; latent ${c.latent}; β = ${c.beta}
- training set: ${JSON.stringify(card.trainingSet)}
- latent density: ${card.latentDensity} (latent.json, by \`kind\`)
- files: encoder.onnx (x/fluxScale N×1×S×S, log_sigma N → mu, logvar), decoder.onnx (z N×L → g N×1×D×D,
  PSF-free light in fluxScale units per survey-pixel area; fluxScale = ${c.fluxScale}), weights.bin, card.json
  (ELBO per epoch${card.momentsTest ? ', moments test' : ''})
- ${card.steps} steps of ${c.batch} stamps, ${card.seconds} s (${card.imagesPerSecond} images/s, ${card.engine})
`;
}
