// Colour composites after Lupton et al. (2004, PASP 116, 133), step for step as astropy 8's
// make_lupton_rgb(r, g, b, minimum, stretch, Q) (RGBImageMappingLupton.apply_mappings):
//   1. x_c = band_c − minimum_c                        (per band, data units)
//   2. I = (x_r + x_g + x_b)/3;  f(I) = asinh(Q·I/stretch)·0.1/asinh(0.1·Q)
//   3. x_c ← x_c · f(I)/I   (0 where I ≤ 0), then x_c ← max(x_c, 0)
//   4. where max_c x_c > 1, every channel is divided by that max: colour is kept, not clipped
//   5. uint8 = trunc(x_c · 255)   (numpy astype: truncation, not rounding)
// When all three inputs are Float32Array, every step is rounded to float32 as numpy does for
// float32 images (the scalar `slope` is float64 in astropy, so that one product is float64 then
// rounded). Optional per-band `scales` (HumVI, Marshall et al. 2016) multiply x_c after step 1;
// astropy has no such parameter, so leave them at 1 for astropy parity.
import { InputError } from '../errors';
import { LuptonAsinhStretch } from './lupton-stretch';

export type Triple = readonly [number, number, number];

export interface LuptonOptions {
  /** Data value mapped to black, one for all bands or per band (r, g, b). Default 0. */
  minimum?: number | Triple;
  /** Linear range of the asinh stretch in data units (astropy `stretch`). Default 5. */
  stretch?: number;
  /** Asinh softening (astropy `Q`). Default 8. */
  Q?: number;
  /** Per-band multipliers applied after the minimum (HumVI-style band balance). Default 1, 1, 1. */
  scales?: Triple;
}

/**
 * Returns interleaved RGB bytes (length 3·n) in the input's pixel order (row 0 = FITS y = 1), i.e.
 * astropy's rgb[row][col][c] flattened in C order. Pass `out` to reuse a buffer per stamp.
 */
export function makeLuptonRgb(
  r: ArrayLike<number>,
  g: ArrayLike<number>,
  b: ArrayLike<number>,
  opts: LuptonOptions = {},
  out?: Uint8Array,
): Uint8Array {
  const n = r.length;
  if (g.length !== n || b.length !== n)
    throw new InputError('RGB_SHAPE', `the three bands must have the same number of pixels (r ${n}, g ${g.length}, b ${b.length})`);
  const rgb = out ?? new Uint8Array(3 * n);
  if (rgb.length < 3 * n) throw new InputError('RGB_SHAPE', `output buffer holds ${rgb.length} bytes, needs ${3 * n}`);
  const m = opts.minimum ?? 0;
  const [m0, m1, m2] = typeof m === 'number' ? [m, m, m] : m;
  const [s0, s1, s2] = opts.scales ?? [1, 1, 1];
  const scaled = s0 !== 1 || s1 !== 1 || s2 !== 1;
  const st = new LuptonAsinhStretch(opts.stretch ?? 5, opts.Q ?? 8);
  const f32 = r instanceof Float32Array && g instanceof Float32Array && b instanceof Float32Array;
  if (f32) luptonFloat32(r, g, b, [m0, m1, m2], [s0, s1, s2], st, rgb);
  else luptonFloat64(r, g, b, [m0, m1, m2], [s0, s1, s2], st, rgb);
  return rgb;
}

// Two copies of one loop on purpose: with Math.fround written out V8 compiles the float32 path to
// single-precision arithmetic, and the float64 path pays nothing for it (a shared loop calling a
// rounding function through a variable was 3–4× slower).

/** Float32 inputs: every array step rounded to float32 as NumPy does (see header). */
function luptonFloat32(r: Float32Array, g: Float32Array, b: Float32Array, m: Triple, s: Triple, st: LuptonAsinhStretch, rgb: Uint8Array): void {
  const fr = Math.fround;
  // Python-float scalars meet float32 arrays as float32 (NumPy 2 / NEP 50 "weak" scalars).
  const mr = fr(m[0]), mg = fr(m[1]), mb = fr(m[2]);
  const s0 = s[0], s1 = s[1], s2 = s[2];
  const scaled = s0 !== 1 || s1 !== 1 || s2 !== 1;
  const soften = fr(st.soften);
  const slope = st.slope; // np.float64 scalar in astropy: product computed in float64, then rounded
  const n = r.length;
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    let xr = fr(r[i]! - mr);
    let xg = fr(g[i]! - mg);
    let xb = fr(b[i]! - mb);
    if (scaled) {
      xr = fr(xr * s0);
      xg = fr(xg * s1);
      xb = fr(xb * s2);
    }
    const I = fr(fr(fr(xr + xg) + xb) / 3);
    let fac = 0;
    if (I > 0) fac = fr(fr(fr(Math.asinh(fr(I * soften))) * slope) / I);
    else if (I !== I) fac = NaN;
    xr = fr(xr * fac);
    xg = fr(xg * fac);
    xb = fr(xb * fac);
    if (xr < 0) xr = 0;
    if (xg < 0) xg = 0;
    if (xb < 0) xb = 0;
    const mx = xr > xg ? (xr > xb ? xr : xb) : xg > xb ? xg : xb;
    if (mx > 1) {
      xr = fr(xr / mx);
      xg = fr(xg / mx);
      xb = fr(xb / mx);
    }
    rgb[o] = toByte(fr(xr * 255));
    rgb[o + 1] = toByte(fr(xg * 255));
    rgb[o + 2] = toByte(fr(xb * 255));
  }
}

/** Any other input (float64, integers): plain double arithmetic, as NumPy on float64 arrays. */
function luptonFloat64(r: ArrayLike<number>, g: ArrayLike<number>, b: ArrayLike<number>, m: Triple, s: Triple, st: LuptonAsinhStretch, rgb: Uint8Array): void {
  const [mr, mg, mb] = m;
  const [s0, s1, s2] = s;
  const soften = st.soften;
  const slope = st.slope;
  const n = r.length;
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    let xr = (r[i]! - mr) * s0;
    let xg = (g[i]! - mg) * s1;
    let xb = (b[i]! - mb) * s2;
    const I = (xr + xg + xb) / 3;
    const fac = I > 0 ? (Math.asinh(I * soften) * slope) / I : I !== I ? NaN : 0;
    xr *= fac;
    xg *= fac;
    xb *= fac;
    if (xr < 0) xr = 0;
    if (xg < 0) xg = 0;
    if (xb < 0) xb = 0;
    const mx = xr > xg ? (xr > xb ? xr : xb) : xg > xb ? xg : xb;
    if (mx > 1) {
      xr /= mx;
      xg /= mx;
      xb /= mx;
    }
    // NaN (blank pixels) becomes 0, as numpy's float→uint8 cast does on x86.
    rgb[o] = toByte(xr * 255);
    rgb[o + 1] = toByte(xg * 255);
    rgb[o + 2] = toByte(xb * 255);
  }
}

function toByte(v: number): number {
  return v >= 255 ? 255 : v > 0 ? v | 0 : 0;
}
