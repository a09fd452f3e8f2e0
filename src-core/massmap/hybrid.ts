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
import { hybridReference } from './hybrid-reference';
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
  /** 'pcn' (default) or 'langevin' (the earlier plain annealed Langevin, for comparison). */
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
}

export type HybridSampler = 'pcn' | 'langevin';
export const HYBRID_SAMPLERS: readonly HybridSampler[] = ['pcn', 'langevin'];

export interface HybridResult {
  mean: Float64Array;
  std: Float64Array;
  samples: Float64Array[];
  sigmas: Float64Array;
  scoreEvaluations: number;
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
  return (o.sampler ?? 'pcn') === 'pcn' ? samplePcn(o) : sampleLangevin(o);
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
  const corr = new Float64Array(D);
  const residual = o.residual;
  const drift = residual || !ref.exact ? async (x: Float32Array, sigma: number, chains: number) => {
    const out = residual ? await residual(x, sigma, chains) : new Float32Array(chains * D);
    if (!ref.exact) {
      const xi = new Float64Array(D);
      for (let c = 0; c < chains; c++) {
        for (let i = 0; i < D; i++) xi[i] = x[c * D + i]!;
        ref.correction(xi, sigma, corr);
        for (let i = 0; i < D; i++) out[c * D + i] = out[c * D + i]! + corr[i]!;
      }
    }
    return out;
  } : null;
  const res = await annealedPcnLangevin({
    size: D, chains: o.chains, sigmas, reference: (s) => ref.at(s), drift, rng: o.rng, delta: o.delta,
    stepsPerLevel: Array.from({ length: L }, (_, l) => (l === L - 1 ? o.finalSteps ?? 4 * T : T)),
    samplesPerChain: o.samplesPerChain, thin: o.thin, signal: o.signal, onProgress: o.onProgress,
  });
  // The last level's Gaussian part has per-mode variance C_k(σ_L); the untempered posterior's is
  // P_k τ/(P_k + τ): their pixel-averaged difference is the variance the tempering adds (exact for r_θ = 0).
  const cL = ref.modeVariance(sigmas[L - 1]!);
  let excess = 0;
  for (let i = 1; i < D; i++) excess += (cL[i]! - (o.modeVariance[i]! * ref.tau) / (o.modeVariance[i]! + ref.tau)) / D;
  return { ...summarize(res.samples, D, excess), samples: res.samples, sigmas, scoreEvaluations: res.scoreEvaluations };
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
  return { ...summarize(res.samples, D, sigmas[sigmas.length - 1]! ** 2), samples: res.samples, sigmas, scoreEvaluations: res.scoreEvaluations };
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
