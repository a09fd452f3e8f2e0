// A point source on the pixel grid: the band's PSF kernel moved to a sub-pixel position by Keys cubic
// convolution (Keys 1981, IEEE Trans. ASSP 29, 1153, a = −0.5). The kernel (src-core/lens/psf makeKernel) is
// the PSF sampled at pixel centres, so the image of a point at (x, y) pixels is P(i − x, j − y) and a shift
// by a fraction of a pixel needs interpolation. Keys' weights sum to 1 and reproduce linear functions, so the
// template keeps the kernel's flux (inside the stamp) and its centroid moves exactly with (x, y); the
// interpolant is C¹ in the position, which keeps the profiled χ² smooth for the sampler.
import type { PsfKernel } from '../lens/psf';

/** Keys' cubic convolution weights for the 4 taps at offsets −1, 0, 1, 2 from floor, fraction f ∈ [0, 1). */
export function keysWeights(f: number, out: Float64Array): void {
  const a = -0.5;
  const w = (d: number) => {
    const x = Math.abs(d);
    if (x <= 1) return (a + 2) * x * x * x - (a + 3) * x * x + 1;
    if (x < 2) return a * x * x * x - 5 * a * x * x + 8 * a * x - 4 * a;
    return 0;
  };
  out[0] = w(1 + f);
  out[1] = w(f);
  out[2] = w(1 - f);
  out[3] = w(2 - f);
}

const wx = new Float64Array(4);
const wy = new Float64Array(4);

/**
 * out (size × size, row-major, row = y) += amp · PSF centred at pixel coordinates (px, py) (column, row;
 * (0, 0) is the centre of the first pixel). Pixels outside the stamp are dropped.
 */
export function addPointTemplate(out: Float64Array, size: number, k: PsfKernel, px: number, py: number, amp = 1): void {
  const h = k.h, w = 2 * h + 1;
  const k2 = k.k2;
  // PSF value at integer offset (dx, dy) from the source: the kernel is stored flipped (k2 correlates).
  const P = (dx: number, dy: number) => (dx < -h || dx > h || dy < -h || dy > h ? 0 : k2[(h - dy) * w + (h - dx)]!);
  // out[j, i] = Σ_ab wy_b wx_a P(i − (x0 + a − 1)… ): the shifted PSF is Σ weights × kernels at the 4×4 nearby
  // integer positions x0 − 1 … x0 + 2 (Keys' interpolation of P(i − px)).
  const x0 = Math.floor(px), y0 = Math.floor(py);
  keysWeights(px - x0, wx);
  keysWeights(py - y0, wy);
  const iLo = Math.max(0, x0 - 1 - h), iHi = Math.min(size - 1, x0 + 2 + h);
  const jLo = Math.max(0, y0 - 1 - h), jHi = Math.min(size - 1, y0 + 2 + h);
  for (let j = jLo; j <= jHi; j++)
    for (let i = iLo; i <= iHi; i++) {
      let s = 0;
      for (let b = 0; b < 4; b++) {
        const wb = wy[b]!;
        if (wb === 0) continue;
        const dy = j - (y0 + b - 1);
        for (let a = 0; a < 4; a++) s += wb * wx[a]! * P(i - (x0 + a - 1), dy);
      }
      out[j * size + i] = out[j * size + i]! + amp * s;
    }
}

/** d/df of keysWeights (the weights' derivative in the fraction f; Keys' kernel is C¹, so this is continuous). */
export function keysWeightsDerivative(f: number, out: Float64Array): void {
  const a = -0.5;
  // Derivative of Keys' kernel w(x) in x ≥ 0.
  const dw = (x: number) => (x <= 1 ? 3 * (a + 2) * x * x - 2 * (a + 3) * x : x < 2 ? 3 * a * x * x - 10 * a * x + 8 * a : 0);
  out[0] = dw(1 + f);
  out[1] = dw(f);
  out[2] = -dw(1 - f);
  out[3] = -dw(2 - f);
}

const dwx = new Float64Array(4);
const dwy = new Float64Array(4);

/**
 * Σ_ij r[j, i] · ∂T[j, i]/∂(px, py) for the template T = addPointTemplate(…, px, py, 1): the derivative of a
 * linear functional of the template in the point's position (pixels), for the analytic gradient of the
 * extended lens model (lens-gradient-ext.ts). Same taps and the same dropped pixels as addPointTemplate.
 */
export function pointTemplateGradient(r: Float64Array, size: number, k: PsfKernel, px: number, py: number, out: Float64Array): void {
  const h = k.h, w = 2 * h + 1;
  const k2 = k.k2;
  const P = (dx: number, dy: number) => (dx < -h || dx > h || dy < -h || dy > h ? 0 : k2[(h - dy) * w + (h - dx)]!);
  const x0 = Math.floor(px), y0 = Math.floor(py);
  keysWeights(px - x0, wx);
  keysWeights(py - y0, wy);
  keysWeightsDerivative(px - x0, dwx);
  keysWeightsDerivative(py - y0, dwy);
  const iLo = Math.max(0, x0 - 1 - h), iHi = Math.min(size - 1, x0 + 2 + h);
  const jLo = Math.max(0, y0 - 1 - h), jHi = Math.min(size - 1, y0 + 2 + h);
  let gx = 0, gy = 0;
  for (let j = jLo; j <= jHi; j++)
    for (let i = iLo; i <= iHi; i++) {
      const rv = r[j * size + i]!;
      if (rv === 0) continue;
      let sx = 0, sy = 0;
      for (let b = 0; b < 4; b++) {
        const dy = j - (y0 + b - 1);
        for (let a = 0; a < 4; a++) {
          const p = P(i - (x0 + a - 1), dy);
          sx += wy[b]! * dwx[a]! * p;
          sy += dwy[b]! * wx[a]! * p;
        }
      }
      gx += rv * sx;
      gy += rv * sy;
    }
  out[0] = gx;
  out[1] = gy;
}
