// Gridding a shear catalog on a tangent-plane pixel grid (shared/reference/mass-mapping.md §3).
// Projection: gnomonic (TAN, Calabretta & Greisen 2002 §5.1.3) about (α0, δ0):
//   cos c = sin δ0 sin δ + cos δ0 cos δ cos(α − α0),
//   ξ = cos δ sin(α − α0)/cos c,  η = (cos δ0 sin δ − sin δ0 cos δ cos(α − α0))/cos c   (radians),
// written as a standard sky image: x (columns) grows to the EAST-LEFT, i.e. CD1_1 = −Δ, CD2_2 = +Δ, so
// the FITS file displays north up, east left. Because x runs against RA, a catalog γ2 defined in a frame
// with x along +RA changes sign on the grid (§1 "Sign and orientation"): (e1Sign, e2Sign) = (+1, −1) by
// default. Catalogs differ: the lenspack simulated catalogue (shared/data/massmap) needs (−1, +1), i.e. its
// shears are the negative of that convention — measured by the test that correlates its KS map with its
// own true κ (shear-catalog.test.ts). The CLI exposes both signs (--flip-e1, --flip-e2). The local RA/Dec axes rotate slightly with respect to the grid
// away from the tangent point; that rotation (≈ Δα sin δ) is ignored, as in flat-sky KS (fields ≲ 10°).
// Per pixel p:  γ̂_p = Σ w_i e_i / Σ w_i,  σ_p² = σ_e² Σ w_i² / (Σ w_i)²  (= σ_e²/N_p for equal weights),
// N_p = 0 → masked (variance ∞, inverse variance 0, γ = 0).
import { InputError } from '../errors';
import type { CardInput } from '../fits/card-format';

const D2R = Math.PI / 180;

export interface GridSpec {
  /** Tangent point, degrees. */
  ra0: number;
  dec0: number;
  /** Pixel side, arcmin. */
  pixArcmin: number;
  rows: number;
  cols: number;
}

/** Gnomonic projection of one position; returns 0-based pixel (x, y) or NaN when behind the tangent plane. */
export function skyToGrid(g: GridSpec, ra: number, dec: number): [number, number] {
  const sd0 = Math.sin(g.dec0 * D2R), cd0 = Math.cos(g.dec0 * D2R);
  const d = dec * D2R, da = (ra - g.ra0) * D2R, sd = Math.sin(d), cd = Math.cos(d), cda = Math.cos(da);
  const cosc = sd0 * sd + cd0 * cd * cda;
  if (!(cosc > 0)) return [NaN, NaN];
  const xi = (cd * Math.sin(da)) / cosc, eta = (cd0 * sd - sd0 * cd * cda) / cosc;
  const pix = (g.pixArcmin / 60) * D2R;
  return [(g.cols - 1) / 2 - xi / pix, (g.rows - 1) / 2 + eta / pix];
}

/** Inverse gnomonic projection (Calabretta & Greisen 2002 §5.1.3): 0-based pixel → (RA, Dec) degrees. */
export function gridToSky(g: GridSpec, x: number, y: number): [number, number] {
  const pix = (g.pixArcmin / 60) * D2R, d0 = g.dec0 * D2R;
  const xi = -(x - (g.cols - 1) / 2) * pix, eta = (y - (g.rows - 1) / 2) * pix, rho = Math.hypot(xi, eta);
  if (rho === 0) return [g.ra0, g.dec0];
  const c = Math.atan(rho), sc = Math.sin(c), cc = Math.cos(c);
  const dec = Math.asin(cc * Math.sin(d0) + (eta * sc * Math.cos(d0)) / rho);
  const ra = g.ra0 * D2R + Math.atan2(xi * sc, rho * Math.cos(d0) * cc - eta * Math.sin(d0) * sc);
  return [((((ra / D2R) % 360) + 360) % 360), dec / D2R];
}

/** TAN WCS keywords of the grid (CRPIX at the grid centre, 1-based). */
export function gridWcsCards(g: GridSpec): CardInput[] {
  const deg = g.pixArcmin / 60;
  return [
    { keyword: 'WCSAXES', value: 2 },
    { keyword: 'CTYPE1', value: 'RA---TAN' },
    { keyword: 'CTYPE2', value: 'DEC--TAN' },
    { keyword: 'CRPIX1', value: (g.cols + 1) / 2, type: 'float' },
    { keyword: 'CRPIX2', value: (g.rows + 1) / 2, type: 'float' },
    { keyword: 'CRVAL1', value: g.ra0, type: 'float' },
    { keyword: 'CRVAL2', value: g.dec0, type: 'float' },
    { keyword: 'CD1_1', value: -deg, type: 'float' },
    { keyword: 'CD1_2', value: 0, type: 'float' },
    { keyword: 'CD2_1', value: 0, type: 'float' },
    { keyword: 'CD2_2', value: deg, type: 'float' },
    { keyword: 'CUNIT1', value: 'deg' },
    { keyword: 'CUNIT2', value: 'deg' },
    { keyword: 'RADESYS', value: 'ICRS' },
  ];
}

export interface AutoGridOptions {
  /** Pixel side, arcmin; default: ≈ 10 galaxies per pixel on average, within [0.1′, 10′]. */
  pixArcmin?: number;
  /** Field centre, degrees (default: the centre of the galaxies' RA/Dec range, RA wrap-aware). */
  ra0?: number;
  dec0?: number;
  /** Field side, arcmin (default: all galaxies plus one pixel). */
  fieldArcmin?: number;
  /** Grid side multiplier ≥ 1: the field sits in the middle of a grid `pad` times larger (§6). */
  pad?: number;
  /** Largest allowed side in pixels (default 4096). */
  maxSide?: number;
}

/** Chooses the tangent point, pixel and grid size from the positions (degrees). */
export function autoGrid(ra: ArrayLike<number>, dec: ArrayLike<number>, o: AutoGridOptions = {}): GridSpec {
  const n = ra.length;
  if (n === 0) throw new InputError('MASSMAP_EMPTY', 'the shear catalog has no usable galaxies: nothing to grid', {});
  let ra0 = o.ra0, dec0 = o.dec0;
  if (ra0 === undefined || dec0 === undefined) {
    // RA centre: mid-point of the smallest arc holding all galaxies (wrap-aware via a 1° histogram gap).
    const occ = new Uint8Array(360);
    let dmin = Infinity, dmax = -Infinity;
    for (let i = 0; i < n; i++) {
      occ[Math.floor((((ra[i]! % 360) + 360) % 360)) % 360] = 1;
      dmin = Math.min(dmin, dec[i]!);
      dmax = Math.max(dmax, dec[i]!);
    }
    let bestGap = -1, bestEnd = 0;
    for (let s = 0; s < 360; s++) {
      if (occ[s]) continue;
      let len = 0;
      while (len < 360 && !occ[(s + len) % 360]) len++;
      if (len > bestGap) { bestGap = len; bestEnd = (s + len) % 360; }
    }
    const shift = bestGap > 0 ? bestEnd : 0; // RA measured from the start of the occupied arc
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const a = ((((ra[i]! - shift) % 360) + 360) % 360);
      lo = Math.min(lo, a);
      hi = Math.max(hi, a);
    }
    ra0 ??= ((((lo + hi) / 2 + shift) % 360) + 360) % 360;
    dec0 ??= (dmin + dmax) / 2;
  }
  // Extent on the tangent plane, in arcmin.
  const probe: GridSpec = { ra0, dec0, pixArcmin: 1, rows: 1, cols: 1 };
  let ext = 0;
  for (let i = 0; i < n; i++) {
    const [x, y] = skyToGrid(probe, ra[i]!, dec[i]!);
    if (Number.isFinite(x)) ext = Math.max(ext, Math.abs(x), Math.abs(y));
  }
  const field = o.fieldArcmin ?? 2 * ext;
  let pix = o.pixArcmin;
  if (pix === undefined) {
    const perArcmin2 = n / Math.max(field * field, 1e-6);
    pix = Math.min(10, Math.max(0.1, Math.sqrt(10 / perArcmin2)));
    pix = Number(pix.toPrecision(2));
  }
  if (!(pix > 0)) throw new InputError('MASSMAP_GRID', `pixel size must be > 0 arcmin (got ${pix})`, {});
  const side = Math.ceil(field / pix) + 1, pad = Math.max(1, o.pad ?? 1), maxSide = o.maxSide ?? 4096;
  const full = Math.max(2, Math.ceil(side * pad));
  if (full > maxSide) {
    throw new InputError('MASSMAP_GRID', `a ${field.toFixed(1)}′ field at ${pix}′ pixels (pad ${pad}) needs ${full} pixels per side, more than ${maxSide}; choose a larger --pixel`, { pixels: full });
  }
  return { ra0, dec0, pixArcmin: pix, rows: full, cols: full };
}

export interface GriddedShear {
  grid: GridSpec;
  g1: Float64Array;
  g2: Float64Array;
  /** Galaxies per pixel. */
  count: Int32Array;
  /** Noise variance per pixel and component; Infinity where masked. */
  variance: Float64Array;
  /** 1 = observed (at least one galaxy). */
  mask: Uint8Array;
  /** Weighted pixel means of the `extra` columns (NaN where empty), e.g. a true κ for evaluation. */
  extra: Float64Array[];
  /** Galaxies outside the grid (or behind the tangent plane). */
  outside: number;
  /** σ_e used (given or estimated). */
  sigmaE: number;
}

export interface GridShearInput {
  ra: ArrayLike<number>;
  dec: ArrayLike<number>;
  e1: ArrayLike<number>;
  e2: ArrayLike<number>;
  weight?: ArrayLike<number>;
  extra?: ArrayLike<number>[];
}

/**
 * Bins galaxies into the grid. σ_e (per component) is given, or estimated as the weighted rms
 * √(Σw(e1² + e2²)/(2Σw)) — which includes the (small) shear signal, so it errs on the noisy side.
 */
export function gridShear(g: GridSpec, c: GridShearInput, o: { sigmaE?: number; e1Sign?: 1 | -1; e2Sign?: 1 | -1 } = {}): GriddedShear {
  const { rows, cols } = g, N = rows * cols, n = c.ra.length;
  const sw = new Float64Array(N), sw2 = new Float64Array(N), s1 = new Float64Array(N), s2 = new Float64Array(N);
  const count = new Int32Array(N), nx = c.extra?.length ?? 0;
  const ex = Array.from({ length: nx }, () => new Float64Array(N));
  const sd0 = Math.sin(g.dec0 * D2R), cd0 = Math.cos(g.dec0 * D2R), ipix = 1 / ((g.pixArcmin / 60) * D2R);
  const cx = (cols - 1) / 2, cy = (rows - 1) / 2, e1s = o.e1Sign ?? 1, e2s = o.e2Sign ?? -1;
  let outside = 0, ssq = 0, swAll = 0;
  for (let i = 0; i < n; i++) {
    const d = c.dec[i]! * D2R, da = (c.ra[i]! - g.ra0) * D2R;
    const sd = Math.sin(d), cd = Math.cos(d), cda = Math.cos(da);
    const cosc = sd0 * sd + cd0 * cd * cda;
    const x = Math.round(cx - ((cd * Math.sin(da)) / cosc) * ipix);
    const y = Math.round(cy + ((cd0 * sd - sd0 * cd * cda) / cosc) * ipix);
    if (!(cosc > 0) || !(x >= 0 && x < cols && y >= 0 && y < rows)) {
      outside++;
      continue;
    }
    const p = y * cols + x, w = c.weight ? c.weight[i]! : 1, a = c.e1[i]!, b = c.e2[i]!;
    sw[p] += w;
    sw2[p] += w * w;
    s1[p] += w * a;
    s2[p] += w * b;
    count[p]++;
    ssq += w * (a * a + b * b);
    swAll += w;
    for (let j = 0; j < nx; j++) ex[j]![p] += w * c.extra![j]![i]!;
  }
  if (swAll === 0) {
    throw new InputError('MASSMAP_EMPTY', `none of the ${n} galaxies falls on the ${rows} × ${cols} grid (or all weights are 0)`, { galaxies: n });
  }
  const sigmaE = o.sigmaE ?? Math.sqrt(ssq / (2 * swAll));
  const g1 = new Float64Array(N), g2 = new Float64Array(N), variance = new Float64Array(N), mask = new Uint8Array(N);
  for (let p = 0; p < N; p++) {
    if (sw[p]! > 0) {
      g1[p] = (e1s * s1[p]!) / sw[p]!;
      g2[p] = (e2s * s2[p]!) / sw[p]!;
      variance[p] = (sigmaE * sigmaE * sw2[p]!) / (sw[p]! * sw[p]!);
      mask[p] = 1;
      for (let j = 0; j < nx; j++) ex[j]![p] = ex[j]![p]! / sw[p]!;
    } else {
      variance[p] = Infinity;
      for (let j = 0; j < nx; j++) ex[j]![p] = NaN;
    }
  }
  return { grid: g, g1, g2, count, variance, mask, extra: ex, outside, sigmaE };
}
