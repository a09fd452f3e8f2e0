// Cartesian (Gauss–Hermite) shapelets for the extended lens model's source (issue 18: "a source with more
// structure"): Refregier 2003 (MNRAS 338, 35) §2, the basis lenstronomy's SHAPELETS source uses.
//   φ_n(x) = [2ⁿ √π n!]^{-1/2} H_n(x) e^{-x²/2}   (eq. 1; orthonormal on the line)
//   B_{n1,n2}(x, y; β) = φ_{n1}(x/β) φ_{n2}(y/β)   (eq. 16 without its 1/β factor: the model's amplitudes are then
//                                                   surface brightnesses in e⁻/pixel, like the Sérsic's at r_e)
// with orders n1 + n2 ≤ n_max: (n_max + 1)(n_max + 2)/2 functions. The span of the orders ≤ n_max is closed under
// rotation (a rotation mixes only functions of equal n1 + n2; Refregier 2003 §3.2), so the basis needs no angle.
// It extends to r ≈ β √(n_max + 1) and resolves scales down to β / √(n_max + 1) (Refregier 2003 §2.2).
// Values by the three-term recursion φ_{n+1} = √(2/(n+1)) x φ_n − √(n/(n+1)) φ_{n−1}, derivatives by
// φ_n′ = √(2n) φ_{n−1} − x φ_n (from H_n′ = 2n H_{n−1}).

import { InputError } from '../errors';

/** The shapelet scale β per Sérsic r_e of the source: β = r_e. The zeroth shapelet, a circular Gaussian
 * exp(−r²/2β²), then has half-light radius √(2 ln 2) β = 1.18 r_e, the Sérsic's own size, so the basis covers
 * the source (to ≈ 2.2 r_e at n_max = 4) and resolves its structure down to ≈ 0.45 r_e, and no parameter is added. */
export const SHAPELET_BETA_PER_RE = 1;

/** Beyond r = 10 (u² + v² > 100) every φ_{n1}(u) φ_{n2}(v) is below 1e-11 of its peak for n1 + n2 ≤ 12 (1e-18 for
 * n_max = 4): skipped. */
const CUTOFF2 = 100;

export const PI_M14 = Math.pow(Math.PI, -0.25);

export class ShapeletBasis {
  /** Number of functions, and (n1, n2) of each, ordered by n1 + n2, then by n1 descending. */
  readonly count: number;
  readonly n1: Int32Array;
  readonly n2: Int32Array;
  /** φ_n(u), φ_n(v) and their derivatives at the last `at` (length n_max + 1). */
  readonly pu: Float64Array;
  readonly pv: Float64Array;
  readonly du: Float64Array;
  readonly dv: Float64Array;

  constructor(readonly nMax: number) {
    if (!Number.isInteger(nMax) || nMax < 0 || nMax > 12)
      throw new InputError('INPUT_INVALID', `shapelet order n_max must be an integer in [0, 12], got ${nMax}`, { field: 'shapelets' });
    this.count = ((nMax + 1) * (nMax + 2)) / 2;
    this.n1 = new Int32Array(this.count);
    this.n2 = new Int32Array(this.count);
    let k = 0;
    for (let N = 0; N <= nMax; N++)
      for (let a = N; a >= 0; a--) {
        this.n1[k] = a;
        this.n2[k] = N - a;
        k++;
      }
    this.pu = new Float64Array(nMax + 1);
    this.pv = new Float64Array(nMax + 1);
    this.du = new Float64Array(nMax + 1);
    this.dv = new Float64Array(nMax + 1);
  }

  /** φ_n and φ_n′ at u and at v (n ≤ n_max); false (nothing written) where u² + v² is beyond the cut-off. */
  at(u: number, v: number, derivatives = false): boolean {
    if (u * u + v * v > CUTOFF2) return false;
    hermiteFunctions(u, this.pu, derivatives ? this.du : null);
    hermiteFunctions(v, this.pv, derivatives ? this.dv : null);
    return true;
  }
}

/** φ_0…φ_N at x into p (N = p.length − 1), and φ_n′ into d when given. */
export function hermiteFunctions(x: number, p: Float64Array, d: Float64Array | null): void {
  const N = p.length - 1;
  p[0] = PI_M14 * Math.exp(-0.5 * x * x);
  if (N >= 1) p[1] = Math.SQRT2 * x * p[0]!;
  for (let n = 1; n < N; n++) p[n + 1] = Math.sqrt(2 / (n + 1)) * x * p[n]! - Math.sqrt(n / (n + 1)) * p[n - 1]!;
  if (d) {
    d[0] = -x * p[0]!;
    for (let n = 1; n <= N; n++) d[n] = Math.sqrt(2 * n) * p[n - 1]! - x * p[n]!;
  }
}

/**
 * Adds every shapelet B_k at the source-plane positions (bx, by) of the sub-pixels, centred on (x0, y0) with scale
 * β, into out (count × side² pre-PSF planes, plane k at k·side²): out_k[pix] += wt · B_k / area, i.e. each pixel
 * gets the mean of B_k over its sub-pixels (as the Sérsic templates of lens-model.ts).
 */
export function addShapelets(
  basis: ShapeletBasis, bx: Float64Array, by: Float64Array, count: number, pix: Int32Array, wt: Float64Array, area: number,
  x0: number, y0: number, beta: number, out: Float64Array, plane: number,
): void {
  const { n1, n2, pu, pv } = basis;
  const inv = 1 / beta;
  for (let s = 0; s < count; s++) {
    if (!basis.at((bx[s]! - x0) * inv, (by[s]! - y0) * inv)) continue;
    const f = wt[s]! / area, j = pix[s]!;
    for (let k = 0; k < basis.count; k++) out[k * plane + j] = out[k * plane + j]! + f * pu[n1[k]!]! * pv[n2[k]!]!;
  }
}

/**
 * Σ_k c_k ∂B_k/∂u and Σ_k c_k ∂B_k/∂v at (u, v) = (β − x0)/β_scale, for the analytic gradient (lens-gradient-ext.ts);
 * [0, 0] beyond the cut-off. Writes into out[0], out[1].
 */
export function shapeletGradient(basis: ShapeletBasis, u: number, v: number, c: ArrayLike<number>, out: Float64Array): void {
  out[0] = out[1] = 0;
  if (!basis.at(u, v, true)) return;
  const { n1, n2, pu, pv, du, dv } = basis;
  let gu = 0, gv = 0;
  for (let k = 0; k < basis.count; k++) {
    const ck = c[k]!;
    if (ck === 0) continue;
    gu += ck * du[n1[k]!]! * pv[n2[k]!]!;
    gv += ck * pu[n1[k]!]! * dv[n2[k]!]!;
  }
  out[0] = gu;
  out[1] = gv;
}
