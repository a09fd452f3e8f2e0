// Per-band PSF convolution by FFT (learned-priors.md §0, §8). y_b = h_b ⊛ x_b for each band b.
// Kernels: odd-sided arrays with the PSF centre at the middle pixel, normalised to unit sum here (so
// a_0 = 1), the PSF as an image, NOT flipped (this is a convolution: y_i = Σ_j h_{i−j} x_j).
// The adjoint multiplies by conj(a_k): a correlation, i.e. convolution with the flipped kernel.
// Boundaries:
//  - 'periodic': A = Fᴴ diag(a) F on the image grid itself (circulant; AᵀA diagonal in Fourier, which
//    the closed-form Wiener posterior needs). Any grid size (Bluestein FFT).
//  - 'zero': pixels outside the image are 0 (A = crop · circulant · zero-pad on a grid padded by the
//    kernel half-width, rounded up to a power of two), so nothing wraps around.
// Loading a PSF from FITS is src-main's job (src-main/lens/psf-file.ts); this takes the array.
import { InputError } from '../../errors';
import { nextPow2 } from '../../math/fft';
import { FourierMultiplier, kernelTransfer } from './fourier-multiplier';
import { prepare, type FourierNormal, type LinearOperator } from './linear-operator';

export interface PsfArray {
  /** kh × kw row-major, odd sides. */
  kernel: ArrayLike<number>;
  height: number;
  width: number;
}

export interface ConvolutionOptions {
  bands: number;
  rows: number;
  cols: number;
  /** One PSF per band, or one for all bands. */
  psfs: PsfArray[];
  boundary?: 'periodic' | 'zero';
}

function checkPsf(p: PsfArray, band: number): Float64Array {
  const { height: kh, width: kw } = p;
  if (kh % 2 !== 1 || kw % 2 !== 1 || p.kernel.length !== kh * kw) {
    throw new InputError('PSF_SHAPE', `band ${band}: PSF must have odd sides and height·width values, got ${kh} × ${kw} and ${p.kernel.length}`, { band, height: kh, width: kw });
  }
  let s = 0;
  for (let i = 0; i < p.kernel.length; i++) {
    const v = p.kernel[i]!;
    if (!Number.isFinite(v)) throw new InputError('PSF_NOT_FINITE', `band ${band}: PSF pixel ${i % kw}, ${Math.floor(i / kw)} is ${v}`, { band, x: i % kw, y: Math.floor(i / kw) });
    s += v;
  }
  if (!(s > 0)) throw new InputError('PSF_SUM', `band ${band}: PSF pixels sum to ${s} (must be > 0)`, { band, sum: s });
  return Float64Array.from(p.kernel, (v) => v / s);
}

export function convolutionOperator(o: ConvolutionOptions): LinearOperator {
  const { bands, rows, cols } = o;
  const boundary = o.boundary ?? 'periodic';
  if (o.psfs.length !== 1 && o.psfs.length !== bands) {
    throw new InputError('PSF_BANDS', `${o.psfs.length} PSFs for ${bands} bands (give one, or one per band)`, { psfs: o.psfs.length, bands });
  }
  const kernels = o.psfs.map((p, b) => checkPsf(p, b));
  let pr = rows, pc = cols;
  if (boundary === 'zero') {
    const hh = Math.max(...o.psfs.map((p) => (p.height - 1) / 2));
    const hw = Math.max(...o.psfs.map((p) => (p.width - 1) / 2));
    pr = nextPow2(rows + hh);
    pc = nextPow2(cols + hw);
  } else {
    for (const [b, p] of o.psfs.entries()) {
      if (p.height > rows || p.width > cols) {
        throw new InputError('PSF_TOO_LARGE', `band ${b}: PSF ${p.height} × ${p.width} is larger than the ${rows} × ${cols} image (periodic boundary); crop it or use boundary 'zero'`, { band: b });
      }
    }
  }
  const transfers = kernels.map((k, b) => kernelTransfer(k, o.psfs[b]!.height, o.psfs[b]!.width, pr, pc));
  const transferOf = (b: number) => transfers[transfers.length === 1 ? 0 : b]!;
  const fm = new FourierMultiplier(pr, pc);
  const plane = rows * cols, n = bands * plane;
  const padIn = new Float64Array(pr * pc), padOut = new Float64Array(pr * pc);

  const run = (x: Float64Array, out: Float64Array, conj: boolean) => {
    for (let b = 0; b < bands; b++) {
      const t = transferOf(b);
      const xb = x.subarray(b * plane, (b + 1) * plane), ob = out.subarray(b * plane, (b + 1) * plane);
      if (boundary === 'periodic') {
        fm.apply(xb, t.re, t.im, ob, conj);
        continue;
      }
      padIn.fill(0);
      for (let r = 0; r < rows; r++) padIn.set(xb.subarray(r * cols, (r + 1) * cols), r * pc);
      fm.apply(padIn, t.re, t.im, padOut, conj);
      for (let r = 0; r < rows; r++) ob.set(padOut.subarray(r * pc, r * pc + cols), r * cols);
    }
    return out;
  };

  let fourierNormal: FourierNormal | undefined;
  if (boundary === 'periodic') {
    const h = new Float64Array(n);
    for (let b = 0; b < bands; b++) {
      const t = transferOf(b);
      for (let k = 0; k < plane; k++) h[b * plane + k] = t.re[k]! ** 2 + t.im[k]! ** 2;
    }
    fourierNormal = { bands, rows, cols, h };
  }
  const op: LinearOperator = {
    name: `psf-convolution(${boundary})`,
    inShape: [bands, rows, cols],
    outShape: [bands, rows, cols],
    apply: (x, out) => run(x, prepare(op, 'input', x, n, out, n), false),
    adjoint: (y, out) => run(y, prepare(op, 'output', y, n, out, n), true),
    fourierNormal,
  };
  return op;
}

/** Periodic transfer functions a_k (unnormalised DFT, a_0 = 1) of the band's PSF, for closed forms. */
export function psfTransfer(psf: PsfArray, rows: number, cols: number): { re: Float64Array; im: Float64Array } {
  return kernelTransfer(checkPsf(psf, 0), psf.height, psf.width, rows, cols);
}

/** A unit-sum Gaussian PSF array of the given FWHM (pixels), half-width ⌈4σ⌉: for tests and presets. */
export function gaussianPsf(fwhmPx: number): PsfArray {
  const s = fwhmPx / (2 * Math.sqrt(2 * Math.LN2));
  const h = Math.max(1, Math.ceil(4 * s)), w = 2 * h + 1;
  const kernel = new Float64Array(w * w);
  for (let a = 0; a < w; a++) for (let b = 0; b < w; b++) kernel[a * w + b] = Math.exp(-((a - h) ** 2 + (b - h) ** 2) / (2 * s * s));
  return { kernel, height: w, width: w };
}
