// Wiener filter for weak-lensing mass maps (shared/reference/mass-mapping.md §5): the posterior mean of κ_E
// under a Gaussian prior S = Fᴴ diag(P_k) F and shear noise N (per pixel and component, ∞ = masked).
//  - White noise, no mask: closed form κ̂_W = P_k/(P_k + σ²) κ̂_KS,E (§5a), posterior variance per mode
//    P_k σ²/(P_k + σ²), the same at every pixel.
//  - Otherwise: the MESSENGER FIELD iteration of Elsner & Wandelt (2013), as used for the DES SV maps by
//    Jeffrey et al. (2018) and by the NumPy peer (§5b). P is unitary, so with N = N̄ + T, T = τI and
//    τ = min unmasked N, each half step is diagonal in its own basis:
//      t = (T γ + N̄ Pκ)/(T + N̄)  (pixels; t = Pκ where masked),  κ̂ = P_k/(P_k + T) · F[Re Pᴴ t].
//    Cooling T = λτ from λ = 10³ to 1 over 30 geometric steps, then λ = 1 until the normal-equation
//    residual ‖S⁻¹κ + PᵀN⁻¹(Pκ − γ)‖/‖PᵀN⁻¹γ‖ is below tol (checked every 10 iterations).
// κ̂ is carried in Fourier between iterations (Hermitian part of D*·t̂·filter), so one iteration costs two
// complex FFTs (the peer uses four). Preconditioned CG would be the alternative; we follow the reference.
import { CancelledError, InputError } from '../errors';
import { fft2 } from '../math/fft';
import { ks93, multiplyD, type KsKernel } from './ks93';

export interface WienerOptions {
  /** Per-mode prior variance P_k (unitary DFT), numpy FFT order; P_0 = 0. */
  modeVariance: Float64Array;
  /** Noise variance per pixel and shear component; Infinity (or non-finite) = masked. */
  variance: ArrayLike<number>;
  tol?: number;
  maxIter?: number;
  coolSteps?: number;
  lambdaMax?: number;
  signal?: { readonly aborted: boolean };
  /** Closed form: also compute the normal-equation residual (6 more FFTs; the messenger always does). */
  checkResidual?: boolean;
  onProgress?: (iteration: number, residual: number | undefined) => void;
}

export interface WienerResult {
  kappa: Float64Array;
  method: 'closed form' | 'messenger field';
  iterations: number;
  /** Normal-equation residual of the returned map (0 at the exact Wiener solution). */
  residual: number;
  converged: boolean;
}

/** Hermitian-symmetric part (Y_k + conj Y_{−k})/2: the spectrum of Re F⁻¹[Y]. */
function hermitianPart(rows: number, cols: number, re: Float64Array, im: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const rr = r === 0 ? 0 : rows - r;
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c, j = rr * cols + (c === 0 ? 0 : cols - c);
      outRe[i] = 0.5 * (re[i]! + re[j]!);
      outIm[i] = 0.5 * (im[i]! - im[j]!);
    }
  }
}

/** ‖S⁻¹κ + PᵀN⁻¹(Pκ − γ)‖ / ‖PᵀN⁻¹γ‖ (the peer's stopping rule; S⁻¹ = 0 on modes with P_k = 0). */
export function normalEquationResidual(
  k: KsKernel, kappa: ArrayLike<number>, g1: ArrayLike<number>, g2: ArrayLike<number>, o: Pick<WienerOptions, 'modeVariance' | 'variance'>,
  rhsNorm2?: number,
): number {
  const n = k.rows * k.cols, inv = 1 / n;
  const re = Float64Array.from(kappa), im = new Float64Array(n);
  fft2(re, im, k.rows, k.cols, false);
  const sr = new Float64Array(n), si = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = o.modeVariance[i]!;
    if (p > 0) { sr[i] = re[i]! / p; si[i] = im[i]! / p; }
  }
  fft2(sr, si, k.rows, k.cols, true);
  multiplyD(k, re, im, false);
  fft2(re, im, k.rows, k.cols, true);
  const r1 = new Float64Array(n), r2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = o.variance[i]!, w = Number.isFinite(v) && v > 0 ? 1 / v : 0;
    r1[i] = w * (re[i]! * inv - g1[i]!);
    r2[i] = w * (im[i]! * inv - g2[i]!);
  }
  const grad = ks93(k, r1, r2).kE;
  let num = 0;
  for (let i = 0; i < n; i++) num += (sr[i]! * inv + grad[i]!) ** 2;
  return Math.sqrt(num / (rhsNorm2 ?? rhsNorm(k, g1, g2, o.variance)));
}

/** ‖PᵀN⁻¹γ‖² (the residual's normalisation; constant during an iteration). */
export function rhsNorm(k: KsKernel, g1: ArrayLike<number>, g2: ArrayLike<number>, variance: ArrayLike<number>): number {
  const n = k.rows * k.cols, b1 = new Float64Array(n), b2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = variance[i]!, w = Number.isFinite(v) && v > 0 ? 1 / v : 0;
    b1[i] = w * g1[i]!;
    b2[i] = w * g2[i]!;
  }
  let s = 0;
  for (const v of ks93(k, b1, b2).kE) s += v * v;
  return s;
}

/** True when every pixel is observed with the same noise variance (the closed form applies). */
export function isWhite(variance: ArrayLike<number>): boolean {
  const v0 = variance[0]!;
  if (!Number.isFinite(v0)) return false;
  for (let i = 1; i < variance.length; i++) if (variance[i] !== v0) return false;
  return true;
}

/** Closed-form Wiener filter for white noise σ² per component and no mask (§5a). */
export function wienerWhite(k: KsKernel, g1: ArrayLike<number>, g2: ArrayLike<number>, sigma2: number, modeVariance: Float64Array, withB = false): { kappa: Float64Array; pixelStd: number; kappaB: Float64Array | null } {
  const n = k.rows * k.cols;
  const re = Float64Array.from(g1), im = Float64Array.from(g2);
  fft2(re, im, k.rows, k.cols, false);
  multiplyD(k, re, im, true);
  // κ̂_E is the Hermitian part of D*γ̂ (κ_E = Re); filter it, and keep κ_B for the caller.
  const er = new Float64Array(n), ei = new Float64Array(n);
  hermitianPart(k.rows, k.cols, re, im, er, ei);
  let post = 0;
  for (let i = 0; i < n; i++) {
    const p = modeVariance[i]!, f = p / (p + sigma2);
    er[i] = er[i]! * f;
    ei[i] = ei[i]! * f;
    post += (p * sigma2) / (p + sigma2);
  }
  fft2(er, ei, k.rows, k.cols, true);
  const kappa = new Float64Array(n);
  for (let i = 0; i < n; i++) kappa[i] = er[i]! / n;
  let kappaB: Float64Array | null = null;
  if (withB) {
    fft2(re, im, k.rows, k.cols, true);
    kappaB = im.map((v) => v / n);
  }
  return { kappa, pixelStd: Math.sqrt(post / n), kappaB };
}

/** Wiener filter by the messenger field (closed form when the noise is white and nothing is masked). */
export function wienerFilter(k: KsKernel, g1: ArrayLike<number>, g2: ArrayLike<number>, o: WienerOptions): WienerResult {
  const n = k.rows * k.cols, { rows, cols } = k, P = o.modeVariance, V = o.variance;
  if (P.length !== n || V.length !== n || g1.length !== n || g2.length !== n) {
    throw new InputError('OPERATOR_SHAPE', `Wiener filter: the ${rows} × ${cols} grid needs ${n} values per map (P_k ${P.length}, variance ${V.length}, γ ${g1.length}/${g2.length})`, {});
  }
  const tol = o.tol ?? 1e-6;
  if (isWhite(V)) {
    const kappa = wienerWhite(k, g1, g2, V[0]!, P).kappa;
    return { kappa, method: 'closed form', iterations: 0, residual: o.checkResidual ? normalEquationResidual(k, kappa, g1, g2, o) : NaN, converged: true };
  }
  let tau = Infinity;
  for (let i = 0; i < n; i++) if (Number.isFinite(V[i]!) && V[i]! < tau) tau = V[i]!;
  if (!(tau > 0) || !Number.isFinite(tau)) {
    throw new InputError('MASSMAP_EMPTY', 'Wiener filter: every pixel is masked (no galaxies on the grid)', {});
  }
  const nbar = new Float64Array(n), obs = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    obs[i] = Number.isFinite(V[i]!) ? 1 : 0;
    nbar[i] = obs[i] ? V[i]! - tau : 0;
  }
  const coolSteps = o.coolSteps ?? 30, lamMax = o.lambdaMax ?? 1e3, maxIter = o.maxIter ?? 1000;
  const lambdas = Array.from({ length: coolSteps }, (_, i) => lamMax ** (1 - i / (coolSteps - 1)));
  const khRe = new Float64Array(n), khIm = new Float64Array(n); // κ̂ (unnormalised DFT)
  const re = new Float64Array(n), im = new Float64Array(n);
  const inv = 1 / n;
  let its = 0, residual = NaN, converged = false;
  const den = rhsNorm(k, g1, g2, V);
  for (let step = 0; step < coolSteps + maxIter; step++) {
    const lam = step < coolSteps ? lambdas[step]! : 1;
    const T = lam * tau;
    // Model shear Pκ in pixels.
    re.set(khRe);
    im.set(khIm);
    multiplyD(k, re, im, false);
    fft2(re, im, rows, cols, true);
    if (step >= coolSteps && its % 10 === 0) {
      if (o.signal?.aborted) throw new CancelledError('Wiener filter cancelled');
      const kappa = realMap(k, khRe, khIm);
      residual = normalEquationResidual(k, kappa, g1, g2, o, den);
      o.onProgress?.(its, residual);
      if (residual < tol) {
        converged = true;
        break;
      }
    }
    // Messenger field t (pixel space, complex shear).
    for (let i = 0; i < n; i++) {
      const mr = re[i]! * inv, mi = im[i]! * inv;
      if (obs[i]) {
        const w = T / (T + nbar[i]!);
        re[i] = w * g1[i]! + (1 - w) * mr;
        im[i] = w * g2[i]! + (1 - w) * mi;
      } else {
        re[i] = mr;
        im[i] = mi;
      }
    }
    fft2(re, im, rows, cols, false);
    multiplyD(k, re, im, true);
    for (let i = 0; i < n; i++) {
      const f = P[i]! / (P[i]! + T);
      re[i] = re[i]! * f;
      im[i] = im[i]! * f;
    }
    hermitianPart(rows, cols, re, im, khRe, khIm);
    its++;
  }
  const kappa = realMap(k, khRe, khIm);
  if (!converged) residual = normalEquationResidual(k, kappa, g1, g2, o, den);
  return { kappa, method: 'messenger field', iterations: its, residual, converged: converged || residual < tol };
}

function realMap(k: KsKernel, khRe: Float64Array, khIm: Float64Array): Float64Array {
  const re = Float64Array.from(khRe), im = Float64Array.from(khIm), n = re.length;
  fft2(re, im, k.rows, k.cols, true);
  for (let i = 0; i < n; i++) re[i] = re[i]! / n;
  return re;
}
