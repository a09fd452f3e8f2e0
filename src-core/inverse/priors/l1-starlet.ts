// ℓ1 prior on starlet coefficients (Starck, Fadili & Murtagh 2007; learned-priors.md §9), analysis
// form: φ(x) = Σ_{j=1..J} Σ_i t_j |w_j(x)_i|, the coarse scale c_J not penalised. Thresholds
// t_j = k·σ_n·σ_j with σ_j the white-noise level of scale j (starletNoiseLevels) are the usual choice.
// The transform is redundant, so "threshold, then sum" is NOT this prior's prox: the prox is computed
// on the dual (dual-prox.ts, τ = 1 since ‖W‖² = 1); Condat–Vũ uses the dual projection directly
// (clip to [−t_j, t_j]). softThreshold is the exact prox of the synthesis form (penalty on the
// coefficients themselves, x = Σ_j w_j + c_J), which FISTA can run on the coefficients.
import { InputError } from '../../errors';
import type { LinearOperator, Shape } from '../operators/linear-operator';
import { starletOperator } from '../operators/starlet';
import { dualProx } from './dual-prox';
import type { AnalysisPrior } from './prior';

export interface L1StarletOptions {
  rows: number;
  cols: number;
  scales: number;
  /** t_j ≥ 0 for j = 1 … J (1/data units after multiplying |w|: i.e. the weight of each |w_j|). */
  thresholds: ArrayLike<number>;
  proxIter?: number;
  proxTol?: number;
}

export class L1StarletPrior implements AnalysisPrior {
  readonly name = 'l1-starlet';
  readonly shape: Shape;
  readonly analysis: LinearOperator;
  /** Weight per analysis band: t_1 … t_J, then 0 for the coarse scale. */
  readonly weights: Float64Array;
  private readonly n: number;
  private readonly o: L1StarletOptions;

  constructor(o: L1StarletOptions) {
    if (o.thresholds.length !== o.scales) {
      throw new InputError('PRIOR_WEIGHT', `ℓ1-starlet: ${o.thresholds.length} thresholds for ${o.scales} scales`, { thresholds: o.thresholds.length, scales: o.scales });
    }
    this.o = o;
    this.shape = [o.rows, o.cols];
    this.analysis = starletOperator(o.rows, o.cols, o.scales);
    this.weights = new Float64Array(o.scales + 1);
    for (let j = 0; j < o.scales; j++) {
      if (!(o.thresholds[j]! >= 0)) throw new InputError('PRIOR_WEIGHT', `ℓ1-starlet: threshold ${j + 1} is ${o.thresholds[j]}`, { scale: j + 1 });
      this.weights[j] = o.thresholds[j]!;
    }
    this.n = o.rows * o.cols;
  }

  penalty(x: Float64Array): number {
    const w = this.analysis.apply(x);
    let s = 0;
    for (let b = 0; b < this.weights.length; b++) {
      const t = this.weights[b]!;
      if (t === 0) continue;
      for (let i = 0; i < this.n; i++) s += t * Math.abs(w[b * this.n + i]!);
    }
    return s;
  }

  logDensity(x: Float64Array): number {
    return -this.penalty(x);
  }

  projectDual(u: Float64Array, scale: number): void {
    for (let b = 0; b < this.weights.length; b++) {
      const r = scale * this.weights[b]!;
      for (let i = b * this.n; i < (b + 1) * this.n; i++) u[i] = Math.min(r, Math.max(-r, u[i]!));
    }
  }

  prox(v: Float64Array, t: number, out?: Float64Array): Float64Array {
    return dualProx(this, v, t, { tau: 1, maxIter: this.o.proxIter, tol: this.o.proxTol }, out);
  }
}

/** S_t(w) = sign(w) max(|w| − t, 0), in place, with one threshold per band of `bandSize` values. */
export function softThreshold(w: Float64Array, thresholds: ArrayLike<number>, bandSize: number): Float64Array {
  for (let b = 0; b < thresholds.length; b++) {
    const t = thresholds[b]!;
    for (let i = b * bandSize; i < (b + 1) * bandSize; i++) {
      const a = Math.abs(w[i]!) - t;
      w[i] = a > 0 ? Math.sign(w[i]!) * a : 0;
    }
  }
  return w;
}
