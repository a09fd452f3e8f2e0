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
  /** Border pixels used after clipping, and before. */
  used: number;
  candidates: number;
  border: number;
}

/** Default border width: an eighth of the stamp side, at least 4 pixels (the lens and its arcs sit in the middle). */
export const borderWidth = (width: number, height: number): number => Math.max(4, Math.floor(Math.min(width, height) / 8));

/**
 * Background level and σ from the pixels within `border` of the stamp's edge that are valid (finite, not masked):
 * iterative 3σ clipping about the median, starting from σ = 1.4826 · MAD (robust to the neighbours and arcs that
 * reach the border), each σ the standard deviation of the kept pixels divided by the sd of a ±3σ-truncated normal
 * (0.98665) — astropy's sigma_clipped_stats with that correction — about twice as precise as the MAD alone.
 */
export function backgroundSigma(plane: ArrayLike<number>, width: number, height: number, valid?: ArrayLike<number>, border = borderWidth(width, height)): BackgroundEstimate {
  const vals: number[] = [];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (x >= border && x < width - border && y >= border && y < height - border) continue;
      const i = y * width + x;
      const a = Number(plane[i]);
      if (Number.isFinite(a) && (!valid || valid[i])) vals.push(a);
    }
  if (vals.length < 20)
    throw new InputError('FIT_NOISE', `only ${vals.length} valid border pixels to estimate the background noise from; give a noise HDU (VARIANCE, WHT, IVAR, ERR)`, { border, width, height });
  // Start from the MAD (robust to arcs and neighbours reaching the border); then iterate: keep |x − median| < 3σ and
  // re-estimate σ as the kept pixels' sd / 0.98665, whose fixed point for Gaussian noise is σ itself.
  const all = Float64Array.from(vals);
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
  if (!(sigma > 0)) throw new InputError('FIT_NOISE', 'the border pixels are all equal: cannot estimate the background noise; give a noise HDU', { border });
  return { level: m, sigma, used: kept.length, candidates: vals.length, border };
}
