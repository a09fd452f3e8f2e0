// Zenithal (azimuthal) projections (CG02). Fiducial point at the native pole (φ0, θ0) = (0, 90°).
// All share x = R sin φ, y = −R cos φ (CG02); they differ in R(θ).
import {
  type Projection, type ProjectionParams, NAN2, R0, D2R, R2D,
  sind, cosd, atan2d, asind, clampUnit, param,
} from './projection';

/** Builds a zenithal projection from its radial law R(θ) and inverse θ(R), all in degrees. */
function zenithal(
  code: string,
  radius: (theta: number) => number,
  colatitudeToTheta: (r: number) => number,
): Projection {
  return {
    code, phi0: 0, theta0: 90,
    toNative(x, y) {
      const r = Math.hypot(x, y);
      const theta = colatitudeToTheta(r);
      if (Number.isNaN(theta)) return NAN2;
      const phi = r === 0 ? 0 : atan2d(x, -y);
      return [phi, theta];
    },
    fromNative(phi, theta) {
      const r = radius(theta);
      if (!Number.isFinite(r)) return NAN2;
      return [r * sind(phi), -r * cosd(phi)];
    },
  };
}

/** TAN, gnomonic: R = R0 cot θ (CG02); only θ > 0 projects. */
export const tan = (): Projection =>
  zenithal('TAN', (t) => (t <= 0 ? NaN : (R0 * cosd(t)) / sind(t)), (r) => atan2d(R0, r));

/** ARC, zenithal equidistant: R = 90° − θ (CG02). */
export const arc = (): Projection =>
  zenithal('ARC', (t) => 90 - t, (r) => (r > 180 + 1e-10 ? NaN : 90 - Math.min(r, 180)));

/** ZEA, zenithal equal area: R = 2 R0 sin((90° − θ)/2) (CG02). */
export const zea = (): Projection =>
  zenithal(
    'ZEA',
    (t) => 2 * R0 * sind((90 - t) / 2),
    (r) => {
      const s = clampUnit(r / (2 * R0), 1e-12);
      return 90 - 2 * asind(s);
    },
  );

/** STG, stereographic: R = 2 R0 tan((90° − θ)/2) (CG02); θ = −90° does not project. */
export const stg = (): Projection =>
  zenithal(
    'STG',
    (t) => (t <= -90 ? NaN : (2 * R0 * sind((90 - t) / 2)) / cosd((90 - t) / 2)),
    (r) => 90 - 2 * atan2d(r, 2 * R0),
  );

/**
 * SIN, slant orthographic with ξ = PVi_1, η = PVi_2 (CG02):
 * x = R0 (cos θ sin φ + ξ (1 − sin θ)), y = −R0 (cos θ cos φ − η (1 − sin θ)).
 * Inverse: with t = 1 − sin θ, (X − ξt)² + (Y − ηt)² = 2t − t², solved in the form that stays
 * accurate near the pole: t = ρ² / (B + √(B² − A ρ²)), A = 1 + ξ² + η², B = 1 + ξX + ηY.
 */
export function sin(p: ProjectionParams): Projection {
  const xi = param(p, 1, 0);
  const eta = param(p, 2, 0);
  return {
    code: 'SIN', phi0: 0, theta0: 90,
    toNative(x, y) {
      const X = x / R0;
      const Y = y / R0;
      const rho2 = X * X + Y * Y;
      const a = 1 + xi * xi + eta * eta;
      const b = 1 + xi * X + eta * Y;
      let disc = b * b - a * rho2;
      if (disc < 0) {
        if (disc < -1e-13) return NAN2;
        disc = 0;
      }
      const denom = b + Math.sqrt(disc);
      const t = denom === 0 ? 1 : rho2 / denom;
      const cosTheta = Math.sqrt(Math.max(0, t * (2 - t)));
      const theta = atan2d(1 - t, cosTheta);
      const u = X - xi * t;
      const v = -(Y - eta * t);
      const phi = u === 0 && v === 0 ? 0 : atan2d(u, v);
      return [phi, theta];
    },
    fromNative(phi, theta) {
      const t = 1 - sind(theta);
      const c = cosd(theta);
      // Only the hemisphere facing the observer projects (θ ≥ 0 for the orthographic case).
      if (xi === 0 && eta === 0 && theta < 0) return NAN2;
      return [R0 * (c * sind(phi) + xi * t), -R0 * (c * cosd(phi) - eta * t)];
    },
  };
}

/**
 * AZP, zenithal perspective with μ = PVi_1 (distance of the source point, sphere radii) and
 * γ = PVi_2 (tilt, degrees), CG02.
 * Forward: R = R0 (μ + 1) cos θ / ((μ + sin θ) + cos θ cos φ tan γ), x = R sin φ, y = −R sec γ cos φ.
 * Inverse: φ = atan2(x, −y cos γ), ρ = R / (R0 (μ + 1) + y sin γ),
 *          θ = atan2(1, ρ) − asin(ρ μ / √(ρ² + 1)).
 */
export function azp(p: ProjectionParams): Projection {
  const mu = param(p, 1, 0);
  const gamma = param(p, 2, 0);
  const cosG = cosd(gamma);
  const tanG = Math.tan(gamma * D2R);
  const sinG = sind(gamma);
  return {
    code: 'AZP', phi0: 0, theta0: 90,
    toNative(x, y) {
      const yc = y * cosG;
      const r = Math.hypot(x, yc);
      if (r === 0) return [0, 90];
      const phi = atan2d(x, -yc);
      const rho = r / (R0 * (mu + 1) + y * sinG);
      const s = clampUnit((rho * mu) / Math.sqrt(rho * rho + 1));
      if (Number.isNaN(s)) return NAN2;
      let theta = atan2d(1, rho) - asind(s);
      if (theta > 90 && theta < 90 + 1e-10) theta = 90;
      if (theta < -90 || theta > 90) return NAN2;
      return [phi, theta];
    },
    fromNative(phi, theta) {
      const ct = cosd(theta);
      const denom = mu + sind(theta) + ct * cosd(phi) * tanG;
      if (denom === 0) return NAN2;
      const r = (R0 * (mu + 1) * ct) / denom;
      // The far side of the sphere (beyond the horizon seen from the source point) is invalid.
      if (mu > 1 ? sind(theta) < -1 / mu : denom < 0) return NAN2;
      return [r * sind(phi), (-r * cosd(phi)) / cosG];
    },
  };
}

/**
 * ZPN, zenithal polynomial: R = R0 Σ_m P_m ζ^m with ζ = (90° − θ) in radians and P_m = PVi_m,
 * m = 0…29 (CG02). The inverse solves R(ζ) = r on [0, ζmax], ζmax being the first
 * turning point of the polynomial (where it stops being invertible), by bisection refined with
 * Newton steps.
 */
export function zpn(p: ProjectionParams): Projection {
  const coeffs: number[] = [];
  let degree = 0;
  for (let m = 0; m < 30; m++) {
    coeffs.push(param(p, m, 0));
    if (coeffs[m] !== 0) degree = m;
  }
  const poly = (z: number): number => {
    let s = 0;
    for (let m = degree; m >= 0; m--) s = s * z + coeffs[m];
    return s;
  };
  const dpoly = (z: number): number => {
    let s = 0;
    for (let m = degree; m >= 1; m--) s = s * z + m * coeffs[m];
    return s;
  };
  // First turning point in (0, π]: scan for a sign change of R'(ζ), then bisect.
  let zmax = Math.PI;
  const steps = 1800;
  for (let i = 1; i <= steps; i++) {
    const z1 = (Math.PI * (i - 1)) / steps;
    const z2 = (Math.PI * i) / steps;
    if (dpoly(z2) <= 0 && dpoly(z1) > 0) {
      let lo = z1;
      let hi = z2;
      for (let k = 0; k < 80; k++) {
        const mid = 0.5 * (lo + hi);
        if (dpoly(mid) > 0) lo = mid;
        else hi = mid;
      }
      zmax = lo;
      break;
    }
  }
  const rmin = poly(0);
  const rmax = poly(zmax);
  return {
    code: 'ZPN', phi0: 0, theta0: 90,
    toNative(x, y) {
      const r = Math.hypot(x, y) / R0;
      let zeta: number;
      if (degree <= 1) {
        if (coeffs[1] === 0) return NAN2;
        zeta = (r - coeffs[0]) / coeffs[1];
        if (zeta < -1e-13) return NAN2;
      } else {
        if (r < rmin - 1e-13 || r > rmax + 1e-13) return NAN2;
        let lo = 0;
        let hi = zmax;
        zeta = ((r - rmin) / (rmax - rmin || 1)) * zmax;
        for (let k = 0; k < 100; k++) {
          const f = poly(zeta) - r;
          if (Math.abs(f) < 1e-15) break;
          if (f > 0) hi = zeta;
          else lo = zeta;
          const d = dpoly(zeta);
          let next = d > 0 ? zeta - f / d : NaN;
          if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
          if (Math.abs(next - zeta) < 1e-16) {
            zeta = next;
            break;
          }
          zeta = next;
        }
      }
      const theta = 90 - zeta * R2D;
      const phi = x === 0 && y === 0 ? 0 : atan2d(x, -y);
      return [phi, theta];
    },
    fromNative(phi, theta) {
      const zeta = (90 - theta) * D2R;
      if (degree > 1 && zeta > zmax + 1e-13) return NAN2;
      const r = R0 * poly(zeta);
      return [r * sind(phi), -r * cosd(phi)];
    },
  };
}
