// Annealed (tempered) HMC (Remy et al. 2020/2023, learned-priors.md §5) on a decreasing σ ladder: at
// each level σ_i, `stepsPerLevel` HMC transitions targeting π_σ (the σ-smoothed posterior, through
// its score), with n_L leapfrog steps of size δ_i = stepScale·σ_i (noise-dominated directions have
// precision ≤ 1/σ², and the tempered likelihood's ≤ 1/σ² too, so δ√λ_max ≤ √2·stepScale < 2: stable).
// Only the score is known, so the Metropolis test gets Δlog π from the line integral
// ∫₀¹ ∇log π(x + t(x′ − x))·(x′ − x) dt by Simpson's rule on 4 intervals (exact for a quadratic
// log π, i.e. a Gaussian; for a learned score it assumes the score is a gradient field).
// Differences from Remy et al.'s code: a fixed ladder instead of replica-swap σ proposals, and the
// optional final Tweedie step instead of the probability-flow ODE. Leapfrog and momentum draws are
// src-core/infer's (Neal 2011), with the unit metric.
import { hamiltonian, leapfrogStep } from '../../infer/leapfrog';
import { sampleMomentum } from '../../infer/metric';
import { makePoint, type PhasePoint } from '../../infer/types';
import { zigguratNormal } from '../../lens/ziggurat';
import type { Rng } from '../../rng';
import type { SamplerResult } from './annealed-langevin';
import type { ScoreFn } from './posterior-score';
import { checkCancelled, type RunControl } from './run-control';
import { summarizeSamples } from './summary';

export interface AnnealedHmcOptions extends RunControl {
  score: ScoreFn;
  size: number;
  chains: number;
  sigmas: Float64Array;
  /** HMC transitions per level (default 2). */
  stepsPerLevel?: number;
  /** Leapfrog steps per transition (default 5). */
  leapfrogSteps?: number;
  /** δ_i = stepScale·σ_i (default 0.7). */
  stepScale?: number;
  tweedie?: boolean;
  start?: Float64Array;
  rng: Rng;
  intervalLevels?: number[];
}

export interface HmcResult extends SamplerResult {
  /** Mean Metropolis acceptance probability per level. */
  acceptance: Float64Array;
}

/** Simpson's rule (4 intervals) for log π(x1) − log π(x0) from the score; g0, g1 the scores at the ends. */
export function logDensityDifference(
  score: ScoreFn, sigma: number, x0: Float64Array, x1: Float64Array, g0: Float64Array, g1: Float64Array,
  tmp: Float64Array, gt: Float64Array,
): number {
  const n = x0.length;
  let d0 = 0, d1 = 0;
  for (let i = 0; i < n; i++) {
    const dx = x1[i]! - x0[i]!;
    d0 += g0[i]! * dx;
    d1 += g1[i]! * dx;
  }
  const inner = [0.25, 0.5, 0.75].map((t) => {
    for (let i = 0; i < n; i++) tmp[i] = x0[i]! + t * (x1[i]! - x0[i]!);
    score(tmp, sigma, gt);
    let d = 0;
    for (let i = 0; i < n; i++) d += gt[i]! * (x1[i]! - x0[i]!);
    return d;
  });
  // Composite Simpson, h = 1/4: (h/3)[f0 + 4f1 + 2f2 + 4f3 + f4].
  return (d0 + 4 * inner[0]! + 2 * inner[1]! + 4 * inner[2]! + d1) / 12;
}

export function annealedHmc(o: AnnealedHmcOptions): HmcResult {
  const S = o.stepsPerLevel ?? 2, nL = o.leapfrogSteps ?? 5, scale = o.stepScale ?? 0.7;
  const n = o.size;
  const invMass = new Float64Array(n).fill(1);
  const xs = Array.from({ length: o.chains }, () => Float64Array.from({ length: n }, (_, i) => (o.start ? o.start[i]! : 0) + o.sigmas[0]! * zigguratNormal(o.rng)));
  const z: PhasePoint = makePoint(n);
  const g0 = new Float64Array(n), tmp = new Float64Array(n), gt = new Float64Array(n);
  const acceptance = new Float64Array(o.sigmas.length);
  let evals = 0;
  for (let l = 0; l < o.sigmas.length; l++) {
    checkCancelled(o.signal, 'annealed HMC', l);
    const sigma = o.sigmas[l]!, delta = scale * sigma;
    // leapfrogStep wants log π with its gradient; only the gradient (the score) is used here, the
    // energy difference comes from the line integral below.
    const grad = (q: Float64Array, out: Float64Array) => {
      o.score(q, sigma, out);
      evals++;
      return 0;
    };
    let acc = 0;
    for (const x of xs) {
      o.score(x, sigma, g0);
      evals++;
      for (let s = 0; s < S; s++) {
        z.q.set(x);
        z.grad.set(g0);
        z.logDensity = 0;
        sampleMomentum(o.rng, invMass, z.p);
        const k0 = hamiltonian(z, invMass);
        for (let t = 0; t < nL; t++) leapfrogStep(z, delta, invMass, grad);
        const k1 = hamiltonian(z, invMass);
        const dLogPi = logDensityDifference(o.score, sigma, x, z.q, g0, z.grad, tmp, gt);
        evals += 3;
        // H = −log π + K, with log π(x) taken as 0: k0, k1 are the kinetic energies.
        const logA = dLogPi - (k1 - k0);
        const pAcc = Number.isFinite(logA) ? Math.min(1, Math.exp(logA)) : 0;
        acc += pAcc;
        if (o.rng.uniform() < pAcc) {
          x.set(z.q);
          g0.set(z.grad);
        }
      }
    }
    acceptance[l] = acc / (S * o.chains);
    o.onProgress?.(l + 1, o.sigmas.length);
  }
  if (o.tweedie ?? true) {
    const sL = o.sigmas[o.sigmas.length - 1]!;
    for (const x of xs) {
      o.score(x, sL, g0);
      for (let i = 0; i < n; i++) x[i] = x[i]! + sL * sL * g0[i]!;
    }
    evals += o.chains;
  }
  return { samples: xs, scoreEvaluations: evals, acceptance, ...summarizeSamples(xs, o.intervalLevels) };
}
