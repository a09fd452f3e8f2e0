// A pixelised PSF sampled at another pixel scale than the image (an oversampled model PSF, a PSF from another
// detector): resampled onto the image's pixel grid by bilinear interpolation of the kernel, treated as samples of a
// continuous PSF at its pixel centres (as makeKernel point-samples its analytic kernels, see psf.ts), then
// renormalised. The centre stays on the centre pixel. Units: arcsec/pixel.
import { InputError } from '../errors';

export interface ResampledPsf {
  kernel: Float64Array;
  width: number;
}

/** Resamples an odd square `width` kernel from `fromScale` to `toScale` arcsec/pixel (sum 1). */
export function resamplePsf(kernel: ArrayLike<number>, width: number, fromScale: number, toScale: number): ResampledPsf {
  if (!(fromScale > 0) || !(toScale > 0)) throw new InputError('PSF_SCALE', `PSF pixel scales must be > 0 (got ${fromScale}, ${toScale})`, { fromScale, toScale });
  if (width % 2 !== 1 || kernel.length !== width * width) throw new InputError('PSF_SHAPE', `PSF must be square with odd sides, got ${width} wide, ${kernel.length} pixels`, { width });
  const hIn = (width - 1) / 2;
  const ratio = toScale / fromScale; // input pixels per output pixel
  const hOut = Math.max(1, Math.floor(hIn / ratio + 1e-6)); // 1e-6: a WCS-derived scale is exact only to ~1e-9
  const w = 2 * hOut + 1;
  const out = new Float64Array(w * w);
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= width ? 0 : Number(kernel[y * width + x]));
  let sum = 0;
  for (let j = 0; j < w; j++)
    for (let i = 0; i < w; i++) {
      const x = hIn + (i - hOut) * ratio;
      const y = hIn + (j - hOut) * ratio;
      const xf = Math.floor(x), yf = Math.floor(y);
      const fx = x - xf, fy = y - yf;
      const v = (1 - fx) * (1 - fy) * at(xf, yf) + fx * (1 - fy) * at(xf + 1, yf) + (1 - fx) * fy * at(xf, yf + 1) + fx * fy * at(xf + 1, yf + 1);
      out[j * w + i] = v;
      sum += v;
    }
  if (!(sum > 0)) throw new InputError('PSF_SUM', `resampled PSF sums to ${sum}`, { fromScale, toScale });
  for (let k = 0; k < out.length; k++) out[k] /= sum;
  return { kernel: out, width: w };
}
