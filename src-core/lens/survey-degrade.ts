// Degrading a sharp (space-based) image to a survey's pixels and seeing, so that a finder trained on
// that survey can score it: what lens searches do when they test on HST lenses "observed" as
// ground-based data (e.g. Metcalf et al. 2019, A&A 625, A119, §2; Jacobs et al. 2019, ApJS 243, 17).
//
//   1. flux-conserving rebinning onto the survey grid (exact pixel-overlap weights, separable), centred
//      on a chosen input position, with a margin for step 2; input outside the image counts as 0;
//   2. PSF matching: convolution with a Gaussian of FWHM √(FWHM_survey² − FWHM_input²) (Gaussian PSFs
//      add in quadrature), point-sampled on the survey grid like the simulator's kernels (psf.ts);
//   3. scaling to e⁻ over the co-add by a per-band factor (the caller's calibration and colour).
// Noise is added by the caller with noise.ts (sky + read noise + Poisson, as the simulator does).
// Pure: no I/O. Units: scales and FWHMs in arcsec; positions in 0-based input pixels.
import { InputError } from '../errors';
import { convolveValid, makeKernel } from './psf';

export interface DegradeInput {
  /** Row-major image, width × height (row 0 = FITS y = 1). */
  data: ArrayLike<number>;
  width: number;
  height: number;
  /** Input pixel scale, arcsec. */
  scale: number;
  /** Input PSF FWHM, arcsec (HST optical ≈ 0.08–0.1″). */
  fwhm: number;
  /** Input pixel (0-based, may be fractional) that becomes the centre of the output stamp. */
  cx: number;
  cy: number;
}

export interface DegradeTarget {
  /** Output pixel scale, arcsec. */
  scale: number;
  /** Output PSF FWHM, arcsec. */
  fwhm: number;
  /** Output side in pixels (odd: the centre falls on a pixel centre). */
  size: number;
}

/**
 * 1-D overlap weights: w[o][k] = length of input pixel k (spanning [k − ½, k + ½]) inside output pixel o
 * (spanning centre + (o − c ± ½)·f in input pixels, f = output/input scale), for o in [0, nOut).
 * Returned sparse: first input index and its weights per output pixel.
 */
function overlaps(nIn: number, nOut: number, centre: number, f: number): { k0: Int32Array; w: Float64Array[] } {
  const c = (nOut - 1) / 2;
  const k0 = new Int32Array(nOut);
  const w: Float64Array[] = [];
  for (let o = 0; o < nOut; o++) {
    const lo = centre + (o - c - 0.5) * f, hi = centre + (o - c + 0.5) * f;
    const a = Math.max(0, Math.floor(lo + 0.5)), b = Math.min(nIn - 1, Math.ceil(hi - 0.5));
    k0[o] = a;
    const ws = new Float64Array(Math.max(0, b - a + 1));
    for (let k = a; k <= b; k++) ws[k - a] = Math.max(0, Math.min(hi, k + 0.5) - Math.max(lo, k - 0.5));
    w.push(ws);
  }
  return { k0, w };
}

/** Flux-conserving rebin of `inp` onto an n × n grid of `outScale` pixels centred on (cx, cy). */
export function rebinFlux(inp: DegradeInput, outScale: number, n: number): Float64Array {
  const f = outScale / inp.scale;
  if (!(f > 0) || !Number.isFinite(f)) throw new InputError('DEGRADE_SCALE', `output/input pixel scale ratio must be positive, got ${f}`, { inScale: inp.scale, outScale });
  const ox = overlaps(inp.width, n, inp.cx, f);
  const oy = overlaps(inp.height, n, inp.cy, f);
  // Rows first: tmp[y][o] = Σ_x in[y][x] · wx[o][x]; then columns.
  const tmp = new Float64Array(inp.height * n);
  for (let y = 0; y < inp.height; y++) {
    const row = y * inp.width;
    for (let o = 0; o < n; o++) {
      const ws = ox.w[o]!, a = ox.k0[o]!;
      let s = 0;
      for (let k = 0; k < ws.length; k++) {
        const v = inp.data[row + a + k]!;
        if (Number.isFinite(v)) s += v * ws[k]!;
      }
      tmp[y * n + o] = s;
    }
  }
  const out = new Float64Array(n * n);
  for (let o = 0; o < n; o++) {
    const ws = oy.w[o]!, a = oy.k0[o]!;
    for (let k = 0; k < ws.length; k++) {
      const wk = ws[k]!, r = (a + k) * n;
      for (let x = 0; x < n; x++) out[o * n + x] += wk * tmp[r + x]!;
    }
  }
  return out;
}

/** FWHM of the matching Gaussian, arcsec: √(target² − input²), or 0 when the input is already broader. */
export function matchingFwhm(inputFwhm: number, targetFwhm: number): number {
  return targetFwhm > inputFwhm ? Math.sqrt(targetFwhm * targetFwhm - inputFwhm * inputFwhm) : 0;
}

/**
 * The noiseless survey-grid image (size × size, input flux units, row-major): rebinned, then convolved
 * with the matching Gaussian. Multiply by the band's e⁻ factor and add noise to get a survey cutout.
 */
export function degradeToSurvey(inp: DegradeInput, t: DegradeTarget): Float64Array {
  if (t.size % 2 !== 1 || t.size < 3) throw new InputError('DEGRADE_SIZE', `output size must be odd and ≥ 3, got ${t.size}`, { size: t.size });
  const kf = matchingFwhm(inp.fwhm, t.fwhm);
  if (kf === 0) return rebinFlux(inp, t.scale, t.size);
  const k = makeKernel({ type: 'gaussian', fwhm: kf }, t.scale);
  const margin = k.h;
  const side = t.size + 2 * margin;
  const big = rebinFlux(inp, t.scale, side);
  const out = new Float64Array(t.size * t.size);
  convolveValid(big, side, margin, k, out, new Float64Array(side * t.size));
  return out;
}
