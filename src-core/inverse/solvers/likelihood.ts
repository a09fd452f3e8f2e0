// Gaussian likelihoods p(y | x) = N(y; A x, Σ) and their tempered scores at a smoothing level σ
// (learned-priors.md §4). ∇log p(y|x) = AᵀΣ⁻¹(y − Ax). At level σ the samplers target the smoothed
// posterior; the "convolved likelihood" N(y; Ax̃, Σ + σ²AAᵀ) is the approximation used here, because it
// tracks PSF-suppressed modes (the §4 Gaussian test: Σ + σ²I gives a 10 % mean error with a PSF).
//  - FourierDiagonalLikelihood: white noise and AᵀA = Fᴴ diag(h) F (identity, periodic PSF, masked
//    Fourier sampling). The data enter only through b = AᵀΣ⁻¹y and H = AᵀΣ⁻¹A, i.e. each mode is
//    observed with precision h_k; convolving with N(0, σ²) adds σ² to that variance:
//    score_σ = Fᴴ[(b̂_k − h_k x̂_k)/(1 + σ² h_k)] (exactly Aᵀ(Σ + σ²AAᵀ)⁻¹(y − Ax) for a PSF).
//  - GaussianLikelihood: any operator and per-pixel variances v_j (∞ = not measured), tempered
//    per pixel with v_j + σ² t_j. Default t = AAᵀ1, the ROW SUMS of AAᵀ (exact for masks and AAᵀ = I).
//    Why not diag(AAᵀ), as §4 suggests for lensing: with a PSF, AAᵀ has large off-diagonal terms, the
//    tempered precision Aᵀ(Σ + σ² diag)⁻¹A then exceeds 1/σ² by ~ row sum/diagonal (≈ 10 for a 2.5 px
//    FWHM PSF), and Langevin with α = rσ² diverges (measured: NaN on a lensed 16² source). With row sums
//    and AAᵀ ≥ 0 entrywise (non-negative A: ray shooting, PSFs), ‖W AAᵀ‖_∞ = max_j t_j/(v_j + σ²t_j)
//    < 1/σ², so every eigenvalue of the tempered precision is < 1/σ² and α = rσ² is stable for r < 4.
//    For a circulant PSF this reduces to Σ + σ²I (a_0 = 1); FourierDiagonalLikelihood is better there.
import { InputError } from '../../errors';
import { fft2 } from '../../math/fft';
import { sizeOf, type FourierNormal, type LinearOperator } from '../operators/linear-operator';
import { operatorNorm } from '../operators/norm';

export interface Likelihood {
  readonly operator: LinearOperator;
  /** log p(y | x) up to a constant. */
  logLikelihood(x: Float64Array): number;
  /** The tempered likelihood score at level σ (σ = 0: the true ∇log p(y|x)). */
  score(x: Float64Array, sigma: number, out?: Float64Array): Float64Array;
  /** L = ‖AᵀΣ⁻¹A‖₂, the Lipschitz constant of the score (σ = 0). */
  lipschitz(): number;
}

function residualLogLik(a: LinearOperator, y: Float64Array, x: Float64Array, invVar: (j: number) => number): number {
  const ax = a.apply(x);
  let s = 0;
  for (let j = 0; j < ax.length; j++) {
    const w = invVar(j);
    if (w > 0) s += (y[j]! - ax[j]!) ** 2 * w;
  }
  return -0.5 * s;
}

export class FourierDiagonalLikelihood implements Likelihood {
  readonly operator: LinearOperator;
  readonly y: Float64Array;
  readonly noiseVariance: number;
  /** b = AᵀΣ⁻¹y (pixel space) and h = diag of AᵀΣ⁻¹A in Fourier. */
  readonly b: Float64Array;
  readonly normal: FourierNormal;
  /** F b per band (unnormalised DFT), computed once. */
  private readonly bRe: Float64Array;
  private readonly bIm: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(a: LinearOperator, y: Float64Array, noiseVariance: number) {
    if (!a.fourierNormal) throw new InputError('LIKELIHOOD_OPERATOR', `${a.name}: AᵀA is not diagonal in Fourier; use GaussianLikelihood`, { operator: a.name });
    if (!(noiseVariance > 0)) throw new InputError('LIKELIHOOD_NOISE', `noise variance must be > 0, got ${noiseVariance}`, { noiseVariance });
    if (y.length !== sizeOf(a.outShape)) throw new InputError('OPERATOR_SHAPE', `${a.name}: data have ${y.length} values, expected ${sizeOf(a.outShape)}`, { operator: a.name });
    this.operator = a;
    this.y = y;
    this.noiseVariance = noiseVariance;
    this.b = a.adjoint(y).map((v) => v / noiseVariance);
    const fn = a.fourierNormal;
    this.normal = { ...fn, h: fn.h.map((v) => v / noiseVariance) };
    const n = fn.rows * fn.cols;
    this.bRe = Float64Array.from(this.b);
    this.bIm = new Float64Array(this.b.length);
    for (let band = 0; band < fn.bands; band++) {
      fft2(this.bRe.subarray(band * n, (band + 1) * n), this.bIm.subarray(band * n, (band + 1) * n), fn.rows, fn.cols, false);
    }
    this.re = new Float64Array(n);
    this.im = new Float64Array(n);
  }

  logLikelihood(x: Float64Array): number {
    return residualLogLik(this.operator, this.y, x, () => 1 / this.noiseVariance);
  }

  /** Fᴴ[(b̂_k − h_k x̂_k)/(1 + σ² h_k)]: one forward and one inverse FFT per band. */
  score(x: Float64Array, sigma: number, out?: Float64Array): Float64Array {
    const o = out ?? new Float64Array(x.length);
    const { rows, cols, bands, h } = this.normal;
    const n = rows * cols, s2 = sigma * sigma, inv = 1 / n;
    const { re, im } = this;
    for (let band = 0; band < bands; band++) {
      const off = band * n;
      for (let i = 0; i < n; i++) re[i] = x[off + i]!;
      im.fill(0);
      fft2(re, im, rows, cols, false);
      for (let k = 0; k < n; k++) {
        const hk = h[off + k]!, m = 1 / (1 + s2 * hk);
        re[k] = m * (this.bRe[off + k]! - hk * re[k]!);
        im[k] = m * (this.bIm[off + k]! - hk * im[k]!);
      }
      fft2(re, im, rows, cols, true);
      for (let i = 0; i < n; i++) o[off + i] = re[i]! * inv;
    }
    return o;
  }

  lipschitz(): number {
    return this.normal.h.reduce((m, v) => Math.max(m, v), 0);
  }
}

export interface GaussianLikelihoodOptions {
  /** Per-output noise variance (Infinity = unmeasured, weight 0), or one value for all. */
  variance: Float64Array | number;
  /** t_j of the tempered variance v_j + σ² t_j; default AAᵀ1 (see the file comment). */
  tempering?: Float64Array;
}

export class GaussianLikelihood implements Likelihood {
  readonly operator: LinearOperator;
  readonly y: Float64Array;
  private readonly invVar: Float64Array;
  private readonly variance: Float64Array;
  private d: Float64Array | undefined;
  private readonly r: Float64Array;
  private lip = Number.NaN;

  constructor(a: LinearOperator, y: Float64Array, o: GaussianLikelihoodOptions) {
    const m = sizeOf(a.outShape);
    if (y.length !== m) throw new InputError('OPERATOR_SHAPE', `${a.name}: data have ${y.length} values, expected ${m}`, { operator: a.name });
    this.operator = a;
    this.y = y;
    this.variance = typeof o.variance === 'number' ? new Float64Array(m).fill(o.variance) : o.variance;
    if (this.variance.length !== m) throw new InputError('OPERATOR_SHAPE', `variance has ${this.variance.length} values, the data ${m}`, { operator: a.name });
    this.invVar = this.variance.map((v, j) => {
      if (!(v > 0) || Number.isNaN(v)) throw new InputError('LIKELIHOOD_NOISE', `variance ${j} is ${v}: use Infinity for unmeasured values, never 0`, { index: j });
      return Number.isFinite(v) ? 1 / v : 0;
    });
    this.d = o.tempering;
    this.r = new Float64Array(m);
  }

  logLikelihood(x: Float64Array): number {
    return residualLogLik(this.operator, this.y, x, (j) => this.invVar[j]!);
  }

  score(x: Float64Array, sigma: number, out?: Float64Array): Float64Array {
    this.operator.apply(x, this.r);
    const s2 = sigma * sigma;
    if (s2 > 0 && !this.d) this.d = rowSumsOfAAt(this.operator);
    for (let j = 0; j < this.r.length; j++) {
      const w = s2 > 0 ? (this.invVar[j]! > 0 ? 1 / (this.variance[j]! + s2 * this.d![j]!) : 0) : this.invVar[j]!;
      this.r[j] = (this.y[j]! - this.r[j]!) * w;
    }
    return this.operator.adjoint(this.r, out);
  }

  lipschitz(): number {
    if (Number.isNaN(this.lip)) {
      const a = this.operator, iv = this.invVar;
      const sqrtW = iv.map(Math.sqrt);
      const weighted: LinearOperator = {
        name: `Σ^(−1/2)${a.name}`,
        inShape: a.inShape,
        outShape: a.outShape,
        apply: (x, o) => { const r = a.apply(x, o); for (let j = 0; j < r.length; j++) r[j] = r[j]! * sqrtW[j]!; return r; },
        adjoint: (yy, o) => a.adjoint(yy.map((v, j) => v * sqrtW[j]!), o),
      };
      this.lip = operatorNorm(weighted, { maxIter: 50, tol: 1e-6 }).norm ** 2;
    }
    return this.lip;
  }
}

/** AAᵀ1: the row sums of AAᵀ (clamped at 0), the default tempering of GaussianLikelihood. */
export function rowSumsOfAAt(a: LinearOperator): Float64Array {
  const ones = new Float64Array(sizeOf(a.outShape)).fill(1);
  return a.apply(a.adjoint(ones)).map((v) => Math.max(v, 0));
}
