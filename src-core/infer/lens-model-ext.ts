// The extended lens model for real cutouts (issue 18, "Lens modelling on real cutouts"), selectable next to
// the 12-parameter model of lens-model.ts (kept as it is for the emcee peer comparison):
//   - SIE + external shear with a free centre (the shear about the same centre), uniform prior within
//     CENTRE_MAX of the stamp centre;
//   - lens light: Sérsic with its own index, axis ratio and angle, centred on the mass;
//   - source: Sérsic (the quasar's host when there are point sources), optionally plus Cartesian shapelets up to
//     order n_max (shapelets.ts; Refregier 2003) on the Sérsic's centre with β = r_e, through the same ray shooting,
//     sub-pixels and PSF, with signed per-band amplitudes;
//   - point sources ('sie+ps'): a quasar at the source centre, its images where the lens equation of the current
//     SIE + shear puts them (src-core/lens/point-images.ts, Newton to 1e-9″), each the band's PSF at that
//     position (point-template.ts) with its own free amplitude per band (flux ratios of real quads differ from
//     the smooth model's magnifications by microlensing and substructure, so they are not predicted).
// All amplitudes are linear and profiled at every evaluation: NNLS (nnls.ts) for the source, lens light and images,
// the shapelet coefficients unconstrained in the same solve (they are signed), under a weak Gaussian prior
// N(0, s_b²) with s_b = 10 × the band's brightest |pixel| (e⁻/pixel): far wider than any coefficient the data allow,
// it only keeps the solve well posed where lensed, PSF-blurred high orders are nearly collinear with the Sérsic or
// each other. It is a fixed quadratic in the amplitudes, so the profiled objective χ² + Σ (a/s_b)² (what `solve`
// returns as chi2) keeps its exact envelope-theorem gradient. When the source crosses a
// caustic the number of images changes; new images appear in pairs at the critical curve with amplitude ≥ 0,
// so χ² changes continuously to first order there and the sampler needs no special move (an image that the
// data do not support gets amplitude 0).
// 17 non-linear parameters (EXT_PARAM_NAMES). Units: arcsec, radians; images and variances in e⁻, e⁻².
import { InputError } from '../errors';
import type { SubpixelGrid } from '../lens/grid';
import { lensJacobian, rayShoot, solvePointImages, type PointImage } from '../lens/point-images';
import { SHEAR } from '../lens/profiles/shear';
import { convolveValid } from '../lens/psf';
import type { MassComponent } from '../lens/scene';
import { addSersicExact, addSieExact, ellipticityToQPhi, sersicCache, type LensCutout, type LensModelOptions, type SersicCache } from './lens-model';
import { checkCutout, fitGrid, weightPixels } from './lens-pixels';
import { ExtLensGradient } from './lens-gradient-ext';
import { nnlsGram } from './nnls';
import { addPointTemplate } from './point-template';
import type { ParamSpec } from './param-spec';
import { ShapeletSource } from './shapelet-source';
import type { ShapeletBasis } from './shapelets';

export const EXT_PARAM_NAMES = [
  'theta_E', 'e1', 'e2', 'center_x', 'center_y', 'gamma1', 'gamma2', 'src_x', 'src_y', 'src_r_e', 'src_n', 'src_e1', 'src_e2',
  'lens_r_e', 'lens_n', 'lens_e1', 'lens_e2',
] as const;
/** Half-width of the uniform prior box of the lens centre about the stamp centre (arcsec). */
export const CENTRE_MAX = 0.6;

/** Parameters by component, for re-rendering only what a parameter changes (finite-difference gradient). */
const MASS = [0, 1, 2, 3, 4, 5, 6];
const SOURCE_ONLY = [7, 8, 9, 10, 11, 12];
const LIGHT_ONLY = [13, 14, 15, 16];

export function extParamSpec(): ParamSpec {
  return {
    names: EXT_PARAM_NAMES,
    lower: Float64Array.from([0.3, -0.5, -0.5, -CENTRE_MAX, -CENTRE_MAX, -0.2, -0.2, -3, -3, 0.02, 0.3, -0.5, -0.5, 0.05, 0.5, -0.5, -0.5]),
    upper: Float64Array.from([4, 0.5, 0.5, CENTRE_MAX, CENTRE_MAX, 0.2, 0.2, 3, 3, 2, 6, 0.5, 0.5, 8, 8, 0.5, 0.5]),
    startLower: Float64Array.from([0.5, -0.2, -0.2, -0.1, -0.1, -0.05, -0.05, -0.6, -0.6, 0.1, 0.7, -0.2, -0.2, 0.3, 2, -0.2, -0.2]),
    startUpper: Float64Array.from([3, 0.2, 0.2, 0.1, 0.1, 0.05, 0.05, 0.6, 0.6, 0.8, 4, 0.2, 0.2, 3, 5, 0.2, 0.2]),
    pairs: [[1, 2], [11, 12], [15, 16]],
    eMax: 0.5,
  };
}

export interface ExtLensModelOptions extends LensModelOptions {
  /** Model the quasar images as point sources (default true). */
  pointSources?: boolean;
  /** At most this many images (the brightest by |μ|; SIE + shear gives ≤ 4 besides the vanishing central one). */
  maxImages?: number;
  /** Add Cartesian shapelets of orders n1 + n2 ≤ this to the Sérsic source (shapelets.ts); none when undefined. */
  shapelets?: number;
  /** Smallest shapelet scale β_min (arcsec; see shapeletScale), default 0: β = r_e. A floor that keeps the shapelets
   * off the quasar's own (PSF-scale) residuals; measured on HE0435-1223 (docs/real-skies.md) it did not help. */
  shapeletBetaMin?: number;
}

export class ExtLensModel {
  readonly spec = extParamSpec();
  readonly grid: SubpixelGrid;
  readonly npix: number;
  readonly pointSources: boolean;
  readonly maxImages: number;
  /** The source's shapelets (null: Sérsic alone; shapelet-source.ts). */
  readonly shapeletSource: ShapeletSource | null;
  private readonly lastShp = new Float64Array(10).fill(NaN);
  /** The solve's columns whose amplitudes may be negative (the shapelets); undefined without shapelets. */
  private readonly freeColumns: Uint8Array | undefined;
  private readonly w: Float64Array;
  private readonly yw: Float64Array;
  private readonly yy: Float64Array;
  /** Sub-pixel positions relative to the lens centre, and their source-plane positions β (absolute), after the
   * last render of the source (read by the analytic gradient, lens-gradient-ext.ts). */
  readonly sx: Float64Array;
  readonly sy: Float64Array;
  readonly bx: Float64Array;
  readonly by: Float64Array;
  /** Sérsic values per sub-pixel of the last renders (source at β, lens light at θ). */
  readonly srcCache: SersicCache;
  readonly lensCache: SersicCache;
  private readonly pre: Float64Array;
  private readonly tmp: Float64Array;
  /** PSF-convolved unit templates (bands × npix): source, lens light, and one per point image. */
  readonly srcT: Float64Array;
  readonly lensT: Float64Array;
  readonly ptT: Float64Array[];
  /** Images of the last render (positions arcsec from the stamp centre). */
  images: PointImage[] = [];
  evaluations = 0;
  private readonly lastSrc: Float64Array;
  private readonly lastLens: Float64Array;
  private readonly lastPt: Float64Array;

  constructor(readonly data: LensCutout, options: ExtLensModelOptions = {}) {
    const { bands, size } = data;
    this.npix = checkCutout(data);
    this.pointSources = options.pointSources ?? true;
    this.maxImages = options.maxImages ?? 4;
    this.grid = fitGrid(data, options);
    const n = this.grid.n, side2 = this.grid.side * this.grid.side;
    ({ w: this.w, yw: this.yw, yy: this.yy } = weightPixels(data));
    this.srcCache = sersicCache(n);
    this.lensCache = sersicCache(n);
    this.sx = new Float64Array(n);
    this.sy = new Float64Array(n);
    this.bx = new Float64Array(n);
    this.by = new Float64Array(n);
    this.pre = new Float64Array(side2);
    this.tmp = new Float64Array(this.grid.side * size);
    this.srcT = new Float64Array(bands * this.npix);
    this.lensT = new Float64Array(bands * this.npix);
    this.ptT = Array.from({ length: this.maxImages }, () => new Float64Array(bands * this.npix));
    this.lastSrc = new Float64Array(13).fill(NaN);
    this.lastLens = new Float64Array(6).fill(NaN);
    this.lastPt = new Float64Array(9).fill(NaN);
    this.shapeletSource = options.shapelets !== undefined
      ? new ShapeletSource(options.shapelets, options.shapeletBetaMin ?? 0, bands, this.npix, this.grid.side, data.image, this.w) : null;
    const nc = this.nBase + this.nShapelets;
    this.freeColumns = this.shapeletSource ? Uint8Array.from({ length: nc }, (_, p) => (p >= this.nBase ? 1 : 0)) : undefined;
  }

  /** The shapelet basis (null: none), its templates (function k of band b at (k · bands + b) · npix), its scale β(r_e)
   * and dβ/dr_e. */
  get shapelets(): ShapeletBasis | null {
    return this.shapeletSource?.basis ?? null;
  }
  get shpT(): Float64Array {
    return this.shapeletSource?.templates ?? new Float64Array(0);
  }
  shapeletScale(re: number): number {
    return this.shapeletSource ? this.shapeletSource.scale(re) : re;
  }
  shapeletScaleDerivative(re: number): number {
    return this.shapeletSource ? this.shapeletSource.scaleDerivative(re) : 1;
  }

  /** Shapelet coefficients per band (0 without shapelets); stored after the bands × nBase other amplitudes. */
  get nShapelets(): number {
    return this.shapelets?.count ?? 0;
  }
  /** Non-shapelet amplitudes per band: source, lens light, maxImages images (the layout fit-lens.ts reads). */
  get nBase(): number {
    return 2 + (this.pointSources ? this.maxImages : 0);
  }

  get weights(): Float64Array {
    return this.w;
  }
  get weightedData(): Float64Array {
    return this.yw;
  }

  /** Linear amplitudes: per band source, lens light, maxImages point images; then per band the shapelets. */
  get nLinear(): number {
    return (this.nBase + this.nShapelets) * this.data.bands;
  }

  /** Throws: a shapelet source exists only in this model ('ext', 'sie+ps'), not in the 12-parameter one. */
  static shapeletsNeedExtended(kind: string): never {
    throw new InputError('INPUT_INVALID', `a shapelet source needs the extended model ('ext' or 'sie+ps'), not '${kind}'`, { field: 'model' });
  }

  /** The mass model as the simulator's components (for the lens-equation solver). */
  static massComponents(t: ArrayLike<number>): MassComponent[] {
    const { q, phi } = ellipticityToQPhi(t[1]!, t[2]!);
    return [
      { profile: 'SIE', params: { theta_E: t[0]!, q, phi, center_x: t[3]!, center_y: t[4]! } },
      { profile: 'SHEAR', params: { gamma1: t[5]!, gamma2: t[6]!, center_x: t[3]!, center_y: t[4]! } },
    ];
  }

  /** Renders the templates that changed since the last call (by parameter subsets). */
  templates(t: ArrayLike<number>): void {
    const g = this.grid;
    const changed = (last: Float64Array, idx: number[]) => {
      let c = false;
      for (let k = 0; k < idx.length; k++) if (last[k] !== t[idx[k]!]) { c = true; last[k] = t[idx[k]!]!; }
      return c;
    };
    const area = g.pixelScale * g.pixelScale;
    const [cx, cy] = [t[3]!, t[4]!];
    if (changed(this.lastSrc, [...MASS, ...SOURCE_ONLY])) {
      const mass = ellipticityToQPhi(t[1]!, t[2]!);
      const src = ellipticityToQPhi(t[11]!, t[12]!);
      for (let i = 0; i < g.n; i++) {
        this.sx[i] = g.x[i]! - cx;
        this.sy[i] = g.y[i]! - cy;
      }
      this.bx.fill(0);
      this.by.fill(0);
      addSieExact(this.sx, this.sy, g.n, t[0]!, mass.q, mass.phi, this.bx, this.by);
      SHEAR.addDeflections(this.sx, this.sy, g.n, { gamma1: t[5]!, gamma2: t[6]!, center_x: 0, center_y: 0 }, this.bx, this.by);
      for (let i = 0; i < g.n; i++) {
        this.bx[i] = g.x[i]! - this.bx[i]!;
        this.by[i] = g.y[i]! - this.by[i]!;
      }
      this.pre.fill(0);
      addSersicExact(this.bx, this.by, g.n, g.pix, g.wt, 1 / area, t[9]!, t[10]!, src.q, src.phi, t[7]!, t[8]!, this.pre, this.srcCache);
      this.convolve(this.srcT);
    }
    if (changed(this.lastLens, [3, 4, ...LIGHT_ONLY])) {
      const light = ellipticityToQPhi(t[15]!, t[16]!);
      this.pre.fill(0);
      addSersicExact(g.x, g.y, g.n, g.pix, g.wt, 1 / area, t[13]!, t[14]!, light.q, light.phi, cx, cy, this.pre, this.lensCache);
      this.convolve(this.lensT);
    }
    // The rays bx, by are those of the Sérsic render just above (it re-renders on every parameter that moves them).
    if (this.shapeletSource && changed(this.lastShp, [...MASS, 7, 8, 9])) this.shapeletSource.render(g, this.bx, this.by, t[7]!, t[8]!, t[9]!, this.data.psf, this.tmp);
    if (this.pointSources && changed(this.lastPt, [...MASS, 7, 8])) this.renderPoints(t);
  }

  private convolve(out: Float64Array): void {
    const g = this.grid;
    for (let b = 0; b < this.data.bands; b++)
      convolveValid(this.pre, g.side, g.margin, this.data.psf[b]!, out.subarray(b * this.npix, (b + 1) * this.npix), this.tmp);
  }

  /** Images at the gradient's base point: the finite-difference steps follow them by Newton's method. */
  private warm: PointImage[] | null = null;

  private renderPoints(t: ArrayLike<number>): void {
    const { size, pixelScale } = this.data;
    const thetaE = t[0]!;
    // Newton from known images instead of the triangle search (~10× the cost of a render's other parts): from the
    // gradient's base point (finite differences), or from the last render when it had maxImages images. An SIE +
    // shear has at most 4 images besides the vanishing central one, so 4 distinct converged images are all of them
    // and the result equals the search's; with fewer, images may have appeared, and the search runs.
    const mass = ExtLensModel.massComponents(t);
    const prev = this.warm ?? (this.images.length === this.maxImages && this.maxImages === 4 ? this.images : null);
    let ims: PointImage[] | null = prev ? followImages(mass, t[7]!, t[8]!, prev, this.warm ? 0.01 : 0.3) : null;
    if (ims && !this.warm && !distinctImages(ims)) ims = null;
    if (!ims) ims = [];
    if (!ims.length && Number.isFinite(thetaE) && thetaE > 0) {
      const R = 1.6 * thetaE + Math.hypot(t[7]! - t[3]!, t[8]! - t[4]!) + 0.2;
      ims = solvePointImages(mass, t[7]!, t[8]!, { searchRadius: R, step: R / 40, minAbsMu: 1e-3 });
    }
    this.images = ims.slice(0, this.maxImages);
    const c0 = (size - 1) / 2;
    for (let k = 0; k < this.maxImages; k++) {
      const T = this.ptT[k]!;
      T.fill(0);
      const im = this.images[k];
      if (!im) continue;
      for (let b = 0; b < this.data.bands; b++)
        addPointTemplate(T.subarray(b * this.npix, (b + 1) * this.npix), size, this.data.psf[b]!, c0 + im.x / pixelScale, c0 + im.y / pixelScale);
    }
  }

  /** Templates of band b: source, lens light, images, then the shapelets. */
  private columns(b: number): Float64Array[] {
    const s = (a: Float64Array) => a.subarray(b * this.npix, (b + 1) * this.npix);
    const shp = Array.from({ length: this.nShapelets }, (_, k) => this.shapeletSource!.template(k, b));
    return [s(this.srcT), s(this.lensT), ...(this.pointSources ? this.ptT.map(s) : []), ...shp];
  }

  /** Band b's amplitudes from the layout of `amplitudes` into x (columns order), or back (toLayout). */
  private gather(amplitudes: Float64Array, b: number, x: Float64Array, toLayout = false): void {
    const nc = this.nBase, ns = this.nShapelets, nb = this.data.bands;
    for (let p = 0; p < nc + ns; p++) {
      const at = p < nc ? b * nc + p : nb * nc + b * ns + (p - nc);
      if (toLayout) amplitudes[at] = x[p]!;
      else x[p] = amplitudes[at]!;
    }
  }

  /** χ² and NNLS amplitudes at t (per band: source, lens light, images). Non-finite parameters give ∞. */
  solve(t: ArrayLike<number>, amplitudes: Float64Array = new Float64Array(this.nLinear)): { chi2: number; amplitudes: Float64Array } {
    this.evaluations++;
    for (let i = 0; i < 17; i++) if (!Number.isFinite(t[i]!)) return { chi2: Infinity, amplitudes };
    this.templates(t);
    const nc = this.nBase + this.nShapelets;
    const G = new Float64Array(nc * nc), rhs = new Float64Array(nc), x = new Float64Array(nc);
    const free = this.freeColumns;
    let chi2 = 0;
    for (let b = 0; b < this.data.bands; b++) {
      const cols = this.columns(b);
      const w = this.w.subarray(b * this.npix, (b + 1) * this.npix), yw = this.yw.subarray(b * this.npix, (b + 1) * this.npix);
      for (let p = 0; p < nc; p++) {
        const A = cols[p]!;
        let r = 0;
        for (let i = 0; i < this.npix; i++) r += A[i]! * w[i]! * yw[i]!;
        rhs[p] = r;
        for (let q = 0; q <= p; q++) {
          const B = cols[q]!;
          let s = 0;
          for (let i = 0; i < this.npix; i++) {
            const wi = w[i]!;
            s += A[i]! * B[i]! * wi * wi;
          }
          G[p * nc + q] = G[q * nc + p] = s;
        }
        if (p >= this.nBase) G[p * nc + p] = G[p * nc + p]! + this.shapeletSource!.ridge[b]!;
      }
      chi2 += nnlsGram(G, rhs, this.yy[b]!, nc, x, free);
      this.gather(amplitudes, b, x, true);
    }
    return { chi2: Number.isFinite(chi2) ? chi2 : Infinity, amplitudes };
  }

  /** σ-normalised residuals (model − data)/σ at t (length bands·npix). */
  residuals(t: ArrayLike<number>, out: Float64Array): void {
    const { chi2, amplitudes } = this.solve(t);
    if (!Number.isFinite(chi2)) { out.fill(1e10); return; }
    const m = this.compose(amplitudes);
    for (let i = 0; i < m.length; i++) out[i] = m[i]! * this.w[i]! - this.yw[i]!;
  }

  private compose(amplitudes: Float64Array): Float64Array {
    const nc = this.nBase + this.nShapelets;
    const out = new Float64Array(this.data.bands * this.npix);
    const x = new Float64Array(nc);
    for (let b = 0; b < this.data.bands; b++) {
      const cols = this.columns(b);
      const o = out.subarray(b * this.npix, (b + 1) * this.npix);
      this.gather(amplitudes, b, x);
      for (let p = 0; p < nc; p++) {
        const a = x[p]!;
        if (a === 0) continue;
        const A = cols[p]!;
        for (let i = 0; i < this.npix; i++) o[i] = o[i]! + a * A[i]!;
      }
    }
    return out;
  }

  /** Noiseless model image (bands × npix) at t with the NNLS amplitudes. */
  modelImage(t: ArrayLike<number>): Float64Array {
    return this.compose(this.solve(t).amplitudes);
  }

  /** The quasar images alone at t (bands × npix, e⁻): their NNLS amplitudes times their PSF templates; zeros
   * without point sources. The point-source error floor (point-error-floor.ts) is built on it. */
  pointSourceImage(t: ArrayLike<number>): Float64Array {
    const amplitudes = this.solve(t).amplitudes;
    const nc = this.nBase;
    for (let b = 0; b < this.data.bands; b++) amplitudes[b * nc] = amplitudes[b * nc + 1] = 0;
    amplitudes.fill(0, nc * this.data.bands);
    return this.compose(amplitudes);
  }

  private analytic: ExtLensGradient | null = null;

  /** χ² at t and the analytic dχ²/dt into grad (lens-gradient-ext.ts; ≈ 2 renders instead of 18). */
  chi2AndGradient(t: ArrayLike<number>, grad: Float64Array): number {
    this.analytic ??= new ExtLensGradient(this);
    return this.analytic.chi2AndGradient(t, grad);
  }

  /**
   * χ² at t and dχ²/dt into grad by forward differences (step h_i = 1e-6 × prior width, away from the upper
   * bound), re-rendering only the component a parameter changes (templates() caches by parameter subset).
   * The first implementation, kept as a check of the analytic gradient (the test compares both with central
   * differences).
   */
  chi2AndGradientFd(t: ArrayLike<number>, grad: Float64Array): number {
    const spec = this.spec;
    const c0 = this.solve(t).chi2;
    grad.fill(0);
    if (!Number.isFinite(c0)) return c0;
    const tt = Float64Array.from(t as ArrayLike<number>);
    // A step of 1e-6 of the prior width moves the images by ~1e-6″: Newton from the base images finds them in
    // 2–3 iterations (a full triangle search costs ~10× more); any that fails falls back to the search.
    this.warm = this.images.slice();
    // Order: light-only and source-only parameters first, then the mass (each group re-renders one part).
    for (const i of [...LIGHT_ONLY, ...SOURCE_ONLY, ...MASS]) {
      let h = 1e-6 * (spec.upper[i]! - spec.lower[i]!);
      if (t[i]! + h >= spec.upper[i]!) h = -h;
      tt[i] = t[i]! + h;
      const c = this.solve(tt).chi2;
      tt[i] = t[i]!;
      grad[i] = (c - c0) / h;
    }
    this.warm = null;
    this.solve(t); // leave the buffers at t
    return c0;
  }
}

/** Whether no two images lie within 1 mas (Newton from two starts can land on the same image). */
function distinctImages(ims: PointImage[]): boolean {
  for (let a = 0; a < ims.length; a++) for (let b = a + 1; b < ims.length; b++) if (Math.hypot(ims[a]!.x - ims[b]!.x, ims[a]!.y - ims[b]!.y) < 1e-3) return false;
  return true;
}

/** The images `from` moved to the lens `mass` and source β by Newton's method (to 1e-9″); null if any fails or
 * moves farther than maxMove (arcsec). */
function followImages(mass: MassComponent[], bx: number, by: number, from: PointImage[], maxMove: number): PointImage[] | null {
  const b = [0, 0];
  const out: PointImage[] = [];
  for (const im of from) {
    let x = im.x, y = im.y, ok = false;
    for (let it = 0; it < 20; it++) {
      rayShoot(mass, x, y, b);
      const fx = b[0]! - bx, fy = b[1]! - by;
      if (Math.hypot(fx, fy) < 1e-9) { ok = true; break; }
      const [a11, a12, a22] = lensJacobian(mass, x, y);
      const det = a11 * a22 - a12 * a12;
      if (!Number.isFinite(det) || Math.abs(det) < 1e-6) break;
      x -= (a22 * fx - a12 * fy) / det;
      y -= (a11 * fy - a12 * fx) / det;
    }
    if (!ok || Math.hypot(x - im.x, y - im.y) > maxMove) return null;
    const [a11, a12, a22] = lensJacobian(mass, x, y);
    out.push({ x, y, mu: 1 / (a11 * a22 - a12 * a12), residual: 0 });
  }
  return out;
}
