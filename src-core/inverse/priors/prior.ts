// One interface for the priors of the inverse problems (learned-priors.md §9; DESIGN.md: "a learned
// prior is just another prior object whose gradient is a score"). φ(x) = −log p(x) + const.
// Units: x in data units; the score in 1/(data units); σ (the smoothing level of p_σ = p ∗ N(0, σ²I))
// in data units.
import type { LinearOperator, Shape } from '../operators/linear-operator';

export interface Prior {
  readonly name: string;
  readonly shape: Shape;
  /** log p(x) up to an additive constant (−φ(x)); absent for learned score priors (only ∇log p is known). */
  logDensity?(x: Float64Array): number;
  /**
   * ∇ log p_σ(x), the score of the prior smoothed by N(0, σ²I) (σ = 0: the prior itself). Absent for
   * non-smooth priors (TV, ℓ1), which sample through their prox (Moreau–Yosida) instead.
   */
  score?(x: Float64Array, sigma: number, out?: Float64Array): Float64Array;
  /** prox_{tφ}(v) = argmin_x ½‖x − v‖² + t φ(x). */
  prox?(v: Float64Array, t: number, out?: Float64Array): Float64Array;
}

/**
 * A prior φ(x) = Σ_g w_g ‖(Kx)_g‖₂ over groups g of analysis coefficients (TV: K = ∇, the 2-vector
 * of each pixel; ℓ1-starlet: K = W, single coefficients). Its Fenchel conjugate is the indicator of
 * {u : ‖u_g‖ ≤ w_g}, which is what Condat–Vũ needs (learned-priors.md §10).
 */
export interface AnalysisPrior extends Prior {
  readonly analysis: LinearOperator;
  /** Projects u (shape of K's output) in place onto {‖u_g‖ ≤ scale · w_g}. */
  projectDual(u: Float64Array, scale: number): void;
  /** φ(x) itself. */
  penalty(x: Float64Array): number;
  logDensity(x: Float64Array): number;
}
