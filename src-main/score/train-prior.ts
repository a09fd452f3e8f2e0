// `lensdesk prior train`: DSM training of the score U-Net (src-core/score/unet-graph.ts) on
// onnxruntime (unet-engine.ts), from simulated galaxies or a folder of stamps. σ is drawn per image
// log-uniform in [σ_min, σ_max] (as the PyTorch peer); the card reports the held-out loss on a
// geometric ladder of n levels against the Gaussian floor Σ_k c_k/(c_k + σ²)/D of the training set's
// spectrum (learned-priors.md §1). For noisy stamps (survey cutouts) σ_min must stay above the
// noise level: below it the "clean" images are themselves noisy (§1). A checkpoint (weights + Adam)
// is written every `checkpointEvery` steps and on cancellation; `resume` continues from it.
import { existsSync, mkdirSync } from 'node:fs';
import { CancelledError, InputError } from '../../src-core/errors';
import { zigguratNormal } from '../../src-core/lens/ziggurat';
import { Rng } from '../../src-core/rng';
import { geometricLadder } from '../../src-core/inverse/solvers/sigma-ladder';
import { gaussianDsmFloor } from '../../src-core/score/dsm';
import { makeGalaxies } from '../../src-core/score/galaxies';
import { dihedral, setSpectrum } from '../../src-core/score/training-set';
import { initUnetWeights, peerUnetConfig, unetParams, type UnetConfig } from '../../src-core/score/unet-graph';
import { readCheckpoint, SCORE_MODEL_FORMAT, writeCheckpoint, writeScoreModel, type ScoreUnetCard } from './model-files';
import { createUnetScorer, createUnetTrainer, unetInferenceOnnx } from './unet-engine';
import { cardPath } from '../util/paths';

export interface TrainingImages {
  images: Float32Array;
  count: number;
  heldOut: Float32Array;
  heldOutCount: number;
  description: Record<string, unknown>;
}

export interface PriorTrainOptions {
  data: TrainingImages;
  size: number;
  out: string;
  steps: number;
  batch: number;
  sigmas: [number, number, number];
  learningRate: number;
  seed: number;
  threads?: number;
  resume: boolean;
  checkpointEvery: number;
  evalImages: number;
  signal?: AbortSignal;
  onProgress?: (step: number, steps: number, loss: number) => void;
  log?: (line: string) => void;
  /** U-Net widths (default: the peer's 32/64/128). */
  channels?: [number, number, number];
  /**
   * Hybrid prior (Remy et al. 2020; mass-mapping.md §7): the network learns only the residual r_θ of the
   * total score s_G + r_θ, where s_G is an analytic score (the Gaussian κ prior). `offset` writes
   * σ·s_G(x̃, σ) for one noisy image x̃. The DSM loss ‖ε + σ(s_G + r_θ)‖² is the unchanged training
   * graph's ‖ε′ + u‖² fed with ε′ = ε + σs_G and x′ = x − σ·σs_G (so that x′ + σε′ = x̃): no second graph.
   * `card` is stored in the model card (what a sampler needs to rebuild s_G).
   */
  residual?: {
    offset: (xNoisy: Float32Array, sigma: number, out: Float32Array) => void;
    card: Record<string, unknown>;
    /**
     * The network is fed input(x̃) instead of x̃ (kappa-training.ts `kappaNetworkInput`). Same trick as the
     * offset: the graph's input x′ + σε′ is free once ε′ is fixed, so x′ = input(x̃) − σε′.
     */
    input?: (x: Float32Array, sigma: Float32Array) => Float32Array;
  };
  /**
   * Fine-tuning: start from an existing model's weights and config (its widths and σ_data; the U-Net is fully
   * convolutional, so a model trained on another image side continues at `size`). `dir` is pinned for --resume.
   */
  init?: { dir: string; config: UnetConfig; weights: Map<string, Float32Array>; steps?: number };
  /**
   * Extra training at one noise level: a `fraction` of the images gets σ log-uniform within a factor 1.5 of
   * `sigma`, the rest log-uniform over the whole range. DSM's σ²-weighted loss is dominated by the small σ
   * (loss ≈ 1 per pixel there, ≈ 0.02 at a weak-lensing map's pixel noise), so the level at which a prior
   * is used as a one-step denoiser (the Tweedie posterior mean at σ_pix) otherwise gets little of the
   * gradient. Off by default (the σ draws are then unchanged).
   */
  sigmaFocus?: SigmaFocus;
}

/** `prior train --sigma-focus S,F`: a fraction F of the training σ within a factor SIGMA_FOCUS_FACTOR of S. */
export interface SigmaFocus {
  sigma: number;
  fraction: number;
}

/** Half-width (as a factor) of the band that `sigmaFocus` draws from. */
export const SIGMA_FOCUS_FACTOR = 1.5;

/** One training σ: log-uniform over [sMin, sMax], or within the focus band for a `focus.fraction` of draws. */
export function drawTrainingSigma(rng: Rng, sMin: number, sMax: number, focus?: SigmaFocus): number {
  if (focus && rng.uniform() < focus.fraction) return focus.sigma * SIGMA_FOCUS_FACTOR ** (2 * rng.uniform() - 1);
  return sMin * (sMax / sMin) ** rng.uniform();
}


export function simulatedImages(preset: string, size: number, nTrain: number, seed: number): TrainingImages {
  if (preset !== 'galaxies') throw new InputError('PRIOR_PRESET', `--simulate ${preset}: unknown preset (available: galaxies)`, { preset });
  const heldOutCount = Math.max(16, Math.ceil(nTrain / 16));
  return {
    images: makeGalaxies(nTrain, size, new Rng(seed, 64)),
    count: nTrain,
    heldOut: makeGalaxies(heldOutCount, size, new Rng(seed, 65)),
    heldOutCount,
    description: { source: 'simulate', preset, model: 'Sérsic + 0–4 Gaussian clumps, peak 1 (score_prior_torch.py make_galaxies)', images: nTrain, heldOut: heldOutCount, seed },
  };
}

/**
 * x ← x − σ·o, ε ← ε + o with o = σ s_G(x + σε, σ) per image (see PriorTrainOptions.residual); with an
 * `input` transform, x ← input(x̃) − σε′ so that the graph's x + σε is what the network is fed.
 */
export function shiftForResidual(residual: NonNullable<PriorTrainOptions['residual']>, x: Float32Array, eps: Float32Array, sigma: Float32Array, d: number): void {
  const xn = new Float32Array(d), off = new Float32Array(d);
  for (let b = 0; b < sigma.length; b++) {
    const s = sigma[b]!, o = b * d;
    for (let i = 0; i < d; i++) xn[i] = x[o + i]! + s * eps[o + i]!;
    residual.offset(xn, s, off);
    const fed = residual.input?.(xn, Float32Array.of(s));
    for (let i = 0; i < d; i++) {
      eps[o + i] = eps[o + i]! + off[i]!;
      x[o + i] = fed ? fed[i]! - s * eps[o + i]! : x[o + i]! - s * off[i]!;
    }
  }
}

/** score += s_G (the analytic part) for m images at one σ: the card's loss is that of the total score. */
function addAnalyticScore(offset: NonNullable<PriorTrainOptions['residual']>['offset'], xn: Float32Array, score: Float32Array, s: number, d: number): void {
  const off = new Float32Array(d);
  for (let o = 0; o < score.length; o += d) {
    offset(xn.subarray(o, o + d), s, off);
    for (let i = 0; i < d; i++) score[o + i] = score[o + i]! + off[i]! / s;
  }
}

export async function trainScorePrior(o: PriorTrainOptions): Promise<ScoreUnetCard> {
  const { data, size, batch } = o;
  const d = size * size;
  mkdirSync(o.out, { recursive: true });
  let sum = 0, sum2 = 0;
  for (let i = 0; i < data.count * d; i++) {
    sum += data.images[i]!;
    sum2 += data.images[i]! ** 2;
  }
  const sigmaData = Math.sqrt(sum2 / (data.count * d) - (sum / (data.count * d)) ** 2);
  const cfg: UnetConfig = o.init ? { ...o.init.config, size } : peerUnetConfig(Math.round(sigmaData * 1e6) / 1e6, size);
  if (o.channels && !o.init) cfg.channels = [...o.channels];
  const [sMin, sMax, nLevels] = o.sigmas;
  // `steps` is not pinned: a resumed run may extend training or stop where the checkpoint is (then it
  // only writes the model and card). The warm-up length comes from the first run's step count.
  const pinned: Record<string, unknown> = { size, batch, sigmas: o.sigmas, learningRate: o.learningRate, seed: o.seed, trainingSet: data.description };
  if (o.channels) pinned.channels = o.channels;
  if (o.residual) pinned.residual = o.residual.card;
  if (o.init) pinned.init = o.init.dir;
  if (o.sigmaFocus) pinned.sigmaFocus = o.sigmaFocus;
  const params = unetParams(cfg);
  let weights = o.init ? new Map([...o.init.weights].map(([k, v]) => [k, Float32Array.from(v)])) : initUnetWeights(params, (() => { const r = new Rng(o.seed, 1); return () => r.uniform(); })());
  if (o.init) {
    const missing = params.find((p) => o.init!.weights.get(p.name)?.length !== p.dims.reduce((a, b) => a * b, 1));
    if (missing) throw new InputError('PRIOR_INIT', `${o.init.dir}: weights do not fit this U-Net (parameter ${missing.name})`, { path: o.init.dir });
  }
  let start = 0, seconds0 = 0, warmupSteps = Math.max(1, Math.ceil(o.steps / 100));
  let losses: number[] = [];
  const previous = o.resume ? readCheckpoint(o.out) : null;
  if (o.resume && !previous) o.log?.(`no checkpoint in ${o.out}: starting from scratch`);
  if (!o.resume && existsSync(`${o.out}/checkpoint.json`)) throw new InputError('PRIOR_CHECKPOINT_EXISTS', `${o.out} holds a checkpoint: pass --resume to continue it, or another --out`, { path: o.out });
  if (previous) {
    const { steps: firstSteps, ...pinnedBefore } = previous.ck.options as typeof pinned & { steps?: number };
    if (JSON.stringify(pinnedBefore) !== JSON.stringify(pinned)) throw new InputError('PRIOR_RESUME_MISMATCH', `${o.out}/checkpoint.json was made with other options (${JSON.stringify(previous.ck.options)}); resume with the same ones`, { path: o.out });
    weights = previous.weights;
    start = previous.ck.step;
    seconds0 = previous.ck.seconds;
    losses = previous.ck.losses;
    warmupSteps = previous.ck.warmupSteps ?? Math.max(1, Math.ceil((firstSteps ?? o.steps) / 100));
  }
  const lastStep = Math.max(start, o.steps);
  const trainer = await createUnetTrainer(cfg, weights, { threads: o.threads });
  if (previous) trainer.setAdam(previous.adam);
  const paramList = params.map((p) => ({ name: p.name, dims: p.dims }));
  let trainSeconds = seconds0;
  const save = (step: number) => writeCheckpoint(o.out, { format: SCORE_MODEL_FORMAT, options: pinned, warmupSteps, config: cfg, params: paramList, step, seconds: trainSeconds, iterations: trainer.adam().iterations, losses }, weights, trainer.adam());
  const x = new Float32Array(batch * d), eps = new Float32Array(batch * d), sigma = new Float32Array(batch);
  try {
    for (let step = start; step < o.steps; step++) {
      if (o.signal?.aborted) {
        save(step);
        throw new CancelledError(`prior training stopped at step ${step}/${o.steps}; checkpoint saved in ${o.out} (continue with --resume)`);
      }
      // one stream per step: a resumed run draws what the uninterrupted run would have drawn
      const rng = new Rng(o.seed, 2, step);
      for (let b = 0; b < batch; b++) {
        const j = rng.int(data.count);
        dihedral(data.images.subarray(j * d, (j + 1) * d), x.subarray(b * d, (b + 1) * d), size, rng.int(8));
        sigma[b] = drawTrainingSigma(rng, sMin, sMax, o.sigmaFocus);
      }
      for (let i = 0; i < eps.length; i++) eps[i] = zigguratNormal(rng);
      if (o.residual) shiftForResidual(o.residual, x, eps, sigma, d);
      const t0 = performance.now();
      // linear warm-up over the first 1 % of steps, then constant (the peer uses a constant rate)
      const lr = o.learningRate * Math.min(1, (step + 1) / warmupSteps);
      const { loss } = await trainer.step(x, eps, sigma, lr);
      trainSeconds += (performance.now() - t0) / 1000;
      losses.push(Math.round(loss * 1e5) / 1e5);
      o.onProgress?.(step + 1, o.steps, loss);
      if ((step + 1) % o.checkpointEvery === 0 && step + 1 < o.steps) save(step + 1);
      await new Promise((r) => setImmediate(r)); // let SIGINT be delivered between steps
    }
  } finally {
    await trainer.dispose();
  }
  save(lastStep);

  // held-out DSM loss per ladder σ with the inference graph, against the Gaussian floor
  const ladder = Array.from(geometricLadder(sMax, sMin, nLevels));
  const spectrum = setSpectrum(data.images, data.count, size);
  const onnx = unetInferenceOnnx(cfg, weights);
  const scorer = await createUnetScorer(onnx, size, { threads: o.threads, input: o.residual?.input });
  const lossPerSigma: ScoreUnetCard['lossPerSigma'] = [];
  try {
    const rng = new Rng(o.seed, 3);
    const m = Math.min(o.evalImages, data.heldOutCount);
    // the focus σ too, in its place in the (descending) ladder: the rows stay ordered, the last is the smallest σ
    const evalSigmas = o.sigmaFocus && !ladder.some((s) => Math.abs(s / o.sigmaFocus!.sigma - 1) < 1e-9) ? [...ladder, o.sigmaFocus.sigma].sort((a, b) => b - a) : ladder;
    for (const s of evalSigmas) {
      const xn = new Float32Array(m * d), e = new Float32Array(m * d);
      for (let i = 0; i < m * d; i++) {
        e[i] = zigguratNormal(rng);
        xn[i] = data.heldOut[i]! + s * e[i]!;
      }
      const sc = await scorer.score(xn, new Float32Array(m).fill(s));
      if (o.residual) addAnalyticScore(o.residual.offset, xn, sc, s, d);
      let l = 0;
      for (let i = 0; i < m * d; i++) l += (s * sc[i]! + e[i]!) ** 2;
      lossPerSigma.push({ sigma: s, loss: l / (m * d), gaussianFloor: gaussianDsmFloor(spectrum, s), images: m });
    }
  } finally {
    await scorer.dispose();
  }
  const tail = losses.slice(-Math.min(50, losses.length));
  const card: ScoreUnetCard = {
    format: SCORE_MODEL_FORMAT, model: 'score-unet', version: '1', created: new Date().toISOString(),
    config: cfg, params: paramList, trainingSet: data.description,
    sigmaRange: [sMin, sMax], sigmaLadder: ladder, lossPerSigma,
    steps: lastStep, batch, learningRate: o.learningRate, seed: o.seed,
    engine: `onnxruntime-node cpu, training graph (${trainer.threads} threads)`,
    seconds: Math.round(trainSeconds * 10) / 10,
    imagesPerSecond: Math.round((lastStep * batch / Math.max(1e-9, trainSeconds)) * 100) / 100,
    finalTrainLoss: tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length),
  };
  // relative to the working directory when inside it: a card shipped in the repo must not name the trainer's machine
  if (o.init) card.initFrom = { dir: cardPath(o.init.dir), steps: o.init.steps };
  if (o.sigmaFocus) card.sigmaFocus = { ...o.sigmaFocus, factor: SIGMA_FOCUS_FACTOR };
  if (o.residual) card.residualOf = o.residual.card;
  writeScoreModel(o.out, card, weights, onnx);
  return card;
}
