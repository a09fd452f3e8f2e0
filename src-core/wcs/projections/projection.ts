// One spherical projection (Calabretta & Greisen 2002, "Representations of celestial coordinates
// in FITS", A&A 395, 1077; hereafter CG02). Every angle and every projection-plane coordinate here
// is in DEGREES: the plane (x, y) is the intermediate world coordinate of CG02 with R0 = 180/π,
// so a plane distance in degrees equals R0 × (the same distance in radians).
// Off-domain input gives NaN (as wcslib/astropy report it), never an exception.

export const D2R = Math.PI / 180;
export const R2D = 180 / Math.PI;
/** CG02: R0 = 180°/π so that plane coordinates come out in degrees. */
export const R0 = R2D;

export interface Projection {
  /** Three-letter FITS code, e.g. 'TAN'. */
  readonly code: string;
  /** Native coordinates (φ0, θ0) of the fiducial point, degrees (CG02 defaults). */
  readonly phi0: number;
  readonly theta0: number;
  /** Projection plane (x, y) in degrees → native (φ, θ) in degrees; [NaN, NaN] off the domain. */
  toNative(x: number, y: number): [number, number];
  /** Native (φ, θ) in degrees → projection plane (x, y) in degrees; [NaN, NaN] if not projectable. */
  fromNative(phi: number, theta: number): [number, number];
}

/** PVi_m parameters of the latitude axis (index m → value); missing ones take the default. */
export type ProjectionParams = ReadonlyMap<number, number>;

export const sind = (a: number): number => Math.sin(a * D2R);
export const cosd = (a: number): number => Math.cos(a * D2R);
export const tand = (a: number): number => Math.tan(a * D2R);
export const asind = (v: number): number => Math.asin(v) * R2D;
export const acosd = (v: number): number => Math.acos(v) * R2D;
export const atan2d = (y: number, x: number): number => Math.atan2(y, x) * R2D;
export const NAN2: [number, number] = [NaN, NaN];

/** Accept |v| up to 1 + tol as ±1 (rounding); NaN beyond. wcslib uses the same 1e-13 slack. */
export function clampUnit(v: number, tol = 1e-13): number {
  if (v > 1) return v <= 1 + tol ? 1 : NaN;
  if (v < -1) return v >= -1 - tol ? -1 : NaN;
  return v;
}

export function param(p: ProjectionParams, m: number, fallback: number): number {
  const v = p.get(m);
  return v === undefined ? fallback : v;
}
