// The one interface every lens (mass) and light profile implements, as in lenstronomy's
// LensModel/LightModel: named parameters with units and bounds, scalar evaluation for tests and
// fitting, and a grid method (loop inside the profile, no allocation) for the simulator's fast path.
// Conventions: angles on the sky in arcseconds; x along image columns (NAXIS1), y along rows;
// position angles `phi` in radians counter-clockwise from +x. With a north-up, east-left WCS
// (CDELT1 < 0) +x points west and the east-of-north position angle is PA = phi − 90°.

/** Parameters of one profile by name (see its `params` list for units and bounds). */
export type Params = Readonly<Record<string, number>>;

export interface ParamSpec {
  readonly name: string;
  /** 'arcsec', 'rad', '' (dimensionless), 'flux' (counts/s, or whatever unit the caller uses). */
  readonly unit: string;
  readonly lower: number;
  readonly upper: number;
  readonly default: number;
  readonly doc: string;
}

/** Two-vector output (αx, αy) — a caller-owned scratch array, so evaluation does not allocate. */
export type Vec2 = Float64Array | number[];
/** Hessian output [ψxx, ψxy, ψyy]. */
export type Hess3 = Float64Array | number[];

export interface MassProfile {
  readonly kind: 'mass';
  readonly name: string;
  readonly params: readonly ParamSpec[];
  /** Lensing potential ψ (arcsec²). */
  potential(x: number, y: number, p: Params): number;
  /** Deflection α = ∇ψ (arcsec) into out[0], out[1]. */
  deflection(x: number, y: number, p: Params, out: Vec2): void;
  /** Second derivatives of ψ into out = [ψxx, ψxy, ψyy] (dimensionless). */
  hessian(x: number, y: number, p: Params, out: Hess3): void;
  /** Convergence κ = ½ ∇²ψ (dimensionless). */
  convergence(x: number, y: number, p: Params): number;
  /** Adds α at n points (xs[i], ys[i]) into ax[i], ay[i]. The simulator's inner loop. */
  addDeflections(
    xs: Float64Array, ys: Float64Array, n: number, p: Params, ax: Float64Array, ay: Float64Array,
  ): void;
}

export interface LightProfile {
  readonly kind: 'light';
  readonly name: string;
  readonly params: readonly ParamSpec[];
  /** Surface brightness in flux units per arcsec² (flux = the `flux` parameter's unit). */
  surfaceBrightness(x: number, y: number, p: Params): number;
  /** Analytic total flux (integral over the plane), in flux units. */
  totalFlux(p: Params): number;
  /**
   * For i < n: out[pix[i]] += wt[i] · I(xs[i], ys[i]). With wt = pixel area / sub-pixels of that
   * pixel, `out` collects flux per pixel. The simulator's inner loop.
   */
  addToPixels(
    xs: Float64Array, ys: Float64Array, n: number, pix: Int32Array, wt: Float64Array, p: Params,
    out: Float64Array,
  ): void;
}

export type Profile = MassProfile | LightProfile;

/** Fills in defaults for missing parameters (explicit values win). */
export function withDefaults(specs: readonly ParamSpec[], p: Record<string, number>): Params {
  const out: Record<string, number> = {};
  for (const s of specs) out[s.name] = p[s.name] ?? s.default;
  return out;
}

export const centreParams: readonly ParamSpec[] = [
  { name: 'center_x', unit: 'arcsec', lower: -10, upper: 10, default: 0, doc: 'centre, x' },
  { name: 'center_y', unit: 'arcsec', lower: -10, upper: 10, default: 0, doc: 'centre, y' },
];
