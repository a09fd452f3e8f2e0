// Flat-sky Kaiser & Squires (1993) operator between convergence κ and shear γ = γ1 + iγ2
// (shared/reference/mass-mapping.md §1–§2). Arrays are row-major [row = y, column = x]; ℓ1 is the wave
// number along x (columns), ℓ2 along y (rows), ℓ_i = 2π·fftfreq(N, Δ) with Δ the pixel side in radians.
//   D(ℓ) = ((ℓ1² − ℓ2²) + 2iℓ1ℓ2)/|ℓ|²,  D(0) = 0 (the mean of κ is not measured: mass-sheet degeneracy).
//   forward:  γ̂ = D (κ̂_E + iκ̂_B);   inverse (KS93):  κ̂_E + iκ̂_B = D* γ̂.
// |D| = 1 for ℓ ≠ 0, so both directions are unitary on the ℓ ≠ 0 modes. Every transform is the one FFT
// of the project (src-core/math/fft.ts, numpy's sign and bin order), so the result matches numpy's
// fft2/ifft2 of the peer (shared/peers/mass_map_numpy.py) to rounding.
import { InputError } from '../errors';
import { fft2, freqIndex } from '../math/fft';

export const ARCMIN_RAD = Math.PI / 10800;

/** D(ℓ) and |ℓ| on a rows × cols grid (numpy FFT order). */
export interface KsKernel {
  readonly rows: number;
  readonly cols: number;
  /** Pixel side, radians. */
  readonly pixRad: number;
  /** Re D = (ℓ1² − ℓ2²)/|ℓ|² and Im D = 2ℓ1ℓ2/|ℓ|²; 0 at ℓ = 0. */
  readonly dRe: Float64Array;
  readonly dIm: Float64Array;
  /** |ℓ| in radians⁻¹ (the multipole ℓ of the flat-sky C_ℓ). */
  readonly ell: Float64Array;
}

const kernels = new Map<string, KsKernel>();

export function ksKernel(rows: number, cols: number, pixRad: number): KsKernel {
  if (!(rows >= 2 && cols >= 2 && Number.isInteger(rows) && Number.isInteger(cols)) || !(pixRad > 0)) {
    throw new InputError('MASSMAP_GRID', `mass map grid must be at least 2 × 2 pixels with a pixel side > 0 (got ${rows} × ${cols}, ${pixRad} rad)`, { rows, cols });
  }
  const key = `${rows}x${cols}@${pixRad}`;
  let k = kernels.get(key);
  if (k) return k;
  const n = rows * cols, dRe = new Float64Array(n), dIm = new Float64Array(n), ell = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    const l2 = (2 * Math.PI * freqIndex(r, rows)) / (rows * pixRad);
    for (let c = 0; c < cols; c++) {
      const l1 = (2 * Math.PI * freqIndex(c, cols)) / (cols * pixRad);
      const e2 = l1 * l1 + l2 * l2, i = r * cols + c;
      ell[i] = Math.sqrt(e2);
      if (e2 > 0) {
        dRe[i] = (l1 * l1 - l2 * l2) / e2;
        dIm[i] = (2 * l1 * l2) / e2;
      }
    }
  }
  k = { rows, cols, pixRad, dRe, dIm, ell };
  if (kernels.size > 16) kernels.clear();
  kernels.set(key, k);
  return k;
}

function checkPlane(k: KsKernel, a: ArrayLike<number>, what: string): void {
  if (a.length !== k.rows * k.cols) {
    throw new InputError('OPERATOR_SHAPE', `${what} has ${a.length} pixels, the ${k.rows} × ${k.cols} grid needs ${k.rows * k.cols}`, { got: a.length });
  }
}

/** Multiplies the (unnormalised) spectrum re + i·im by D (conj = false) or D* in place. */
export function multiplyD(k: KsKernel, re: Float64Array, im: Float64Array, conj: boolean): void {
  const s = conj ? -1 : 1, { dRe, dIm } = k;
  for (let i = 0; i < re.length; i++) {
    const a = dRe[i]!, b = s * dIm[i]!, xr = re[i]!, xi = im[i]!;
    re[i] = a * xr - b * xi;
    im[i] = a * xi + b * xr;
  }
}

/** KS93: (γ1, γ2) → (κ_E, κ_B) = ifft2(D* fft2(γ1 + iγ2)). Masked pixels must already be zero. */
export function ks93(k: KsKernel, g1: ArrayLike<number>, g2: ArrayLike<number>): { kE: Float64Array; kB: Float64Array } {
  checkPlane(k, g1, 'γ1');
  checkPlane(k, g2, 'γ2');
  const re = Float64Array.from(g1), im = Float64Array.from(g2);
  fft2(re, im, k.rows, k.cols, false);
  multiplyD(k, re, im, true);
  fft2(re, im, k.rows, k.cols, true);
  const inv = 1 / (k.rows * k.cols);
  for (let i = 0; i < re.length; i++) {
    re[i] = re[i]! * inv;
    im[i] = im[i]! * inv;
  }
  return { kE: re, kB: im };
}

/** Forward model: (κ_E, κ_B) → (γ1, γ2) = ifft2(D fft2(κ_E + iκ_B)); κ_B defaults to 0 (lensing). */
export function shearFromKappa(k: KsKernel, kE: ArrayLike<number>, kB?: ArrayLike<number>): { g1: Float64Array; g2: Float64Array } {
  checkPlane(k, kE, 'κ_E');
  const re = Float64Array.from(kE), im = kB ? Float64Array.from(kB) : new Float64Array(re.length);
  if (kB) checkPlane(k, kB, 'κ_B');
  fft2(re, im, k.rows, k.cols, false);
  multiplyD(k, re, im, false);
  fft2(re, im, k.rows, k.cols, true);
  const inv = 1 / (k.rows * k.cols);
  for (let i = 0; i < re.length; i++) {
    re[i] = re[i]! * inv;
    im[i] = im[i]! * inv;
  }
  return { g1: re, g2: im };
}

/**
 * Gaussian smoothing of one or two real maps by exp(−½ (ℓ θ_s)²) in Fourier, θ_s the Gaussian σ in
 * radians (not the FWHM), periodic like the FFT. Two maps go through one complex transform (the
 * multiplier is real and even, so real and imaginary parts do not mix).
 */
export function gaussianSmooth(k: KsKernel, sigmaRad: number, a: Float64Array, b?: Float64Array): { a: Float64Array; b?: Float64Array } {
  checkPlane(k, a, 'map');
  if (!(sigmaRad >= 0)) throw new InputError('MASSMAP_SMOOTH', `smoothing σ must be ≥ 0 (got ${sigmaRad} rad)`, {});
  if (sigmaRad === 0) return { a: Float64Array.from(a), b: b && Float64Array.from(b) };
  const re = Float64Array.from(a), im = b ? Float64Array.from(b) : new Float64Array(re.length);
  fft2(re, im, k.rows, k.cols, false);
  const s2 = sigmaRad * sigmaRad, inv = 1 / (k.rows * k.cols);
  for (let i = 0; i < re.length; i++) {
    const m = Math.exp(-0.5 * k.ell[i]! * k.ell[i]! * s2) * inv;
    re[i] = re[i]! * m;
    im[i] = im[i]! * m;
  }
  fft2(re, im, k.rows, k.cols, true);
  return b ? { a: re, b: im } : { a: re };
}
