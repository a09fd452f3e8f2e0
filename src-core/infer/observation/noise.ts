// Noise of a cutout as a variance per pixel, in the image's own unit squared.
// From a noise HDU (by EXTNAME):
//   VARIANCE, VAR                     σ²
//   IVAR, INVVAR, WEIGHT, WHT         1/σ² (inverse variance; HST drizzle's WHT with final_wht_type = IVM or ERR is
//                                     the inverse variance of the background, Fruchter & Hook 2002, DrizzlePac
//                                     handbook §4.2.1), weight ≤ 0 → the pixel carries no information (masked)
//   ERR, SIGMA, NOISE, STD, RMS       σ
// Else from the background: a sigma-clipped estimate over the stamp's border pixels (see backgroundSigma),
// constant over the stamp, plus — when the gain is known — the Poisson variance of the model (lens-fit, after the MAP).
import { InputError } from '../../errors';

export type NoiseKind = 'variance' | 'inverse-variance' | 'sigma';

const NOISE_EXTNAMES: ReadonlyArray<readonly [string, NoiseKind]> = [
  ['VARIANCE', 'variance'], ['VAR', 'variance'], ['IVAR', 'inverse-variance'], ['INVVAR', 'inverse-variance'],
  ['WEIGHT', 'inverse-variance'], ['WHT', 'inverse-variance'], ['ERR', 'sigma'], ['SIGMA', 'sigma'],
  ['NOISE', 'sigma'], ['STD', 'sigma'], ['RMS', 'sigma'],
];
/** EXTNAMEs that hold noise, in the order they are looked for. */
export const NOISE_HDU_NAMES: readonly string[] = NOISE_EXTNAMES.map(([n]) => n);

/** Bad-pixel HDUs (nonzero = bad): LensDesk's and most pipelines' MASK, HST's DQ, a bad-pixel map BPM. */
export const MASK_HDU_NAMES: readonly string[] = ['MASK', 'DQ', 'BPM'];

export function noiseKindOf(extname: string): NoiseKind | null {
  const e = extname.trim().toUpperCase();
  return NOISE_EXTNAMES.find(([n]) => n === e)?.[1] ?? null;
}

/** Variance (image unit²) from a noise plane; non-finite or non-positive information → Infinity (no weight). */
export function toVariance(kind: NoiseKind, noise: ArrayLike<number>): Float64Array {
  const out = new Float64Array(noise.length);
  for (let i = 0; i < noise.length; i++) {
    const v = Number(noise[i]);
    const variance = kind === 'variance' ? v : kind === 'sigma' ? v * v : 1 / v;
    out[i] = Number.isFinite(variance) && variance > 0 && (kind !== 'sigma' || v > 0) ? variance : Infinity;
  }
  return out;
}

/** Sorted copy's median (values already finite). */
function median(v: Float64Array): number {
  const s = Float64Array.from(v).sort();
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : 0.5 * (s[n / 2 - 1]! + s[n / 2]!);
}

/** sd of a standard normal truncated to ±3: the clipped sd underestimates σ by this factor. */
const CLIP3_SD = 0.986_65;

export interface BackgroundEstimate {
  /** Background level and σ in the plane's unit. */
  level: number;
  sigma: number;
  /** Neighbour differences used after clipping, and before. */
  used: number;
  candidates: number;
  border: number;
}

/** Default border width: an eighth of the stamp side, at least 4 pixels (the lens and its arcs sit in the middle). */
export const borderWidth = (width: number, height: number): number => Math.max(4, Math.floor(Math.min(width, height) / 8));

/**
 * Iterative 3σ clipping about the median, starting from σ = 1.4826 · MAD; each σ is the sd of the kept values
 * divided by the sd of a ±3σ-truncated normal (0.98665), whose fixed point for Gaussian noise is σ itself —
 * astropy's sigma_clipped_stats with that correction, about twice as precise as the MAD alone.
 */
function clippedStats(all: Float64Array): { mean: number; median: number; sigma: number; used: number } {
  let centre = median(all);
  let sigma = 1.4826 * median(all.map((a) => Math.abs(a - centre)));
  let kept = all;
  let m = centre;
  for (let it = 0; it < 20 && sigma > 0; it++) {
    const next = all.filter((a) => Math.abs(a - centre) < 3 * sigma);
    if (next.length < 2) break;
    kept = next;
    m = 0;
    for (const a of kept) m += a;
    m /= kept.length;
    let ss = 0;
    for (const a of kept) ss += (a - m) ** 2;
    const s2 = Math.sqrt(ss / (kept.length - 1)) / CLIP3_SD;
    centre = median(kept);
    const done = Math.abs(s2 - sigma) <= 1e-6 * sigma;
    sigma = s2;
    if (done) break;
  }
  return { mean: m, median: centre, sigma, used: kept.length };
}

/**
 * Background level and σ from the valid (finite, unmasked) pixels within `border` of the stamp's edge. σ comes from
 * the differences of horizontally neighbouring border pixels, (a − b)/√2, sigma-clipped (clippedStats): the lens
 * galaxy's wings and a sky gradient reach the border of a lens stamp (measured: a 9″ LSST stamp of a simulated lens
 * has 1000–2000 e⁻ of lens light at its edge against σ = 527 e⁻, which the scatter of the pixel values turns into a
 * 35 % overestimate), but they change little from one pixel to the next, while white noise differences have σ√2.
 * Noise correlated between neighbours (drizzled or resampled images) makes this an underestimate: give the file's
 * weight map then. The level is the clipped mean of the border values.
 */
export function backgroundSigma(plane: ArrayLike<number>, width: number, height: number, valid?: ArrayLike<number>, border = borderWidth(width, height)): BackgroundEstimate {
  const inBorder = (x: number, y: number) => x < border || x >= width - border || y < border || y >= height - border;
  const ok = (i: number) => Number.isFinite(Number(plane[i])) && (!valid || !!valid[i]);
  const vals: number[] = [];
  const diffs: number[] = [];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (!inBorder(x, y)) continue;
      const i = y * width + x;
      if (!ok(i)) continue;
      vals.push(Number(plane[i]));
      if (x + 1 < width && inBorder(x + 1, y) && ok(i + 1)) diffs.push((Number(plane[i + 1]) - Number(plane[i])) * Math.SQRT1_2);
    }
  if (diffs.length < 20)
    throw new InputError('FIT_NOISE', `only ${vals.length} valid border pixels to estimate the background noise from; give a noise HDU (VARIANCE, WHT, IVAR, ERR)`, { border, width, height });
  const d = clippedStats(Float64Array.from(diffs));
  const v = clippedStats(Float64Array.from(vals));
  if (!(d.sigma > 0)) throw new InputError('FIT_NOISE', 'the border pixels are all equal: cannot estimate the background noise; give a noise HDU', { border });
  return { level: v.mean, sigma: d.sigma, used: d.used, candidates: diffs.length, border };
}
