// Cylindrical (CG02) and pseudocylindrical / Hammer–Aitoff (CG02) projections.
// Fiducial point (φ0, θ0) = (0, 0). Degrees throughout (R0 = 180/π).
import {
  type Projection, type ProjectionParams, NAN2, R0, D2R,
  sind, cosd, atan2d, asind, clampUnit, param,
} from './projection';

const withinLongitude = (phi: number): boolean => phi >= -180 - 1e-10 && phi <= 180 + 1e-10;

/** CAR, plate carrée: x = φ, y = θ (CG02). */
export const car = (): Projection => ({
  code: 'CAR', phi0: 0, theta0: 0,
  toNative: (x, y) => (Math.abs(y) > 90 + 1e-10 || !withinLongitude(x) ? NAN2 : [x, Math.max(-90, Math.min(90, y))]),
  fromNative: (phi, theta) => [phi, theta],
});

/** MER, Mercator: y = R0 ln tan((90° + θ)/2) (CG02); the poles do not project. */
export const mer = (): Projection => ({
  code: 'MER', phi0: 0, theta0: 0,
  toNative: (x, y) => (!withinLongitude(x) ? NAN2 : [x, 2 * atan2d(Math.exp(y / R0), 1) - 90]),
  fromNative: (phi, theta) =>
    Math.abs(theta) >= 90 ? NAN2 : [phi, R0 * Math.log(Math.tan((90 + theta) * 0.5 * D2R))],
});

/** CEA, cylindrical equal area, λ = PVi_1 (default 1): y = R0 sin θ / λ (CG02). */
export function cea(p: ProjectionParams): Projection {
  const lambda = param(p, 1, 1);
  return {
    code: 'CEA', phi0: 0, theta0: 0,
    toNative(x, y) {
      const s = clampUnit((lambda * y) / R0);
      return Number.isNaN(s) || !withinLongitude(x) ? NAN2 : [x, asind(s)];
    },
    fromNative: (phi, theta) => [phi, (R0 * sind(theta)) / lambda],
  };
}

/** CYP, cylindrical perspective, μ = PVi_1, λ = PVi_2 (defaults 1), CG02. */
export function cyp(p: ProjectionParams): Projection {
  const mu = param(p, 1, 1);
  const lambda = param(p, 2, 1);
  return {
    code: 'CYP', phi0: 0, theta0: 0,
    toNative(x, y) {
      const eta = y / (R0 * (mu + lambda));
      const s = clampUnit((eta * mu) / Math.sqrt(eta * eta + 1));
      if (Number.isNaN(s)) return NAN2;
      return [x / lambda, atan2d(eta, 1) + asind(s)];
    },
    fromNative(phi, theta) {
      const d = mu + cosd(theta);
      if (d === 0) return NAN2;
      return [lambda * phi, (R0 * (mu + lambda) * sind(theta)) / d];
    },
  };
}

/** SFL, Sanson–Flamsteed: x = φ cos θ, y = θ (CG02). */
export const sfl = (): Projection => ({
  code: 'SFL', phi0: 0, theta0: 0,
  toNative(x, y) {
    if (Math.abs(y) > 90 + 1e-10) return NAN2;
    const c = cosd(y);
    const phi = c === 0 ? (x === 0 ? 0 : NaN) : x / c;
    return withinLongitude(phi) ? [phi, y] : NAN2;
  },
  fromNative: (phi, theta) => [phi * cosd(theta), theta],
});

/** PAR, parabolic: x = φ (2 cos(2θ/3) − 1), y = 180° sin(θ/3) (CG02). */
export const par = (): Projection => ({
  code: 'PAR', phi0: 0, theta0: 0,
  toNative(x, y) {
    const s = y / 180;
    if (Math.abs(s) > 1 + 1e-13) return NAN2;
    const d = 1 - 4 * s * s;
    const phi = d === 0 ? (x === 0 ? 0 : NaN) : x / d;
    return withinLongitude(phi) ? [phi, 3 * asind(clampUnit(s))] : NAN2;
  },
  fromNative: (phi, theta) => [phi * (2 * cosd((2 * theta) / 3) - 1), 180 * sind(theta / 3)],
});

/**
 * MOL, Mollweide: x = (2√2/π) φ cos γ, y = √2 R0 sin γ with π sin θ = 2γ + sin 2γ
 * (CG02). The forward direction solves for γ by Newton's method.
 */
export const mol = (): Projection => ({
  code: 'MOL', phi0: 0, theta0: 0,
  toNative(x, y) {
    const s = clampUnit(y / (Math.SQRT2 * R0));
    if (Number.isNaN(s)) return NAN2;
    const c = Math.sqrt(Math.max(0, 1 - s * s));
    const g = Math.asin(s);
    const sinTheta = clampUnit((2 * g + 2 * s * c) / Math.PI);
    if (Number.isNaN(sinTheta)) return NAN2;
    const phi = c === 0 ? (x === 0 ? 0 : NaN) : (Math.PI * x) / (2 * Math.SQRT2 * c);
    return withinLongitude(phi) ? [phi, asind(sinTheta)] : NAN2;
  },
  fromNative(phi, theta) {
    if (Math.abs(theta) >= 90) return [0, Math.sign(theta) * Math.SQRT2 * R0];
    const target = Math.PI * sind(theta);
    let g = theta * D2R;
    for (let k = 0; k < 100; k++) {
      const f = 2 * g + Math.sin(2 * g) - target;
      const d = 2 + 2 * Math.cos(2 * g);
      if (d === 0) break;
      const step = f / d;
      g -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    return [((2 * Math.SQRT2) / Math.PI) * phi * Math.cos(g), Math.SQRT2 * R0 * Math.sin(g)];
  },
});

/**
 * AIT, Hammer–Aitoff: Z = √((1 + cos θ cos(φ/2))/2), x = 2 R0 cos θ sin(φ/2)/Z, y = R0 sin θ/Z
 * (CG02). Inverse: Z² = 1 − (x/4R0)² − (y/2R0)², valid while Z² ≥ 1/2.
 */
export const ait = (): Projection => ({
  code: 'AIT', phi0: 0, theta0: 0,
  toNative(x, y) {
    const u = x / (4 * R0);
    const v = y / (2 * R0);
    const z2 = 1 - u * u - v * v;
    if (z2 < 0.5 - 1e-13) return NAN2;
    const z = Math.sqrt(Math.max(0.5, z2));
    const s = clampUnit((y * z) / R0);
    if (Number.isNaN(s)) return NAN2;
    const phi = 2 * atan2d((z * x) / (2 * R0), 2 * z * z - 1);
    return [phi, asind(s)];
  },
  fromNative(phi, theta) {
    const ct = cosd(theta);
    const z = Math.sqrt((1 + ct * cosd(phi / 2)) / 2);
    if (z === 0) return NAN2;
    return [(2 * R0 * ct * sind(phi / 2)) / z, (R0 * sind(theta)) / z];
  },
});
