// PSF convolution of two real planes at once, for the shapelet templates (lens-model-ext.ts renders
// (n_max+1)(n_max+2)/2 of them per band at every evaluation): with a wide pixelised PSF (FFT path of psf.ts
// convolveValid) the two planes ride in the real and imaginary parts of one complex FFT. Correlation with a real
// kernel is linear and maps real planes to real planes, so IFFT((FA + i FB) · conj K) = (A ⋆ K) + i (B ⋆ K):
// one forward and one inverse transform for two templates instead of two each (the classic "two real FFTs for the
// price of one", Press et al., Numerical Recipes 3rd ed. §12.3), on the smallest 2·3·5-smooth length ≥ the padded
// side (fft.ts's mixed-radix path: 150 instead of 256 for HE0435's 147-pixel frame, 2.9× fewer points).
// Other kernels go through convolveValid as they are.
import { fft2 } from '../math/fft';
import { convolveValid, type PsfKernel } from '../lens/psf';

/** Kernel width above which psf.ts convolves non-separable kernels by FFT (its FFT_ABOVE). */
const FFT_ABOVE = 11;

export class PairConvolver {
  private re = new Float64Array(0);
  private im = new Float64Array(0);

  /** outA = K ⋆ a and outB = K ⋆ b over the valid region (as convolveValid); b may be null (then a alone). */
  convolve(a: Float64Array, b: Float64Array | null, side: number, margin: number, k: PsfKernel, outA: Float64Array, outB: Float64Array | null, tmp: Float64Array): void {
    const w = 2 * k.h + 1;
    if (k.sep || w <= FFT_ABOVE || !b || !outB) {
      convolveValid(a, side, margin, k, outA, tmp);
      if (b && outB) convolveValid(b, side, margin, k, outB, tmp);
      return;
    }
    const size = side - 2 * margin, o = margin - k.h;
    const n = nextSmooth(side);
    let kf = k.fftCache.get(n);
    if (!kf) {
      const re = new Float64Array(n * n), im = new Float64Array(n * n);
      for (let r = 0; r < w; r++) for (let c = 0; c < w; c++) re[r * n + c] = k.k2[r * w + c]!;
      fft2(re, im, n, n, false);
      kf = { re, im };
      k.fftCache.set(n, kf);
    }
    if (this.re.length !== n * n) {
      this.re = new Float64Array(n * n);
      this.im = new Float64Array(n * n);
    }
    const re = this.re, im = this.im;
    re.fill(0);
    im.fill(0);
    for (let r = 0; r < side; r++)
      for (let c = 0; c < side; c++) {
        re[r * n + c] = a[r * side + c]!;
        im[r * n + c] = b[r * side + c]!;
      }
    fft2(re, im, n, n, false);
    for (let i = 0; i < n * n; i++) {
      const xr = re[i]!, xi = im[i]!, kr = kf.re[i]!, ki = kf.im[i]!;
      re[i] = xr * kr + xi * ki;
      im[i] = xi * kr - xr * ki;
    }
    fft2(re, im, n, n, true);
    const norm = 1 / (n * n);
    for (let i = 0; i < size; i++)
      for (let j = 0; j < size; j++) {
        outA[i * size + j] = re[(o + i) * n + o + j]! * norm;
        outB[i * size + j] = im[(o + i) * n + o + j]! * norm;
      }
  }
}

/** The smallest n ≥ v whose prime factors are 2, 3 and 5 (fft.ts transforms these by mixed radix). */
export function nextSmooth(v: number): number {
  for (let n = Math.max(1, v); ; n++) {
    let m = n;
    for (const p of [2, 3, 5]) while (m % p === 0) m /= p;
    if (m === 1) return n;
  }
}
