// Forward model of one multi-band cutout for lens-model fitting, following the emcee peer
// (shared/peers/lens_fit_emcee.py) and shared/reference/inference.md "Lens-model posterior":
// SIE (centre fixed at the stamp centre) + external shear; Sérsic source; de Vaucouleurs (n = 4) lens
// light sharing q and φ with the mass; per-band PSF; 12 non-linear parameters. The 2 × bands amplitudes
// (source and lens light per band, e⁻ per pixel at R_e) are linear and are profiled out by 2-column
// non-negative least squares on σ-weighted templates in every evaluation (as lenstronomy does).
// Reuses the simulator's pieces (src-core/lens): shear, b_n, the sub-pixel grid and the PSF kernels; the SIE
// and Sérsic loops are evaluated exactly here (see addSieExact) because the simulator's fast path tabulates them.
// Units: arcsec, radians CCW from +x; images and variances in e⁻ and e⁻².
import type { SubpixelGrid } from '../lens/grid';
import { convolveValid, type PsfKernel } from '../lens/psf';
import { SHEAR } from '../lens/profiles/shear';
import { sersicBn } from '../lens/profiles/sersic';
import type { ParamSpec } from './param-spec';
import { checkCutout, fitGrid, weightPixels } from './lens-pixels';

/** The sampled (non-linear) parameters, in the peer's order. */
export const LENS_PARAM_NAMES = [
  'theta_E', 'e1', 'e2', 'gamma1', 'gamma2', 'src_x', 'src_y', 'src_r_e', 'src_n', 'src_e1', 'src_e2', 'lens_r_e',
] as const;
export const N_LENS_PARAMS = LENS_PARAM_NAMES.length;

/** Uniform prior box (the peer's PRIOR); both ellipticity pairs are further limited to |e| < E_MAX. */
export const LENS_PRIOR_LOWER = Float64Array.from([0.3, -0.5, -0.5, -0.2, -0.2, -3, -3, 0.03, 0.3, -0.5, -0.5, 0.1]);
export const LENS_PRIOR_UPPER = Float64Array.from([4, 0.5, 0.5, 0.2, 0.2, 3, 3, 2, 6, 0.5, 0.5, 5]);
export const E_MAX = 0.5;
/** Indices of the two ellipticity pairs (mass/lens light, source). */
export const ELLIPTICITY_PAIRS: ReadonlyArray<readonly [number, number]> = [[1, 2], [9, 10]];

/** The 12-parameter model's box (the peer's PRIOR) and MAP start box (the peer's START). */
export const LENS12_SPEC: ParamSpec = {
  names: LENS_PARAM_NAMES,
  lower: LENS_PRIOR_LOWER,
  upper: LENS_PRIOR_UPPER,
  startLower: Float64Array.from([0.5, -0.2, -0.2, -0.05, -0.05, -0.6, -0.6, 0.1, 0.7, -0.2, -0.2, 0.3]),
  startUpper: Float64Array.from([3, 0.2, 0.2, 0.05, 0.05, 0.6, 0.6, 0.8, 4, 0.2, 0.2, 3]),
  pairs: ELLIPTICITY_PAIRS,
  eMax: E_MAX,
};

/** lenstronomy's ellipticity e = (1−q)/(1+q)(cos 2φ, sin 2φ) → (q, φ). */
export function ellipticityToQPhi(e1: number, e2: number): { q: number; phi: number } {
  const e = Math.hypot(e1, e2);
  return { q: (1 - e) / (1 + e), phi: 0.5 * Math.atan2(e2, e1) };
}

export function qPhiToEllipticity(q: number, phi: number): [number, number] {
  const e = (1 - q) / (1 + q);
  return [e * Math.cos(2 * phi), e * Math.sin(2 * phi)];
}

export interface LensCutout {
  bands: number;
  /** Stamp side in pixels (odd: the lens sits on the centre of the central pixel). */
  size: number;
  pixelScale: number;
  /** bands × size × size, row-major (band-major), e⁻. */
  image: Float64Array;
  /** Same shape, e⁻²; pixels with variance ≤ 0 or non-finite are ignored (weight 0). */
  variance: Float64Array;
  /** One PSF kernel per band (src-core/lens/psf makeKernel). */
  psf: PsfKernel[];
}

export interface LensModelOptions {
  /** Sub-pixels per pixel side for ray shooting (peer and simulator: 3). */
  supersample?: number;
  /** Sub-pixels in the PSF margin and in the central 3 × 3 pixels; default: the simulator's grid defaults,
   * so that a fit uses the same pixel integration as the cutouts LensDesk simulates. */
  marginSupersample?: number;
  centreSupersample?: number;
  /** 'uniform': ss × ss sub-pixels everywhere, including one on the exact centre of the central pixel, as
   * the numpy peer (lens_sim_numpy.py bin_pixels) renders; needed to fit the peer's cutouts, whose lens-light
   * cusp is sampled at r = 0. Default 'simulator' (the src-core/lens grid). */
  grid?: 'simulator' | 'uniform';
}

export { uniformGrid } from './lens-pixels';

export interface LensSolution {
  /** χ² with the amplitudes at their NNLS optimum. */
  chi2: number;
  /** amplitudes[2b] = source, amplitudes[2b+1] = lens light, band b (e⁻ per pixel at R_e). */
  amplitudes: Float64Array;
}

export class LensModel {
  readonly spec = LENS12_SPEC;
  readonly grid: SubpixelGrid;
  readonly npix: number;
  private readonly w: Float64Array; // 1/σ per pixel
  private readonly yw: Float64Array; // data / σ
  private readonly yy: Float64Array; // Σ (data/σ)² per band
  /** Linear amplitudes: source and lens light per band. */
  get nLinear(): number {
    return 2 * this.data.bands;
  }
  /** Weights 1/σ (read by the analytic gradient). */
  get weights(): Float64Array {
    return this.w;
  }
  get weightedData(): Float64Array {
    return this.yw;
  }
  /** Source-plane positions β of the sub-pixels after the last templates() call. */
  readonly bx: Float64Array;
  readonly by: Float64Array;
  /** Pre-PSF templates on the padded frame after the last templates() call. */
  readonly srcPre: Float64Array;
  readonly lensPre: Float64Array;
  private readonly tmp: Float64Array;
  /** PSF-convolved templates, bands × npix each (unweighted). */
  readonly srcT: Float64Array;
  readonly lensT: Float64Array;
  /** Sérsic values per sub-pixel from the last templates() call (source at β, lens light at θ). */
  readonly srcCache: SersicCache;
  readonly lensCache: SersicCache;
  /** Number of likelihood evaluations so far. */
  evaluations = 0;

  constructor(readonly data: LensCutout, options: LensModelOptions = {}) {
    const { bands, size } = data;
    this.npix = checkCutout(data);
    this.grid = fitGrid(data, options);
    const side2 = this.grid.side * this.grid.side;
    ({ w: this.w, yw: this.yw, yy: this.yy } = weightPixels(data));
    this.bx = new Float64Array(this.grid.n);
    this.by = new Float64Array(this.grid.n);
    this.srcCache = sersicCache(this.grid.n);
    this.lensCache = sersicCache(this.grid.n);
    this.srcPre = new Float64Array(side2);
    this.lensPre = new Float64Array(side2);
    this.tmp = new Float64Array(this.grid.side * size);
    this.srcT = new Float64Array(bands * this.npix);
    this.lensT = new Float64Array(bands * this.npix);
  }

  /** Renders the two PSF-convolved unit-amplitude templates for parameters t into srcT and lensT. */
  templates(t: ArrayLike<number>): void {
    const g = this.grid;
    const [thetaE, e1, e2, g1, g2, sx, sy, sre, sn, se1, se2, lre] = Array.from({ length: 12 }, (_, i) => t[i]!);
    const mass = ellipticityToQPhi(e1!, e2!);
    const src = ellipticityToQPhi(se1!, se2!);
    // Ray shooting: β = θ − α(θ).
    this.bx.fill(0);
    this.by.fill(0);
    addSieExact(g.x, g.y, g.n, thetaE!, mass.q, mass.phi, this.bx, this.by);
    SHEAR.addDeflections(g.x, g.y, g.n, { gamma1: g1!, gamma2: g2!, center_x: 0, center_y: 0 }, this.bx, this.by);
    for (let i = 0; i < g.n; i++) {
      this.bx[i] = g.x[i]! - this.bx[i]!;
      this.by[i] = g.y[i]! - this.by[i]!;
    }
    // Sérsic with I_e · pixel area = 1, so a template pixel is the pixel-averaged I / I_e.
    const area = g.pixelScale * g.pixelScale;
    this.srcPre.fill(0);
    this.lensPre.fill(0);
    addSersicExact(this.bx, this.by, g.n, g.pix, g.wt, 1 / area, sre!, sn!, src.q, src.phi, sx!, sy!, this.srcPre, this.srcCache);
    addSersicExact(g.x, g.y, g.n, g.pix, g.wt, 1 / area, lre!, 4, mass.q, mass.phi, 0, 0, this.lensPre, this.lensCache);
    for (let b = 0; b < this.data.bands; b++) {
      const k = this.data.psf[b]!;
      convolveValid(this.srcPre, g.side, g.margin, k, this.srcT.subarray(b * this.npix, (b + 1) * this.npix), this.tmp);
      convolveValid(this.lensPre, g.side, g.margin, k, this.lensT.subarray(b * this.npix, (b + 1) * this.npix), this.tmp);
    }
  }

  /** χ² and NNLS amplitudes at t (renders the templates). Non-finite parameters give χ² = ∞. */
  solve(t: ArrayLike<number>, amplitudes: Float64Array = new Float64Array(2 * this.data.bands)): LensSolution {
    this.evaluations++;
    this.templates(t);
    let chi2 = 0;
    const n = this.npix;
    for (let b = 0; b < this.data.bands; b++) {
      let aa = 0, ab = 0, bb = 0, ay = 0, by = 0;
      for (let i = b * n, end = (b + 1) * n; i < end; i++) {
        const w = this.w[i]!;
        const a = this.srcT[i]! * w;
        const l = this.lensT[i]! * w;
        const y = this.yw[i]!;
        aa += a * a;
        ab += a * l;
        bb += l * l;
        ay += a * y;
        by += l * y;
      }
      const [x1, x2, c] = nnls2(aa, ab, bb, ay, by, this.yy[b]!);
      amplitudes[2 * b] = x1;
      amplitudes[2 * b + 1] = x2;
      chi2 += c;
    }
    return { chi2: Number.isFinite(chi2) ? chi2 : Infinity, amplitudes };
  }

  /** σ-normalised residuals (model − data)/σ of all pixels at t, for least squares (length bands·npix). */
  residuals(t: ArrayLike<number>, out: Float64Array): void {
    const { amplitudes } = this.solve(t);
    const n = this.npix;
    for (let b = 0; b < this.data.bands; b++) {
      const s = amplitudes[2 * b]!;
      const l = amplitudes[2 * b + 1]!;
      for (let i = b * n, end = (b + 1) * n; i < end; i++)
        out[i] = (s * this.srcT[i]! + l * this.lensT[i]!) * this.w[i]! - this.yw[i]!;
    }
  }

  /** Noiseless model image (bands × npix) at t with the given (or solved) amplitudes. */
  modelImage(t: ArrayLike<number>, amplitudes?: Float64Array): Float64Array {
    const amps = amplitudes ?? this.solve(t).amplitudes;
    if (amplitudes) this.templates(t);
    const out = new Float64Array(this.data.bands * this.npix);
    for (let b = 0; b < this.data.bands; b++)
      for (let i = b * this.npix; i < (b + 1) * this.npix; i++) out[i] = amps[2 * b]! * this.srcT[i]! + amps[2 * b + 1]! * this.lensT[i]!;
    return out;
  }
}

// Exact (untabulated) profile loops. The simulator's grid path (src-core/lens/profiles) tabulates the
// SIE angular functions and the Sérsic profile to ~1e-5 for speed; a fit needs the smooth likelihood whose
// derivative lens-gradient.ts computes (and which the emcee peer evaluates), so these loops evaluate the
// same formulas (Kormann et al. 1994 SIE as in profiles/sie.ts; Sérsic with b_n from profiles/sersic.ts) directly.

/** Adds the SIE deflection (centre 0, θE intermediate-axis, q, φ) at n points into ax, ay. */
export function addSieExact(xs: Float64Array, ys: Float64Array, n: number, thetaE: number, q: number, phi: number, ax: Float64Array, ay: Float64Array): void {
  const c = Math.cos(phi), s = Math.sin(phi);
  const k = Math.sqrt((1 - q) * (1 + q));
  if (k < 1e-6) {
    for (let i = 0; i < n; i++) {
      const f = thetaE / Math.max(Math.hypot(xs[i]!, ys[i]!), 1e-300);
      ax[i] = ax[i]! + f * xs[i]!;
      ay[i] = ay[i]! + f * ys[i]!;
    }
    return;
  }
  const amp = (thetaE * Math.sqrt(q)) / k;
  const q2 = q * q;
  for (let i = 0; i < n; i++) {
    const xr = c * xs[i]! + s * ys[i]!;
    const yr = c * ys[i]! - s * xs[i]!;
    const kw = k / Math.max(Math.sqrt(q2 * xr * xr + yr * yr), 1e-300);
    const a1 = amp * Math.atan(kw * xr);
    const a2 = amp * Math.atanh(kw * yr);
    ax[i] = ax[i]! + c * a1 - s * a2;
    ay[i] = ay[i]! + s * a1 + c * a2;
  }
}

/** out[pix[i]] += wt[i] · I_e exp(−b_n((R/R_e)^{1/n} − 1)), R² = q x'² + y'²/q, without truncation or tables. */
export function addSersicExact(
  xs: Float64Array, ys: Float64Array, count: number, pix: Int32Array, wt: Float64Array,
  ie: number, re: number, n: number, q: number, phi: number, cx: number, cy: number, out: Float64Array,
  cache?: SersicCache,
): void {
  const b = sersicBn(n);
  const a = ie * Math.exp(b);
  const c = Math.cos(phi), s = Math.sin(phi);
  const qa = q / (re * re), qb = 1 / (q * re * re);
  const e = 0.5 / n;
  const four = n === 4;
  for (let i = 0; i < count; i++) {
    const dx = xs[i]! - cx, dy = ys[i]! - cy;
    const xr = c * dx + s * dy, yr = c * dy - s * dx;
    const s2 = qa * xr * xr + qb * yr * yr;
    if (cache) {
      // Same values as below, kept for the analytic gradient's pass (lens-gradient.ts) so that it does not
      // re-evaluate the transcendental functions.
      const ln = four ? 0 : Math.log(s2);
      const t = four ? Math.sqrt(Math.sqrt(Math.sqrt(s2))) : Math.exp(e * ln);
      const v = a * Math.exp(-b * t);
      cache.lnS[i] = ln;
      cache.t[i] = t;
      cache.I[i] = v;
      out[pix[i]!] = out[pix[i]!]! + wt[i]! * v;
      continue;
    }
    const t = four ? Math.sqrt(Math.sqrt(Math.sqrt(s2))) : Math.exp(e * Math.log(s2));
    out[pix[i]!] = out[pix[i]!]! + wt[i]! * a * Math.exp(-b * t);
  }
}

/** Per-sample values of the last addSersicExact call: ln s (n ≠ 4 only), t = s^{1/(2n)}, I (× ie e^{b}). */
export interface SersicCache {
  lnS: Float64Array;
  t: Float64Array;
  I: Float64Array;
}

export const sersicCache = (n: number): SersicCache => ({ lnS: new Float64Array(n), t: new Float64Array(n), I: new Float64Array(n) });

/**
 * Exact non-negative least squares for two columns from their Gram matrix: min ‖y − x1 a − x2 b‖²,
 * x ≥ 0. Tries the unconstrained solution, then each single column, then zero (KKT enumeration).
 * Returns [x1, x2, χ²].
 */
export function nnls2(aa: number, ab: number, bb: number, ay: number, by: number, yy: number): [number, number, number] {
  const chi = (x1: number, x2: number) => yy - 2 * (x1 * ay + x2 * by) + x1 * x1 * aa + 2 * x1 * x2 * ab + x2 * x2 * bb;
  const det = aa * bb - ab * ab;
  if (det > 1e-12 * aa * bb) {
    const x1 = (bb * ay - ab * by) / det;
    const x2 = (aa * by - ab * ay) / det;
    if (x1 >= 0 && x2 >= 0) return [x1, x2, Math.max(chi(x1, x2), 0)];
  }
  let best: [number, number, number] = [0, 0, yy];
  if (aa > 0) {
    const x1 = Math.max(0, ay / aa);
    const c = chi(x1, 0);
    if (c < best[2]) best = [x1, 0, c];
  }
  if (bb > 0) {
    const x2 = Math.max(0, by / bb);
    const c = chi(0, x2);
    if (c < best[2]) best = [0, x2, c];
  }
  best[2] = Math.max(best[2], 0);
  return best;
}
