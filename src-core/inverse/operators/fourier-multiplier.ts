// Applying a Fourier multiplier to real images: out = Re F⁻¹[m_k · F x] (F the unnormalised DFT,
// F⁻¹ its inverse with the 1/N), the periodic convolution of learned-priors.md §0.
// When m is Hermitian (m_{−k} = conj(m_k): the DFT of a real kernel, or a real symmetric h_k), the
// result is real, and two real images go through one complex transform: z = x₁ + i x₂ gives
// F⁻¹[m F z] = (m ⋆ x₁) + i (m ⋆ x₂). The caller must only use the pair form for Hermitian m.
import { fft2 } from '../../math/fft';

export class FourierMultiplier {
  readonly rows: number;
  readonly cols: number;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(rows: number, cols: number) {
    this.rows = rows;
    this.cols = cols;
    this.re = new Float64Array(rows * cols);
    this.im = new Float64Array(rows * cols);
  }

  /**
   * out = Re F⁻¹[m F x] for one real rows × cols plane, m = mRe + i mIm (mIm null: real m).
   * `conj` multiplies by conj(m) instead (the adjoint of a convolution is a correlation).
   */
  apply(x: Float64Array, mRe: Float64Array, mIm: Float64Array | null, out: Float64Array, conj = false): void {
    this.re.set(x);
    this.im.fill(0);
    this.run(mRe, mIm, conj);
    const inv = 1 / (this.rows * this.cols);
    for (let i = 0; i < out.length; i++) out[i] = this.re[i]! * inv;
  }

  /** Two real planes through one complex transform; m must be Hermitian (see the file comment). */
  applyPair(
    x1: Float64Array, x2: Float64Array, mRe: Float64Array, mIm: Float64Array | null,
    out1: Float64Array, out2: Float64Array, conj = false,
  ): void {
    this.re.set(x1);
    this.im.set(x2);
    this.run(mRe, mIm, conj);
    const inv = 1 / (this.rows * this.cols);
    for (let i = 0; i < out1.length; i++) {
      out1[i] = this.re[i]! * inv;
      out2[i] = this.im[i]! * inv;
    }
  }

  private run(mRe: Float64Array, mIm: Float64Array | null, conj: boolean): void {
    const { re, im } = this;
    fft2(re, im, this.rows, this.cols, false);
    if (mIm) {
      const s = conj ? -1 : 1;
      for (let k = 0; k < re.length; k++) {
        const a = mRe[k]!, b = s * mIm[k]!, xr = re[k]!, xi = im[k]!;
        re[k] = a * xr - b * xi;
        im[k] = a * xi + b * xr;
      }
    } else {
      for (let k = 0; k < re.length; k++) {
        re[k] = re[k]! * mRe[k]!;
        im[k] = im[k]! * mRe[k]!;
      }
    }
    fft2(re, im, this.rows, this.cols, true);
  }
}

/**
 * Unnormalised DFT a_k of a kernel (kh × kw, odd sides, centre at the middle) placed on a periodic
 * rows × cols grid with its centre at index (0, 0) (learned-priors.md §0: a_0 = Σ h).
 */
export function kernelTransfer(
  kernel: ArrayLike<number>, kh: number, kw: number, rows: number, cols: number,
): { re: Float64Array; im: Float64Array } {
  const re = new Float64Array(rows * cols), im = new Float64Array(rows * cols);
  const ch = (kh - 1) / 2, cw = (kw - 1) / 2;
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      // Wrap-add: a kernel wider than the grid aliases, as a periodic convolution must.
      const r = (((a - ch) % rows) + rows) % rows, c = (((b - cw) % cols) + cols) % cols;
      re[r * cols + c] += kernel[a * kw + b]!;
    }
  }
  fft2(re, im, rows, cols, false);
  return { re, im };
}
