// A score for non-smooth priors (TV, ℓ1-starlet) through the Moreau–Yosida envelope
// (Durmus, Moulines & Pereyra 2018, MYULA; learned-priors.md §9): φ^λ(x) = min_z φ(z) + ‖x − z‖²/(2λ)
// is smooth with ∇φ^λ(x) = (x − prox_{λφ}(x))/λ. We use λ = max(σ², λ_min) at level σ, so the annealed
// samplers and score-ascent MAP run unchanged on any prox-able prior. For a Gaussian prior the
// envelope with λ = σ² is exactly the σ-smoothed prior (both give (C + σ²I)⁻¹), which is the test;
// for other priors it is an approximation of p_σ (exact as σ → 0 only through λ_min → 0).
import { InputError } from '../../errors';
import type { Prior } from './prior';

export class MoreauYosidaPrior implements Prior {
  readonly name: string;
  readonly shape: readonly number[];
  private readonly baseProx: NonNullable<Prior['prox']>;
  private p = new Float64Array(0);

  /** lambdaMin: the smallest envelope parameter (data units²), used when σ² is below it. */
  constructor(private readonly base: Prior, private readonly lambdaMin: number) {
    if (!base.prox) throw new InputError('PRIOR_NO_PROX', `prior '${base.name}' has no prox, so no Moreau–Yosida envelope`, { prior: base.name });
    if (!(lambdaMin > 0)) throw new InputError('PRIOR_WEIGHT', `Moreau–Yosida λ_min must be > 0, got ${lambdaMin}`, { lambdaMin });
    this.baseProx = base.prox.bind(base);
    this.name = `moreau-yosida:${base.name}`;
    this.shape = base.shape;
  }

  logDensity(x: Float64Array): number {
    if (!this.base.logDensity) return Number.NaN;
    return this.base.logDensity(x);
  }

  /** −(x − prox_{λφ}(x))/λ with λ = max(σ², λ_min). */
  score(x: Float64Array, sigma: number, out?: Float64Array): Float64Array {
    const lambda = Math.max(sigma * sigma, this.lambdaMin);
    if (this.p.length !== x.length) this.p = new Float64Array(x.length);
    this.baseProx(x, lambda, this.p);
    const o = out ?? new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) o[i] = -(x[i]! - this.p[i]!) / lambda;
    return o;
  }
}
