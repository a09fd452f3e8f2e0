// Elliptical Sérsic profile (Sérsic 1963): I(R) = I_e exp(−b_n [(R/R_e)^{1/n} − 1]) with the
// area-preserving elliptical radius R = √(q x'² + y'²/q), so the total flux keeps the circular form
// F = 2π n e^{b_n} b_n^{−2n} Γ(2n) I_e R_e² (Graham & Driver 2005, PASA 22, 118, eq. 4).
// b_n from the Ciotti & Bertin (1999, A&A 352, 447) asymptotic series; R_e encloses half the light.
import { lgamma } from '../../rng';
import { centreParams, type LightProfile, type Params } from './types';

/** Ciotti & Bertin (1999) series for b_n; relative error < 1e-6 for n ≥ 0.36. */
export function sersicBn(n: number): number {
  return 2 * n - 1 / 3 + 4 / (405 * n) + 46 / (25515 * n * n) + 131 / (1148175 * n * n * n);
}

/** F / (I_e R_e²) for a Sérsic profile of index n (dimensionless). */
export function sersicFluxFactor(n: number): number {
  const b = sersicBn(n);
  return 2 * Math.PI * n * Math.exp(b - 2 * n * Math.log(b) + lgamma(2 * n));
}

/** I_e (flux per arcsec²) that gives total flux `flux` for effective radius re (arcsec). */
export function sersicIe(flux: number, re: number, n: number): number {
  return flux / (sersicFluxFactor(n) * re * re);
}

export const sersicParams = [
  { name: 'flux', unit: 'flux', lower: 0, upper: Infinity, default: 1, doc: 'total flux' },
  { name: 'r_e', unit: 'arcsec', lower: 0.01, upper: 20, default: 0.5, doc: 'half-light radius (area-preserving)' },
  { name: 'n', unit: '', lower: 0.3, upper: 8, default: 4, doc: 'Sérsic index' },
  { name: 'q', unit: '', lower: 0.1, upper: 1, default: 1, doc: 'axis ratio' },
  { name: 'phi', unit: 'rad', lower: -Math.PI, upper: Math.PI, default: 0, doc: 'major-axis angle from +x, CCW' },
  ...centreParams,
] as const;

/** Table size for the profile lookup (linear interpolation; see addSersicToPixels). */
const TABLE = 2048;
const table = new Float64Array(TABLE + 1);

/**
 * Adds wt[i]·I(x, y) of a Sérsic profile into out[pix[i]]: the loop behind SERSIC and the smooth
 * part of CLUMPY_SOURCE. For 0.25 ≤ n ≤ 4 the profile is tabulated once per call in
 * w = (R/R_e)^{1/4} = s^{1/8} (s = (R/R_e)², three square roots), where I(w) = I_e e^{b(1 − w^{4/n})}
 * has a finite slope at w = 0 even for n = 4, and interpolated linearly: relative error below 1e-5
 * of the central value with 2048 nodes, against ~40 ns of log + 2 exp per point otherwise.
 */
export function addSersicToPixels(
  xs: Float64Array, ys: Float64Array, count: number, pix: Int32Array, wt: Float64Array,
  flux: number, re: number, n: number, q: number, phi: number, cx: number, cy: number,
  out: Float64Array,
): void {
  const b = sersicBn(n);
  const a = sersicIe(flux, re, n) * Math.exp(b);
  const c = Math.cos(phi);
  const s = Math.sin(phi);
  const qa = q / (re * re);
  const qb = 1 / (q * re * re);
  // Truncate where I < 1e-5 I_e: b (R/R_e)^{1/n} > b + ln 1e5. The light beyond is < 0.1 % of the
  // total for n ≤ 4 (upper incomplete Γ(2n, b + 11.5)/Γ(2n)); the test checks the flux to 1 %.
  const tcut = 1 + Math.log(1e5) / b;
  const s2cut = Math.pow(tcut, 2 * n);
  if (n >= 0.25 && n <= 4) {
    const wcut = Math.pow(tcut, n / 4);
    const scale = (TABLE - 1) / wcut;
    const p = 4 / n;
    for (let k = 0; k <= TABLE; k++) table[k] = a * Math.exp(-b * Math.pow(k / scale, p));
    // The grid lists each pixel's samples together: sum a run in a register and add it to out[]
    // once (the same additions in the same order when out starts at 0, as in renderScene), instead
    // of a load and store of out[pix[i]] per sample.
    let cur = -1;
    let acc = 0;
    for (let i = 0; i < count; i++) {
      const dx = xs[i] - cx;
      const dy = ys[i] - cy;
      const xr = c * dx + s * dy;
      const yr = c * dy - s * dx;
      const s2 = qa * xr * xr + qb * yr * yr; // (R/R_e)²
      if (s2 > s2cut) continue;
      const x = Math.sqrt(Math.sqrt(Math.sqrt(s2))) * scale;
      const k = x | 0;
      const t0 = table[k];
      const v = wt[i] * (t0 + (x - k) * (table[k + 1] - t0));
      const pi = pix[i];
      if (pi !== cur) {
        if (cur >= 0) out[cur] += acc;
        cur = pi;
        acc = v;
      } else acc += v;
    }
    if (cur >= 0) out[cur] += acc;
    return;
  }
  const e = 0.5 / n;
  for (let i = 0; i < count; i++) {
    const dx = xs[i] - cx;
    const dy = ys[i] - cy;
    const xr = c * dx + s * dy;
    const yr = c * dy - s * dx;
    const s2 = qa * xr * xr + qb * yr * yr;
    if (s2 > s2cut) continue;
    out[pix[i]] += wt[i] * a * Math.exp(-b * Math.exp(e * Math.log(s2)));
  }
}

export function sersicAt(x: number, y: number, p: Params): number {
  const c = Math.cos(p.phi);
  const s = Math.sin(p.phi);
  const dx = x - p.center_x;
  const dy = y - p.center_y;
  const xr = c * dx + s * dy;
  const yr = c * dy - s * dx;
  const r = Math.sqrt(p.q * xr * xr + (yr * yr) / p.q);
  const b = sersicBn(p.n);
  const t = Math.pow(r / p.r_e, 1 / p.n);
  if (t > 1 + Math.log(1e5) / b) return 0; // same truncation as the grid loop
  return sersicIe(p.flux, p.r_e, p.n) * Math.exp(-b * (t - 1));
}

export const SERSIC: LightProfile = {
  kind: 'light',
  name: 'SERSIC',
  params: sersicParams,
  surfaceBrightness: sersicAt,
  totalFlux: (p) => p.flux,
  addToPixels(xs, ys, n, pix, wt, p, out) {
    addSersicToPixels(xs, ys, n, pix, wt, p.flux, p.r_e, p.n, p.q, p.phi, p.center_x, p.center_y, out);
  },
};
