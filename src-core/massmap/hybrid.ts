// Hybrid-prior mass mapping (Remy, Lanusse et al. 2020, arXiv:2011.08271; A&A 2023, arXiv:2201.05561;
// shared/reference/mass-mapping.md §7, learned-priors.md §3–§5): posterior samples of κ_E given gridded
// shear γ = Pκ + n, with the prior score s(κ, σ) = s_G(κ, σ) + r_θ(κ, σ) — the analytic Gaussian score of the
// theory spectrum (gaussian-score.ts) plus a learned residual (the score U-Net, injected as a batch
// function so src-core stays pure; null = the Gaussian prior alone, whose posterior is the Wiener filter).
//
// Samplers (both with Remy et al.'s tempered likelihood, below):
// - 'pcn' (default): annealed preconditioned Crank–Nicolson Langevin (src-core/score/pcn-langevin.ts) around
//   the Gaussian part's tempered posterior N(m_σ, C_σ), diagonal in Fourier (hybrid-reference.ts): exact for
//   r_θ = 0 at any step size, every mode relaxing at the same rate; chains start from a draw of the first
//   level's Gaussian posterior (a Wiener constrained realisation) and may yield several samples each.
// - 'langevin': plain annealed Langevin (Song & Ermon 2019; learned-priors.md §3), the MH-free version of
//   Remy et al.'s annealed HMC, step α = σ² — biased on large scales (docs/massmap.md, "Diagnosis"); kept
//   for comparison. Its tempered likelihood N(γ; Pκ, Σ + σ²I) (§4; = the convolved likelihood here since
// PPᵀ = I on E modes): ∇ log L_σ = Pᵀ[(γ − Pκ)/(Σ + σ²)], masked pixels (Σ = ∞) weight 0. No final Tweedie
// step (it shrinks fluctuations, §3): the chains end at σ_L, whose samples are κ + σ_L ε with ε white and
// independent, so the mean is unbiased and the variance is corrected by −σ_L² per pixel.
import { annealedLangevinBatched, type BatchScoreFn } from '../score/batched-langevin';
import { annealedPcnLangevin } from '../score/pcn-langevin';
import { FourierDiagonalGaussian, hybridReference } from './hybrid-reference';
import { denoisingDiffusion } from '../score/denoise-diffusion';
import { isWhite } from './wiener';
import { InputError } from '../errors';
import { residualCurvature } from './hybrid-curvature';
import { fft2 } from '../math/fft';
import { geometricLadder } from '../inverse/solvers/sigma-ladder';
import type { Rng } from '../rng';
import type { RunControl } from '../inverse/solvers/run-control';
import { GaussianKappaScore } from './gaussian-score';
import { ks93, shearFromKappa, type KsKernel } from './ks93';

export interface HybridSamplerOptions extends RunControl {
  kernel: KsKernel;
  g1: ArrayLike<number>;
  g2: ArrayLike<number>;
  /** Per-pixel shear noise variance per component; Infinity where masked. */
  variance: ArrayLike<number>;
  /** Per-mode prior variance P_k = C_ℓ/Δ² on the kernel's grid. */
  modeVariance: Float64Array;
  /** Learned residual r_θ(κ, σ) for chains packed chains × D (float32), or null (Gaussian prior only). */
  residual: BatchScoreFn | null;
  chains: number;
  rng: Rng;
  /** 'auto' (default: 'diffusion' for white noise without mask, else 'gibbs'), 'diffusion', 'gibbs', 'pcn' or
   * 'langevin' (the earlier plain annealed Langevin). */
  sampler?: HybridSampler;
  /** σ ladder: from sigmaMax to sigmaMin in `levels` geometric steps (pcn defaults 0.15, 0.005, 8; langevin
   * 0.25, 0.005, 30). */
  sigmaMax?: number;
  sigmaMin?: number;
  levels?: number;
  /** Steps per level (pcn default 3, langevin 10); pcn runs `finalSteps` at the last level (default 4×). */
  stepsPerLevel?: number;
  finalSteps?: number;
  stepRatio?: number;
  /** pcn: δ (default 1), samples kept per chain at the last level (default 1) and steps between them (2). */
  delta?: number;
  samplesPerChain?: number;
  thin?: number;
  /** gibbs: data-augmentation sweeps per chain (default 8). */
  sweeps?: number;
  /** pcn: Metropolis–Hastings test (default true). */
  metropolis?: boolean;
  /** pcn: fold the residual's per-band curvature into the preconditioner at each level (default true). */
  adaptPreconditioner?: boolean;
}

export type HybridSampler = 'auto' | 'diffusion' | 'gibbs' | 'pcn' | 'langevin';
export const HYBRID_SAMPLERS: readonly HybridSampler[] = ['auto', 'diffusion', 'gibbs', 'pcn', 'langevin'];

export interface HybridResult {
  mean: Float64Array;
  std: Float64Array;
  samples: Float64Array[];
  sigmas: Float64Array;
  scoreEvaluations: number;
  /** pcn: Metropolis acceptance per level. */
  acceptance?: Float64Array;
  /** The sampler that ran ('auto' resolved). */
  sampler: Exclude<HybridSampler, 'auto'>;
}

/** Tempered likelihood score Pᵀ[(γ − Pκ)/(Σ + σ²)] (E mode; the model has no B mode). */
export function shearLikelihood(k: KsKernel, g1: ArrayLike<number>, g2: ArrayLike<number>, variance: ArrayLike<number>) {
  const n = k.rows * k.cols, r1 = new Float64Array(n), r2 = new Float64Array(n);
  return {
    score(x: Float64Array, sigma: number, out?: Float64Array): Float64Array {
      const m = shearFromKappa(k, x), s2 = sigma * sigma;
      for (let i = 0; i < n; i++) {
        const v = variance[i]!;
        const w = Number.isFinite(v) ? 1 / (v + s2) : 0;
        r1[i] = (g1[i]! - m.g1[i]!) * w;
        r2[i] = (g2[i]! - m.g2[i]!) * w;
      }
      const kE = ks93(k, r1, r2).kE;
      const o = out ?? new Float64Array(n);
      o.set(kE);
      return o;
    },
  };
}

/** The hybrid prior's batch score s_G + r_θ (r_θ optional). */
export function hybridPriorScore(gauss: GaussianKappaScore, residual: BatchScoreFn | null): BatchScoreFn {
  const d = gauss.rows * gauss.cols, g = new Float32Array(d);
  return async (x, sigma, chains) => {
    const out = residual ? await residual(x, sigma, chains) : new Float32Array(chains * d);
    for (let c = 0; c < chains; c++) {
      gauss.score(x.subarray(c * d, (c + 1) * d), sigma, g);
      for (let i = 0; i < d; i++) out[c * d + i] = out[c * d + i]! + g[i]!;
    }
    return out;
  };
}

export async function sampleHybrid(o: HybridSamplerOptions): Promise<HybridResult> {
  const which = o.sampler ?? 'auto', white = isWhite(o.variance);
  if (which === 'diffusion' && !white) throw new InputError('MASSMAP_SAMPLER', "hybrid sampler 'diffusion' needs white noise without a mask (equal variance in every pixel); use 'langevin' or 'pcn'", { option: 'sampler' });
  if (which === 'diffusion' || (which === 'auto' && white)) return sampleDiffusion(o);
  if (which === 'gibbs' || which === 'auto') return sampleGibbs(o);
  return which === 'pcn' ? samplePcn(o) : sampleLangevin(o);
}

/**
 * White noise, no mask: κ_KS = κ + σ_pix n is a σ_pix-noisy κ, so the posterior is sampled by the denoising
 * diffusion from κ_KS (src-core/score/denoise-diffusion.ts) with the prior score s_G + r_θ: σ from σ_pix down
 * to sigmaMin in `levels` geometric steps (default 8: 16 and 32 gave the same metrics, docs/massmap.md), then to 0. The transition covariance is the Gaussian part's,
 * (σ² − σ′²)(P_k + σ′²)/(P_k + σ²) per mode (mean mode fixed: unmeasured), so with r_θ = 0 every sample is an
 * exact Wiener posterior draw, and the chains' mean estimates the Tweedie mean of tweedieWhiteMean.
 */
/**
 * The diffusion's σ ladder from the data's noise σ0 down to sigmaMin. Noise already at or below sigmaMin (many
 * galaxies per pixel, or a noise-free simulated catalogue: σ_pix ≈ 0.002 on lenspack's catalogue at 0.29′) needs
 * no intermediate levels: one step from σ0 straight to 0, which is Tweedie's formula at σ0 plus the Gaussian
 * part's conditional noise, exact for r_θ = 0.
 */
export function diffusionLadder(sigma0: number, sigmaMin: number, levels: number): Float64Array {
  if (!(sigma0 > 0)) throw new InputError('MASSMAP_NOISE', `hybrid sampler: the pixel noise σ = ${sigma0} is not positive (shape noise σ_e = 0?); the diffusion needs noisy data`, { sigma: sigma0 });
  return sigma0 > sigmaMin ? geometricLadder(sigma0, sigmaMin, levels) : Float64Array.of(sigma0);
}

async function sampleDiffusion(o: HybridSamplerOptions, starts?: Float64Array[], tauIn?: number): Promise<HybridResult> {
  const k = o.kernel, D = k.rows * k.cols, P = o.modeVariance, tau = tauIn ?? o.variance[0]!;
  const sigmas = diffusionLadder(Math.sqrt(tau), o.sigmaMin ?? 0.003, o.levels ?? 8);
  const gauss = new GaussianKappaScore(k.rows, k.cols, P);
  const v = new Float64Array(D), zero = new Float64Array(D);
  let cached = { s: NaN, sn: NaN, g: null as FourierDiagonalGaussian | null };
  const res = await denoisingDiffusion({
    size: D, chains: starts?.length ?? o.chains * Math.max(1, o.samplesPerChain ?? 1), start: starts ?? ks93(k, o.g1, o.g2).kE, sigmas, rng: o.rng,
    score: hybridPriorScore(gauss, o.residual),
    transitionNoise: (s, sn, rng, out) => {
      if (cached.s !== s || cached.sn !== sn) {
        const d2 = s * s - sn * sn;
        for (let i = 1; i < D; i++) v[i] = (d2 * (P[i]! + sn * sn)) / (P[i]! + s * s);
        cached = { s, sn, g: new FourierDiagonalGaussian(k.rows, k.cols, Float64Array.from(v), zero) };
      }
      cached.g!.sample(rng, out);
    },
    signal: o.signal, onProgress: o.onProgress,
  });
  return { ...summarize(res.samples, D, 0), samples: res.samples, sigmas, scoreEvaluations: res.scoreEvaluations, sampler: 'diffusion' };
}

/**
 * Masks and unequal noise: Gibbs sampling with data augmentation (Tanner & Wong 1987; the missing-data view of
 * the messenger field, Elsner & Wandelt 2013). Split each pixel's noise as white τ (the smallest variance)
 * plus the rest, Σ_i − τ, and add the latent complete shear γ̃ = Pκ + white(τ) on every pixel. Alternate
 *   γ̃_i | κ, γ_i ~ N([Pκ/τ + γ_i/(Σ_i − τ)] / [1/τ + 1/(Σ_i − τ)], 1/[1/τ + 1/(Σ_i − τ)])  (masked: N(Pκ, τ)),
 *   κ | γ̃: white noise, no mask — one denoising-diffusion draw from KS93(γ̃) (sampleDiffusion).
 * Both conditionals are exact for r_θ = 0 (and the second as exact as the diffusion otherwise), so the chain
 * targets the untempered posterior; it mixes at the rate of the fraction of information missing (masked
 * pixels, noisier pixels). `sweeps` (default 8) Gibbs sweeps per chain, the last `samplesPerChain` kept.
 */
async function sampleGibbs(o: HybridSamplerOptions): Promise<HybridResult> {
  const k = o.kernel, D = k.rows * k.cols, V = o.variance, B = o.chains;
  const sweeps = Math.max(1, o.sweeps ?? 8), K = Math.min(sweeps, Math.max(1, o.samplesPerChain ?? 1));
  let tau = Infinity;
  for (let i = 0; i < D; i++) if (Number.isFinite(V[i]!) && V[i]! < tau) tau = V[i]!;
  if (!(tau > 0 && Number.isFinite(tau))) throw new InputError('MASSMAP_EMPTY', 'hybrid sampler: every pixel is masked (no galaxies on the grid)', {});
  let kappas: Float64Array[] = Array.from({ length: B }, () => new Float64Array(D));
  const kept: Float64Array[] = [], t1 = new Float64Array(D), t2 = new Float64Array(D);
  let evals = 0, sigmas: Float64Array = new Float64Array(0);
  for (let s = 0; s < sweeps; s++) {
    const starts = kappas.map((x) => {
      const m = shearFromKappa(k, x);
      for (let i = 0; i < D; i++) {
        const v = V[i]!;
        if (!Number.isFinite(v)) {
          t1[i] = m.g1[i]! + Math.sqrt(tau) * o.rng.normal();
          t2[i] = m.g2[i]! + Math.sqrt(tau) * o.rng.normal();
        } else if (v - tau <= tau * 1e-12) {
          t1[i] = o.g1[i]!;
          t2[i] = o.g2[i]!;
        } else {
          const prec = 1 / tau + 1 / (v - tau), sd = Math.sqrt(1 / prec);
          t1[i] = (m.g1[i]! / tau + o.g1[i]! / (v - tau)) / prec + sd * o.rng.normal();
          t2[i] = (m.g2[i]! / tau + o.g2[i]! / (v - tau)) / prec + sd * o.rng.normal();
        }
      }
      return ks93(k, t1, t2).kE;
    });
    const r = await sampleDiffusion({ ...o, onProgress: undefined }, starts, tau);
    evals += r.scoreEvaluations;
    sigmas = r.sigmas;
    kappas = r.samples;
    if (s >= sweeps - K) kept.push(...kappas.map((x) => Float64Array.from(x)));
    o.onProgress?.(s + 1, sweeps);
  }
  return { ...summarize(kept, D, 0), samples: kept, sigmas, scoreEvaluations: evals, sampler: 'gibbs' };
}

/** Zero-mean samples (the mean of κ is not measured: mass-sheet degeneracy), their mean and std, the std
 * corrected by the pixel variance the last level adds to the target (`excess`). */
function summarize(samples: Float64Array[], D: number, excess: number): { mean: Float64Array; std: Float64Array } {
  for (const s of samples) {
    let m = 0;
    for (let i = 0; i < D; i++) m += s[i]! / D;
    for (let i = 0; i < D; i++) s[i] = s[i]! - m;
  }
  const B = samples.length, mean = new Float64Array(D), std = new Float64Array(D);
  for (const s of samples) for (let i = 0; i < D; i++) mean[i] = mean[i]! + s[i]! / B;
  for (const s of samples) for (let i = 0; i < D; i++) std[i] = std[i]! + (s[i]! - mean[i]!) ** 2 / Math.max(1, B - 1);
  for (let i = 0; i < D; i++) std[i] = Math.sqrt(Math.max(0, std[i]! - excess));
  return { mean, std };
}

async function samplePcn(o: HybridSamplerOptions): Promise<HybridResult> {
  const k = o.kernel, D = k.rows * k.cols;
  const sigmas = geometricLadder(o.sigmaMax ?? 0.15, o.sigmaMin ?? 0.005, o.levels ?? 8);
  const L = sigmas.length, T = o.stepsPerLevel ?? 3;
  const ref = hybridReference(k, o.g1, o.g2, o.variance, o.modeVariance);
  const residual = o.residual, adapt = residual !== null && (o.adaptPreconditioner ?? true);
  // the current level's reference mean and extra precision E (hybrid-curvature.ts); the drift adds E(x − m)
  let level: { mean: Float64Array; extra: Float64Array | null } = { mean: new Float64Array(D), extra: null };
  const corr = new Float64Array(D), xi = new Float64Array(D), re = new Float64Array(D), im = new Float64Array(D);
  const drift = residual || !ref.exact ? async (x: Float32Array, sigma: number, chains: number) => {
    const out = residual ? await residual(x, sigma, chains) : new Float32Array(chains * D);
    if (ref.exact && !level.extra) return out;
    for (let c = 0; c < chains; c++) {
      for (let i = 0; i < D; i++) xi[i] = x[c * D + i]!;
      if (!ref.exact) {
        ref.correction(xi, sigma, corr);
        for (let i = 0; i < D; i++) out[c * D + i] = out[c * D + i]! + corr[i]!;
      }
      const E = level.extra;
      if (E) {
        for (let i = 0; i < D; i++) { re[i] = xi[i]! - level.mean[i]!; im[i] = 0; }
        fft2(re, im, k.rows, k.cols, false);
        for (let i = 0; i < D; i++) { re[i] = re[i]! * E[i]!; im[i] = im[i]! * E[i]!; }
        fft2(re, im, k.rows, k.cols, true);
        for (let i = 0; i < D; i++) out[c * D + i] = out[c * D + i]! + re[i]! / D;
      }
    }
    return out;
  } : null;
  let curvatureEvaluations = 0;
  const res = await annealedPcnLangevin({
    size: D, chains: o.chains, sigmas, drift, rng: o.rng, delta: o.delta, metropolis: o.metropolis,
    reference: async (s, xs) => {
      let extra: Float64Array | null = null;
      if (adapt && xs.length) {
        extra = (await residualCurvature(k, residual!, xs[0]!, s, o.rng)).extra;
        curvatureEvaluations += 16;
      }
      const g = ref.at(s, extra ?? undefined);
      level = { mean: g.mean, extra };
      return g;
    },
    stepsPerLevel: Array.from({ length: L }, (_, l) => (l === L - 1 ? o.finalSteps ?? 4 * T : T)),
    samplesPerChain: o.samplesPerChain, thin: o.thin, signal: o.signal, onProgress: o.onProgress,
  });
  // The last level's Gaussian part has per-mode variance C_k(σ_L); the untempered posterior's is
  // P_k τ/(P_k + τ): their pixel-averaged difference is the variance the tempering adds (exact for r_θ = 0).
  const cL = ref.modeVariance(sigmas[L - 1]!);
  let excess = 0;
  for (let i = 1; i < D; i++) excess += (cL[i]! - (o.modeVariance[i]! * ref.tau) / (o.modeVariance[i]! + ref.tau)) / D;
  return { ...summarize(res.samples, D, excess), samples: res.samples, sigmas, scoreEvaluations: res.scoreEvaluations + curvatureEvaluations, acceptance: res.acceptance, sampler: 'pcn' };
}

async function sampleLangevin(o: HybridSamplerOptions): Promise<HybridResult> {
  const k = o.kernel, D = k.rows * k.cols;
  const sigmas = geometricLadder(o.sigmaMax ?? 0.25, o.sigmaMin ?? 0.005, o.levels ?? 30);
  const gauss = new GaussianKappaScore(k.rows, k.cols, o.modeVariance);
  const res = await annealedLangevinBatched({
    size: D, chains: o.chains, sigmas, stepsPerLevel: o.stepsPerLevel ?? 10, stepRatio: o.stepRatio ?? 1, tweedie: false, rng: o.rng,
    priorScore: hybridPriorScore(gauss, o.residual), likelihood: shearLikelihood(k, o.g1, o.g2, o.variance),
    signal: o.signal, onProgress: o.onProgress,
  });
  // the σ_L-smoothing is independent white noise of variance σ_L²
  return { ...summarize(res.samples, D, sigmas[sigmas.length - 1]! ** 2), samples: res.samples, sigmas, scoreEvaluations: res.scoreEvaluations, sampler: 'langevin' };
}

/**
 * The exact posterior mean for white noise without a mask, in one score evaluation. P is unitary, so the KS E
 * map is a sufficient statistic, κ_KS = κ + n with n white of variance σ_pix² (mass-mapping.md §5a), and
 * E[κ | γ] = κ_KS + σ_pix² ∇log p_σpix(κ_KS) (Tweedie's formula: Robbins 1956; Efron 2011). With r_θ = 0 it
 * is the Wiener filter exactly (κ + σ²s_G = P/(P + σ²)·κ̂), so this returns Wiener + σ_pix² r_θ(κ_KS, σ_pix):
 * the mean the chains estimate, without their Monte-Carlo error. Not valid with masks or unequal counts.
 */
export async function tweedieWhiteMean(k: KsKernel, g1: ArrayLike<number>, g2: ArrayLike<number>, sigma2: number, modeVariance: Float64Array, residual: BatchScoreFn | null): Promise<Float64Array> {
  const D = k.rows * k.cols, ks = ks93(k, g1, g2).kE, s = Math.sqrt(sigma2);
  const out = new Float64Array(D);
  new GaussianKappaScore(k.rows, k.cols, modeVariance).score(ks, s, out, sigma2);
  const r = residual ? await residual(Float32Array.from(ks), s, 1) : null;
  for (let i = 0; i < D; i++) out[i] = ks[i]! + out[i]! + (r ? sigma2 * r[i]! : 0);
  return out;
}
