// Real galaxy postage stamps as sources (e.g. HST/COSMOS cutouts, as in the GalSim COSMOS sample,
// Mandelbaum et al. 2012, MNRAS 420, 1518, and lenstronomy's INTERPOL light profile): the stamp's
// pixels, interpolated bilinearly between pixel centres and zero outside, are the source's surface
// brightness. Sources drawn only as smooth Sérsic profiles let a network learn shortcuts
// (reference page "Light"); real stamps bring irregular, clumpy morphologies.
//
// Conventions (arcsec, x along stamp columns, y along rows, as the simulator's grid):
// - negative and non-finite pixels count as 0 (sky noise must not be lensed as negative light);
//   the stamp should be sky-subtracted and, ideally, cleaned of neighbours;
// - the stamp is centred on its flux-weighted centroid (of the clipped pixels), so `center_x/y`
//   is where that centroid lands in the source plane; it is rotated by `phi` (CCW from +x);
// - the total flux is `flux` exactly: bilinear ("tent") interpolation of pixel-centre samples with
//   zero padding integrates to Σ pixels × scale², so I = flux · interp / (Σ⁺ · scale²).
// Pixel data are not parameters (they are arrays): a library of stamps is registered once per
// process (registerStampLibrary) and the scalar parameter `stamp_key` picks one, as CLUMPY_SOURCE's
// `clump_seed` picks its knots. The truth record names the stamp file and index, not the key.
import { InputError } from '../../errors';
import type { LightProfile, Params } from './types';

export interface SourceStamp {
  /** File name, with "[k]" for plane k of a cube (recorded in the truth table). */
  name: string;
  width: number;
  height: number;
  /** Arcsec per stamp pixel (from the stamp's WCS or given by the user). */
  pixelScale: number;
  /** Row-major height × width (row = y), any flux unit (renormalised). Shared memory is fine. */
  data: Float32Array | Float64Array;
}

export interface StampLibrary {
  /** Identifies the content (e.g. SHA-256 over the files' hashes): same id = same stamps. */
  id: string;
  /** Fraction of lensed sources drawn from the stamps (the rest are clumpy Sérsic sources). */
  fraction: number;
  stamps: SourceStamp[];
}

export interface StampStats {
  /** Σ of the clipped pixels (stamp units). */
  sum: number;
  /** Flux-weighted centroid, 0-based pixel coordinates (column, row). */
  cx: number;
  cy: number;
  /** Circular half-light radius about the centroid (arcsec). */
  rHalf: number;
}

const libraries = new Map<string, number>(); // library id → base key
const slots: SourceStamp[] = [];
const statsCache = new WeakMap<SourceStamp, StampStats>();

/** Registers a library (once per id) and returns the key of its first stamp: key = base + index. */
export function registerStampLibrary(lib: StampLibrary): number {
  const hit = libraries.get(lib.id);
  if (hit !== undefined) return hit;
  const base = slots.length;
  for (const s of lib.stamps) slots.push(s);
  libraries.set(lib.id, base);
  return base;
}

export function stampByKey(key: number): SourceStamp {
  const s = slots[key];
  if (!s) throw new InputError('LENS_STAMP', `no source stamp registered under key ${key}`, { stamp_key: key });
  return s;
}

const pos = (v: number) => (v > 0 ? v : 0); // NaN > 0 is false: NaN → 0

/** Sum, centroid and half-light radius of a stamp (computed once per stamp and process). */
export function stampStats(s: SourceStamp): StampStats {
  const hit = statsCache.get(s);
  if (hit) return hit;
  const { width: w, height: h, data } = s;
  let sum = 0, sx = 0, sy = 0;
  for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) {
    const v = pos(data[j * w + i]);
    sum += v; sx += v * i; sy += v * j;
  }
  if (!(sum > 0)) throw new InputError('LENS_STAMP', `source stamp ${s.name} has no positive flux`, { stamp: s.name });
  const cx = sx / sum, cy = sy / sum;
  const r: number[] = [], f: number[] = [];
  for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) {
    const v = pos(data[j * w + i]);
    if (v > 0) { r.push(Math.hypot(i - cx, j - cy)); f.push(v); }
  }
  const order = r.map((_, k) => k).sort((a, b) => r[a] - r[b]);
  let acc = 0, rHalf = 0;
  for (const k of order) {
    acc += f[k];
    if (acc >= sum / 2) { rHalf = r[k] * s.pixelScale; break; }
  }
  const st = { sum, cx, cy, rHalf };
  statsCache.set(s, st);
  return st;
}

/** Adds wt[i]·I(xs[i], ys[i]) into out[pix[i]] (the grid loop; also used for scalar evaluation). */
function addStamp(
  xs: Float64Array | number[], ys: Float64Array | number[], count: number, pix: Int32Array | number[],
  wt: Float64Array | number[], p: Params, out: Float64Array | number[],
): void {
  const s = stampByKey(p.stamp_key);
  const st = stampStats(s);
  const { width: w, height: h, data } = s;
  const inv = 1 / s.pixelScale;
  const c = Math.cos(p.phi) * inv, sn = Math.sin(p.phi) * inv;
  const amp = p.flux / (st.sum * s.pixelScale * s.pixelScale);
  const cx0 = p.center_x, cy0 = p.center_y;
  for (let k = 0; k < count; k++) {
    const dx = xs[k] - cx0, dy = ys[k] - cy0;
    // Rotate by −φ into the stamp frame, in stamp pixels from the centroid.
    const u = c * dx + sn * dy + st.cx;
    const v = c * dy - sn * dx + st.cy;
    if (!(u > -1 && v > -1 && u < w && v < h)) continue;
    const i0 = Math.floor(u), j0 = Math.floor(v);
    const tx = u - i0, ty = v - j0;
    const r0 = j0 * w, r1 = r0 + w;
    const inI0 = i0 >= 0, inI1 = i0 + 1 < w, inJ0 = j0 >= 0, inJ1 = j0 + 1 < h;
    const v00 = inI0 && inJ0 ? pos(data[r0 + i0]) : 0;
    const v10 = inI1 && inJ0 ? pos(data[r0 + i0 + 1]) : 0;
    const v01 = inI0 && inJ1 ? pos(data[r1 + i0]) : 0;
    const v11 = inI1 && inJ1 ? pos(data[r1 + i0 + 1]) : 0;
    const val = (1 - ty) * ((1 - tx) * v00 + tx * v10) + ty * ((1 - tx) * v01 + tx * v11);
    if (val !== 0) out[pix[k]] += wt[k] * amp * val;
  }
}

export const STAMP_SOURCE: LightProfile = {
  kind: 'light',
  name: 'STAMP_SOURCE',
  params: [
    { name: 'flux', unit: 'flux', lower: 0, upper: Infinity, default: 1, doc: 'total flux' },
    { name: 'phi', unit: 'rad', lower: -2 * Math.PI, upper: 2 * Math.PI, default: 0, doc: 'rotation of the stamp, CCW from +x' },
    { name: 'center_x', unit: 'arcsec', lower: -10, upper: 10, default: 0, doc: 'centroid position, x' },
    { name: 'center_y', unit: 'arcsec', lower: -10, upper: 10, default: 0, doc: 'centroid position, y' },
    { name: 'stamp_key', unit: '', lower: 0, upper: 2 ** 31, default: 0, doc: 'registered stamp (registerStampLibrary base + index)' },
  ],
  surfaceBrightness(x, y, p) {
    const out = [0];
    addStamp([x], [y], 1, [0], [1], p, out);
    return out[0];
  },
  totalFlux: (p) => p.flux,
  addToPixels(xs, ys, n, pix, wt, p, out) {
    addStamp(xs, ys, n, pix, wt, p, out);
  },
};
