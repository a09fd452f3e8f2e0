// Native spherical (φ, θ) ↔ celestial (α, δ) rotation (CG02). Degrees throughout.
// The Euler angles (αp, δp, φp) come from CRVAL (α0, δ0 at the fiducial point (φ0, θ0)),
// LONPOLE (φp) and LATPOLE, following CG02 and its defaults (φp = φ0 when
// δ0 ≥ θ0, else φ0 + 180°; LATPOLE picks between the two δp solutions, default +90°).
import { WcsError } from '../errors';
import { sind, cosd, atan2d, acosd, R2D, D2R } from './projections/projection';

export interface CelestialRotation {
  /** Celestial longitude of the native pole αp, degrees. */
  readonly alphaP: number;
  /** Celestial latitude of the native pole δp, degrees. */
  readonly deltaP: number;
  /** Native longitude of the celestial pole φp (LONPOLE), degrees. */
  readonly phiP: number;
}

const wrap180 = (a: number): number => (a > 180 ? a - 360 : a < -180 ? a + 360 : a);

/**
 * Solves CG02 for the native pole. `lonpole`/`latpole` undefined take the defaults.
 * Throws WcsError (naming CRVAL/LATPOLE) when no pole satisfies the header.
 */
export function celestialRotation(
  crval: readonly [number, number], phi0: number, theta0: number,
  lonpole: number | undefined, latpole: number | undefined,
): CelestialRotation {
  const tol = 1e-10;
  const [lng0, lat0] = crval;
  let phip = lonpole === undefined || lonpole === 999 ? wrap180((lat0 < theta0 ? 180 : 0) + phi0) : lonpole;
  let latp = latpole === undefined ? 90 : latpole;
  let lngp: number;
  if (theta0 === 90) {
    // Fiducial point at the native pole: the native pole is CRVAL itself.
    return { alphaP: lng0, deltaP: lat0, phiP: phip };
  }
  const slat0 = sind(lat0);
  const clat0 = cosd(lat0);
  const sthe0 = sind(theta0);
  const cthe0 = cosd(theta0);
  let sphip: number;
  let u = 0;
  let v = 0;
  let latpFixed = false;
  if (phip === phi0) {
    sphip = 0;
    u = theta0;
    v = 90 - lat0;
  } else {
    sphip = sind(phip - phi0);
    const x = cthe0 * cosd(phip - phi0);
    const y = sthe0;
    const z = Math.hypot(x, y);
    if (z === 0) {
      if (slat0 !== 0) throw new WcsError('WCS_BAD_CELESTIAL', 'CRVAL latitude must be 0 when |LONPOLE − φ0| = 90° and θ0 = 0', { keyword: 'CRVAL' });
      latpFixed = true; // δp set by LATPOLE alone (CG02).
      latp = Math.max(-90, Math.min(90, latp));
    } else {
      let slz = slat0 / z;
      if (Math.abs(slz) > 1) {
        if (Math.abs(slz) - 1 < tol) slz = Math.sign(slz);
        else throw new WcsError('WCS_BAD_CELESTIAL', `|CRVAL latitude| must be ≤ ${(Math.asin(z) * R2D).toFixed(3)}° for this LONPOLE and projection`, { keyword: 'CRVAL' });
      }
      u = atan2d(y, x);
      v = acosd(slz);
    }
  }
  if (!latpFixed) {
    // Two candidate δp (CG02); LATPOLE chooses the nearer valid one.
    const latp1 = wrap180(u + v);
    const latp2 = wrap180(u - v);
    if (Math.abs(latp - latp1) < Math.abs(latp - latp2)) latp = Math.abs(latp1) < 90 + tol ? latp1 : latp2;
    else latp = Math.abs(latp2) < 90 + tol ? latp2 : latp1;
    if (Math.abs(latp) < 90 + tol) latp = Math.max(-90, Math.min(90, latp));
  }
  const z = cosd(latp) * clat0;
  if (Math.abs(z) < tol) {
    if (Math.abs(clat0) < tol) lngp = lng0; // celestial pole at the fiducial point
    else if (latp > 0) lngp = lng0 + phip - phi0 - 180; // celestial north pole at the native pole
    else lngp = lng0 - phip + phi0; // celestial south pole at the native pole
  } else {
    const x = (sthe0 - sind(latp) * slat0) / z;
    const y = (sphip * cthe0) / clat0;
    lngp = lng0 - atan2d(y, x);
  }
  // Keep αp on the same side of 0 as α0 (so longitudes come out like wcslib's).
  if (lng0 >= 0) {
    if (lngp < 0) lngp += 360;
    else if (lngp > 360) lngp -= 360;
  } else if (lngp > 0) lngp -= 360;
  else if (lngp < -360) lngp += 360;
  if (Math.abs(latp) > 90 + tol) {
    throw new WcsError('WCS_BAD_CELESTIAL', 'no valid celestial pole for these CRVAL/LONPOLE/LATPOLE values', { keyword: 'LATPOLE' });
  }
  return { alphaP: lngp, deltaP: latp, phiP: phip };
}

/**
 * Native (φ, θ) → celestial (α, δ) (CG02). Latitude from atan2 of the rotated unit
 * vector, not asin, so that it keeps full precision within arcseconds of a pole.
 * Longitude normalised like wcslib: same sign convention as αp, within (−360, 360).
 */
export function nativeToCelestial(rot: CelestialRotation, phi: number, theta: number): [number, number] {
  const dphi = (phi - rot.phiP) * D2R;
  const st = Math.sin(theta * D2R);
  const ct = Math.cos(theta * D2R);
  const sp = Math.sin(rot.deltaP * D2R);
  const cp = Math.cos(rot.deltaP * D2R);
  const cdphi = Math.cos(dphi);
  const x = st * cp - ct * sp * cdphi;
  const y = -ct * Math.sin(dphi);
  const z = st * sp + ct * cp * cdphi;
  let lng = rot.alphaP + Math.atan2(y, x) * R2D;
  const lat = Math.atan2(z, Math.hypot(x, y)) * R2D;
  if (rot.alphaP >= 0) {
    if (lng < 0) lng += 360;
  } else if (lng > 0) lng -= 360;
  if (lng > 360) lng -= 360;
  else if (lng < -360) lng += 360;
  return [lng, lat];
}

/** Celestial (α, δ) → native (φ, θ) (CG02); φ normalised to [−180°, 180°]. */
export function celestialToNative(rot: CelestialRotation, lng: number, lat: number): [number, number] {
  const da = (lng - rot.alphaP) * D2R;
  const sd = Math.sin(lat * D2R);
  const cd = Math.cos(lat * D2R);
  const sp = Math.sin(rot.deltaP * D2R);
  const cp = Math.cos(rot.deltaP * D2R);
  const cda = Math.cos(da);
  const x = sd * cp - cd * sp * cda;
  const y = -cd * Math.sin(da);
  const z = sd * sp + cd * cp * cda;
  let phi = rot.phiP + Math.atan2(y, x) * R2D;
  const theta = Math.atan2(z, Math.hypot(x, y)) * R2D;
  phi = ((((phi + 180) % 360) + 360) % 360) - 180;
  return [phi, theta];
}
