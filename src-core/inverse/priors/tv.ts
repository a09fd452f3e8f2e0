// Isotropic total variation prior (Rudin, Osher & Fatemi 1992; learned-priors.md §9):
// φ(x) = λ Σ_{i,j} √((∇x)¹² + (∇x)²²), forward differences with a Neumann boundary
// (operators/gradient.ts), per image plane. p(x) ∝ exp(−φ(x)); no score (TV is not smooth), a prox by
// FGP on the dual (dual-prox.ts, τ = 1/8 since ‖∇‖² ≤ 8).
import { InputError } from '../../errors';
import { gradientOperator } from '../operators/gradient';
import type { LinearOperator, Shape } from '../operators/linear-operator';
import { dualProx } from './dual-prox';
import type { AnalysisPrior } from './prior';

export interface TvOptions {
  rows: number;
  cols: number;
  /** Weight λ > 0 (1/data units). */
  lambda: number;
  /** Dual iterations per prox (default 200) and relative-change tolerance (default 1e-7). */
  proxIter?: number;
  proxTol?: number;
}

export class TotalVariationPrior implements AnalysisPrior {
  readonly name = 'tv';
  readonly shape: Shape;
  readonly analysis: LinearOperator;
  readonly lambda: number;
  private readonly n: number;
  private readonly o: TvOptions;

  constructor(o: TvOptions) {
    if (!(o.lambda > 0)) throw new InputError('PRIOR_WEIGHT', `TV weight λ must be > 0, got ${o.lambda}`, { lambda: o.lambda });
    this.o = o;
    this.shape = [o.rows, o.cols];
    this.analysis = gradientOperator(o.rows, o.cols);
    this.lambda = o.lambda;
    this.n = o.rows * o.cols;
  }

  penalty(x: Float64Array): number {
    const g = this.analysis.apply(x);
    let s = 0;
    for (let i = 0; i < this.n; i++) s += Math.hypot(g[i]!, g[this.n + i]!);
    return this.lambda * s;
  }

  logDensity(x: Float64Array): number {
    return -this.penalty(x);
  }

  /** Each pixel's dual 2-vector onto the disc of radius scale·λ. */
  projectDual(u: Float64Array, scale: number): void {
    const r = scale * this.lambda;
    for (let i = 0; i < this.n; i++) {
      const a = Math.hypot(u[i]!, u[this.n + i]!);
      if (a > r) {
        const f = r / a;
        u[i] = u[i]! * f;
        u[this.n + i] = u[this.n + i]! * f;
      }
    }
  }

  prox(v: Float64Array, t: number, out?: Float64Array): Float64Array {
    return dualProx(this, v, t, { tau: 1 / 8, maxIter: this.o.proxIter, tol: this.o.proxTol }, out);
  }
}
