// IRAF's zscale display limits, step for step as astropy.visualization.ZScaleInterval.get_limits
// (astropy 8): sample ≤ n_samples finite values with a fixed stride, sort them, fit a straight line
// to (index, value) with iterative krej·σ rejection (rejected points dilated by a 1 %-wide kernel,
// numpy.convolve mode 'same'), then the limits are median ∓ slope/contrast around the centre index,
// clamped to the sample range. Quirks kept on purpose so the limits match astropy to the last digit:
// `center_pixel - 1` in vmin, float32 median for float32 data, population σ (ddof 0).
import { InputError } from '../errors';
import type { Limits, PixelValues } from './interval';

export interface ZScaleOptions {
  nSamples?: number; // 1000
  contrast?: number; // 0.25
  maxReject?: number; // 0.5 (fraction of samples that may be rejected)
  minNpixels?: number; // 5
  krej?: number; // 2.5 (rejection threshold in σ)
  maxIterations?: number; // 5
}

export function zscaleLimits(values: PixelValues, opts: ZScaleOptions = {}): Limits {
  const nSamples = opts.nSamples ?? 1000;
  const contrast = opts.contrast ?? 0.25;
  const maxReject = opts.maxReject ?? 0.5;
  const minNpixels = opts.minNpixels ?? 5;
  const krej = opts.krej ?? 2.5;
  const maxIterations = opts.maxIterations ?? 5;

  // Sample values[finite][::stride][:n_samples] with stride = int(max(1, nFinite / n_samples)),
  // walking the array twice instead of copying every finite pixel (a 4k × 4k image stays cheap).
  let nFinite = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) nFinite++;
  if (nFinite === 0) throw new InputError('IMAGE_NO_FINITE', 'zscale: the image has no finite pixel values');
  const isF32 = values instanceof Float32Array;
  const stride = Math.trunc(Math.max(1, nFinite / nSamples));
  const npix = Math.min(nSamples, Math.ceil(nFinite / stride));
  const samples = new Float64Array(npix);
  for (let i = 0, k = 0, s = 0; i < values.length && s < npix; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (k % stride === 0) samples[s++] = v;
    k++;
  }
  samples.sort();

  let vmin = samples[0]!;
  let vmax = samples[npix - 1]!;
  const minpix = Math.max(minNpixels, Math.trunc(npix * maxReject));
  const ngrow = Math.max(1, Math.trunc(npix * 0.01));
  // numpy.convolve(mode='same') with a length-ngrow box: a rejected point j marks [j − left, j + right].
  const left = Math.floor((ngrow - 1) / 2);
  const right = ngrow - 1 - left;

  let badpix = new Uint8Array(npix);
  let ngoodpix = npix;
  let lastNgoodpix = npix + 1;
  let slope = NaN;
  const flat = new Float64Array(npix);

  for (let iter = 0; iter < maxIterations; iter++) {
    if (ngoodpix >= lastNgoodpix || ngoodpix < minpix) break;
    // Least-squares line through the good points (numpy.polyfit deg 1 with 0/1 weights), centred
    // on the mean index for numerical stability.
    let sx = 0;
    let sy = 0;
    let n = 0;
    for (let i = 0; i < npix; i++)
      if (!badpix[i]) {
        sx += i;
        sy += samples[i]!;
        n++;
      }
    const xm = sx / n;
    const ym = sy / n;
    let sxx = 0;
    let sxy = 0;
    for (let i = 0; i < npix; i++)
      if (!badpix[i]) {
        const dx = i - xm;
        sxx += dx * dx;
        sxy += dx * (samples[i]! - ym);
      }
    slope = sxy / sxx;
    const intercept = ym - slope * xm;
    for (let i = 0; i < npix; i++) flat[i] = samples[i]! - (slope * i + intercept);
    // Population standard deviation of the residuals of good points (numpy std, ddof 0).
    let m = 0;
    for (let i = 0; i < npix; i++) if (!badpix[i]) m += flat[i]!;
    m /= n;
    let ss = 0;
    for (let i = 0; i < npix; i++)
      if (!badpix[i]) {
        const d = flat[i]! - m;
        ss += d * d;
      }
    const threshold = krej * Math.sqrt(ss / n);
    for (let i = 0; i < npix; i++) if (flat[i]! < -threshold || flat[i]! > threshold) badpix[i] = 1;
    // Dilate the rejected set.
    const grown = new Uint8Array(npix);
    for (let j = 0; j < npix; j++)
      if (badpix[j]) {
        const a = Math.max(0, j - left);
        const b = Math.min(npix - 1, j + right);
        for (let k = a; k <= b; k++) grown[k] = 1;
      }
    badpix = grown;
    lastNgoodpix = ngoodpix;
    ngoodpix = 0;
    for (let i = 0; i < npix; i++) if (!badpix[i]) ngoodpix++;
  }

  if (ngoodpix >= minpix && Number.isFinite(slope)) {
    if (contrast > 0) slope /= contrast;
    const centerPixel = Math.floor((npix - 1) / 2);
    const median = medianOfSorted(samples, isF32);
    vmin = Math.max(vmin, median - (centerPixel - 1) * slope);
    vmax = Math.min(vmax, median + (npix - centerPixel) * slope);
  }
  return [vmin, vmax];
}

/** numpy.median of sorted values; for float32 data the mean of the middle pair is float32 too. */
function medianOfSorted(s: Float64Array, float32: boolean): number {
  const n = s.length;
  if (n % 2 === 1) return s[(n - 1) / 2]!;
  const a = s[n / 2 - 1]!;
  const b = s[n / 2]!;
  return float32 ? Math.fround(Math.fround(a + b) / 2) : (a + b) / 2;
}
