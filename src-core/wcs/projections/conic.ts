// Conic COE (CG02), pseudoconic BON (CG02) and HEALPix HPX (Calabretta & Roukema 2007,
// MNRAS 381, 865). Degrees throughout (R0 = 180/π).
import { WcsError } from '../../errors';
import {
  type Projection, type ProjectionParams, NAN2, R0,
  sind, cosd, atan2d, asind, clampUnit, param,
} from './projection';

/**
 * COE, conic equal area with θa = PVi_1 and η = PVi_2 (CG02): θ1,2 = θa ∓ η,
 * γ = sin θ1 + sin θ2, C = γ/2, R = (R0/C)√(1 + sin θ1 sin θ2 − γ sin θ), Y0 = R(θa);
 * x = R sin(Cφ), y = −R cos(Cφ) + Y0. Fiducial point (0, θa).
 */
export function coe(p: ProjectionParams): Projection {
  const thetaA = p.get(1);
  if (thetaA === undefined) throw new WcsError('WCS_BAD_PV', 'COE needs PVi_1 (θa) on the latitude axis', { keyword: 'PVi_1' });
  const eta = param(p, 2, 0);
  const s1 = sind(thetaA - eta);
  const s2 = sind(thetaA + eta);
  const gamma = s1 + s2;
  if (gamma === 0) throw new WcsError('WCS_BAD_PV', 'COE with sin θ1 + sin θ2 = 0 is undefined', { keyword: 'PVi_1' });
  const c = gamma / 2;
  const radius = (theta: number): number => (R0 / c) * Math.sqrt(1 + s1 * s2 - gamma * sind(theta));
  const y0 = radius(thetaA);
  return {
    code: 'COE', phi0: 0, theta0: thetaA,
    toNative(x, y) {
      const dy = y0 - y;
      const r = Math.sign(c) * Math.hypot(x, dy);
      const phi = r === 0 ? 0 : atan2d(x / r, dy / r) / c;
      const w = (r * c) / R0;
      const s = clampUnit((1 + s1 * s2 - w * w) / gamma);
      if (Number.isNaN(s) || Math.abs(phi) > 180 + 1e-10) return NAN2;
      return [phi, asind(s)];
    },
    fromNative(phi, theta) {
      const r = radius(theta);
      const a = c * phi;
      return [r * sind(a), -r * cosd(a) + y0];
    },
  };
}

/**
 * BON, Bonne's equal area with θ1 = PVi_1 (CG02): Y0 = R0 cot θ1 + θ1, R = Y0 − θ,
 * A = φ cos θ / R (radians when φ, θ, R are in degrees), x = R sin A, y = −R cos A + Y0.
 * θ1 = 0 is Sanson–Flamsteed; the caller substitutes SFL.
 */
export function bon(p: ProjectionParams): Projection {
  const theta1 = param(p, 1, 0);
  const y0 = (R0 * cosd(theta1)) / sind(theta1) + theta1;
  const sign = Math.sign(theta1);
  return {
    code: 'BON', phi0: 0, theta0: 0,
    toNative(x, y) {
      const dy = y0 - y;
      const r = sign * Math.hypot(x, dy);
      const theta = y0 - r;
      if (Math.abs(theta) > 90 + 1e-10) return NAN2;
      const a = r === 0 ? 0 : Math.atan2(x / r, dy / r);
      const ct = cosd(theta);
      const phi = ct === 0 ? 0 : (a * r) / ct;
      return Math.abs(phi) > 180 + 1e-10 ? NAN2 : [phi, theta];
    },
    fromNative(phi, theta) {
      const r = y0 - theta;
      const a = r === 0 ? 0 : (phi * cosd(theta)) / r;
      return [r * Math.sin(a), -r * Math.cos(a) + y0];
    },
  };
}

/**
 * HPX, HEALPix with H = PVi_1 (default 4) facets in longitude and K = PVi_2 (default 3)
 * (Calabretta & Roukema 2007). Equatorial zone |sin θ| ≤ (K−1)/K: x = φ,
 * y = (90 K/H) sin θ. Polar zones: σ = √(K(1 − |sin θ|)), x = φc + (φ − φc) σ,
 * y = ±(180/H)((K+1)/2 − σ), φc the centre longitude of the facet.
 */
export function hpx(p: ProjectionParams): Projection {
  const H = param(p, 1, 4);
  const K = param(p, 2, 3);
  if (!(H > 0) || !(K > 0)) throw new WcsError('WCS_BAD_PV', 'HPX needs H = PVi_1 > 0 and K = PVi_2 > 0', { keyword: 'PVi_1' });
  const sinLimit = (K - 1) / K;
  const yLimit = (90 * (K - 1)) / H;
  const facet = 360 / H;
  // ω of Calabretta & Roukema 2007: facet centres shift by half a facet for even K in the south.
  const centre = (lon: number, north: boolean): number => {
    const omega = K % 2 === 1 || north ? 1 : 0;
    return -180 + (2 * Math.floor(((lon + 180) * H) / 360 + (1 - omega) / 2) + omega) * (180 / H);
  };
  return {
    code: 'HPX', phi0: 0, theta0: 0,
    toNative(x, y) {
      if (Math.abs(y) <= yLimit) {
        const s = clampUnit((y * H) / (90 * K));
        if (Number.isNaN(s) || Math.abs(x) > 180 + 1e-10) return NAN2;
        return [x, asind(s)];
      }
      const sigma = (K + 1) / 2 - (Math.abs(y) * H) / 180;
      if (sigma < -1e-13 || Math.abs(y) > 90 * (K + 1) / H + 1e-10) return NAN2;
      const xc = centre(x, y > 0);
      const off = x - xc;
      // Outside the triangular polar facet: no sky there.
      if (Math.abs(off) > (facet / 2) * Math.max(sigma, 0) + 1e-10) return NAN2;
      const phi = sigma <= 0 ? xc : xc + off / sigma;
      const s = 1 - (sigma * sigma) / K;
      return [phi, Math.sign(y) * asind(clampUnit(s))];
    },
    fromNative(phi, theta) {
      const st = sind(theta);
      if (Math.abs(st) <= sinLimit) return [phi, ((90 * K) / H) * st];
      const sigma = Math.sqrt(K * (1 - Math.abs(st)));
      const pc = centre(phi, theta > 0);
      return [pc + (phi - pc) * sigma, Math.sign(theta) * (180 / H) * ((K + 1) / 2 - sigma)];
    },
  };
}

