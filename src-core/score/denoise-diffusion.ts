// Posterior sampling for *denoising* (y = x + σ_0 ε, ε white) by running the noising process backwards from
// the observation itself. y is distributed as the σ_0-smoothed prior p_σ0, and x_σ = x + σ ε is Markov in σ,
// so the chain of conditionals x_σ0 = y → x_σ1 → … → x_0 ends in an exact draw of p(x | y) (e.g. Kadkhodaie &
// Simoncelli 2021 use the same fact with a blind denoiser). Each conditional is, by Tweedie's formula
// (learned-priors.md §2) for the σ′-smoothed prior observed with noise variance σ² − σ′²,
//   E[x_σ′ | x_σ] = x_σ + (σ² − σ′²) ∇log p_σ(x_σ)   (exact for any prior),
//   Cov[x_σ′ | x_σ] = (σ² − σ′²) [I + (σ² − σ′²) ∇²log p_σ(x_σ)],
// and the caller supplies a covariance model for the second line (for the hybrid κ prior: the Gaussian
// part's, (σ² − σ′²)(P_k + σ′²)/(P_k + σ²) per Fourier mode, exact when the learned residual is 0; the
// residual's Hessian enters only at order (σ² − σ′²)², so the error shrinks with finer ladders). The last step
// goes to σ′ = 0: the samples carry no leftover smoothing noise. For mass maps with white shape noise and no
// mask, κ_KS = κ + σ_pix n (mass-mapping.md §5a), so this samples the hybrid posterior from κ_KS with the prior
// score alone — no likelihood tempering, and every step is a contraction (its mean step has Δσ² < σ² while a
// valid score's Hessian is ≥ −1/σ²), so it cannot diverge the way annealed Langevin/pCN steps can.
import type { Rng } from '../rng';
import { checkCancelled, type RunControl } from '../inverse/solvers/run-control';
import type { BatchScoreFn } from './batched-langevin';

export interface DenoisingDiffusionOptions extends RunControl {
  size: number;
  chains: number;
  /** The observation, noisy at sigmas[0] (one for all chains, or one per chain). */
  start: Float64Array | readonly Float64Array[];
  /** Decreasing σ ladder starting at the observation's noise level; a final step to σ = 0 is added. */
  sigmas: Float64Array;
  /** Prior score ∇log p_σ for `chains` images packed chains × D. */
  score: BatchScoreFn;
  /** A draw of N(0, Cov[x_σ′ | x_σ]) (the covariance model) into out. */
  transitionNoise: (sigma: number, sigmaNext: number, rng: Rng, out: Float64Array) => void;
  rng: Rng;
}

export async function denoisingDiffusion(o: DenoisingDiffusionOptions): Promise<{ samples: Float64Array[]; scoreEvaluations: number }> {
  const D = o.size, B = o.chains, L = o.sigmas.length;
  const xs = Array.from({ length: B }, (_, k) => Float64Array.from(o.start instanceof Float64Array ? o.start : o.start[k]!));
  const packed = new Float32Array(B * D), w = new Float64Array(D);
  let evals = 0;
  for (let l = 0; l < L; l++) {
    checkCancelled(o.signal, 'denoising diffusion', l);
    const s = o.sigmas[l]!, sn = l + 1 < L ? o.sigmas[l + 1]! : 0, d2 = s * s - sn * sn;
    for (let k = 0; k < B; k++) packed.set(xs[k]!, k * D);
    const g = await o.score(packed, s, B);
    evals += B;
    for (let k = 0; k < B; k++) {
      const x = xs[k]!;
      o.transitionNoise(s, sn, o.rng, w);
      for (let i = 0; i < D; i++) x[i] = x[i]! + d2 * g[k * D + i]! + w[i]!;
    }
    o.onProgress?.(l + 1, L);
  }
  return { samples: xs, scoreEvaluations: evals };
}
