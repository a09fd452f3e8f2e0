// Annealed, preconditioned Crank–Nicolson Langevin ("pCNL"; Cotter, Roberts, Stuart & White 2013, Stat. Sci.
// 28, 424, §4.3; Beskos et al. 2008 "∞-MALA") for a target that is a known Gaussian times a learned factor,
//   π_σ(x) ∝ N(x; m_σ, C_σ) · exp Φ_σ(x),
// at each level σ of a decreasing ladder — e.g. the hybrid prior of Remy et al. (2020): the Gaussian part's
// posterior (diagonal in Fourier for white noise without mask) times the learned residual. One step
// (u = x − m_σ, g = ∇Φ_σ(x), w ~ N(0, C_σ)):
//   u′ = [(2 − δ) u + 2δ C_σ g + √(8δ) w] / (2 + δ).
// For Φ = 0 this is an exact autoregression u′ = ρu + √(1 − ρ²) w, ρ = (2 − δ)/(2 + δ), that leaves
// N(m_σ, C_σ) invariant for every δ: the Gaussian part is sampled without discretisation bias and every mode
// relaxes at the same rate, however much its posterior std exceeds σ — the failure of plain annealed Langevin
// with α = σ² (docs/massmap.md, "Diagnosis"). Φ enters as a drift preconditioned by C_σ; there is no
// Metropolis test (only the score of the learned part is known), so its bias is O(δ) in Φ's curvature.
// Chains start from a draw of N(m_1, C_1) (for white noise: a Wiener constrained realisation at level σ_1,
// Hoffman & Ribak 1991) or from given images, and at the last level a chain may yield several samples
// (`samplesPerChain` draws `thin` steps apart, after the level's steps).
// src-core stays pure: the learned part is an injected async batch function (one network call per step
// for all chains, batched-langevin.ts), the Gaussian part an injected operator set.
import type { Rng } from '../rng';
import { checkCancelled, type RunControl } from '../inverse/solvers/run-control';
import type { BatchScoreFn } from './batched-langevin';

/** N(mean, C) with C applied as an operator (e.g. a Fourier multiplier). */
export interface GaussianReference {
  mean: Float64Array;
  /** out = C x. */
  applyC(x: Float64Array, out: Float64Array): void;
  /** out = a draw of N(0, C). */
  sample(rng: Rng, out: Float64Array): void;
}

export interface PcnLangevinOptions extends RunControl {
  size: number;
  chains: number;
  /** Decreasing σ ladder. */
  sigmas: Float64Array;
  /** The Gaussian factor at level σ (called once per level). */
  reference: (sigma: number) => GaussianReference;
  /** ∇Φ_σ for `chains` images packed chains × D; null: Φ = 0 (the Gaussian alone). */
  drift: BatchScoreFn | null;
  /** Steps per level: a number, or one per level (e.g. more at low σ). Default 4. */
  stepsPerLevel?: number | readonly number[];
  /** δ ∈ (0, 2] (default 1: ρ = 1/3). */
  delta?: number;
  /** Samples kept per chain at the last level (default 1: the chain's end). */
  samplesPerChain?: number;
  /** Steps between kept samples at the last level (default 2). */
  thin?: number;
  /** One start image per chain instead of a draw from the first level's reference. */
  starts?: readonly Float64Array[];
  rng: Rng;
}

export interface PcnLangevinResult {
  /** chains × samplesPerChain samples, chain-major. */
  samples: Float64Array[];
  /** Drift (network) evaluations, all chains. */
  scoreEvaluations: number;
}

export async function annealedPcnLangevin(o: PcnLangevinOptions): Promise<PcnLangevinResult> {
  const D = o.size, B = o.chains, L = o.sigmas.length, delta = o.delta ?? 1;
  if (!(delta > 0 && delta <= 2)) throw new Error(`annealedPcnLangevin: δ must be in (0, 2], got ${delta}`);
  if (o.starts && o.starts.length !== B) throw new Error(`annealedPcnLangevin: ${o.starts.length} start images for ${B} chains`);
  const K = Math.max(1, o.samplesPerChain ?? 1), thin = Math.max(1, o.thin ?? 2);
  const steps = (l: number) => (typeof o.stepsPerLevel === 'number' || o.stepsPerLevel === undefined ? o.stepsPerLevel ?? 4 : o.stepsPerLevel[l] ?? 4);
  const a = (2 - delta) / (2 + delta), b = (2 * delta) / (2 + delta), c = Math.sqrt(8 * delta) / (2 + delta);
  let ref = o.reference(o.sigmas[0]!);
  const xs = Array.from({ length: B }, (_, k) => {
    const x = new Float64Array(D);
    if (o.starts) x.set(o.starts[k]!);
    else {
      ref.sample(o.rng, x);
      for (let i = 0; i < D; i++) x[i] = x[i]! + ref.mean[i]!;
    }
    return x;
  });
  const packed = new Float32Array(B * D), g = new Float64Array(D), cg = new Float64Array(D), w = new Float64Array(D);
  let evals = 0;
  const step = async (sigma: number) => {
    let drift: Float32Array | null = null;
    if (o.drift) {
      for (let k = 0; k < B; k++) packed.set(xs[k]!, k * D);
      drift = await o.drift(packed, sigma, B);
      evals += B;
    }
    for (let k = 0; k < B; k++) {
      const x = xs[k]!, m = ref.mean;
      if (drift) {
        for (let i = 0; i < D; i++) g[i] = drift[k * D + i]!;
        ref.applyC(g, cg);
      } else cg.fill(0);
      ref.sample(o.rng, w);
      for (let i = 0; i < D; i++) x[i] = m[i]! + a * (x[i]! - m[i]!) + b * cg[i]! + c * w[i]!;
    }
  };
  const samples: Float64Array[][] = Array.from({ length: B }, () => []);
  for (let l = 0; l < L; l++) {
    checkCancelled(o.signal, 'annealed pCN Langevin', l);
    const sigma = o.sigmas[l]!;
    if (l > 0) ref = o.reference(sigma);
    for (let t = 0; t < steps(l); t++) await step(sigma);
    if (l === L - 1) {
      for (let s = 0; s < K; s++) {
        if (s > 0) for (let t = 0; t < thin; t++) await step(sigma);
        for (let k = 0; k < B; k++) samples[k]!.push(Float64Array.from(xs[k]!));
      }
    }
    o.onProgress?.(l + 1, L);
  }
  return { samples: samples.flat(), scoreEvaluations: evals };
}
