// The smooth part f of a MAP objective min f(x) + g(x) [+ h(Kx)], with its gradient.
import type { Likelihood } from './likelihood';

export interface SmoothTerm {
  value(x: Float64Array): number;
  /** out ← ∇f(x). */
  gradient(x: Float64Array, out: Float64Array): void;
}

/** Data fidelity f(x) = −log p(y | x) = ½‖y − Ax‖²_Σ⁻¹, ∇f = −AᵀΣ⁻¹(y − Ax). */
export function dataFidelity(lik: Likelihood): SmoothTerm {
  return {
    value: (x) => -lik.logLikelihood(x),
    gradient: (x, out) => {
      lik.score(x, 0, out);
      for (let i = 0; i < out.length; i++) out[i] = -out[i]!;
    },
  };
}

/** Relative change ‖x − x_prev‖/‖x‖ (the stated stopping rule of the optimisers; learned-priors.md §10). */
export function relativeChange(x: Float64Array, prev: Float64Array): number {
  let d = 0, s = 0;
  for (let i = 0; i < x.length; i++) {
    d += (x[i]! - prev[i]!) ** 2;
    s += x[i]! ** 2;
  }
  return Math.sqrt(d) / Math.max(Math.sqrt(s), 1e-300);
}
