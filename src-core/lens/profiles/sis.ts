// Singular isothermal sphere: κ = θE / (2r), α = θE (x, y)/r, ψ = θE r.
// θE = 4π (σv/c)² D_ls/D_s (e.g. Schneider, Kochanek & Wambsganss 2006, Saas-Fee 33, eq. 2.12 ff.).
import { centreParams, type MassProfile } from './types';

const TINY = 1e-300;

export const SIS: MassProfile = {
  kind: 'mass',
  name: 'SIS',
  params: [
    { name: 'theta_E', unit: 'arcsec', lower: 0.01, upper: 10, default: 1, doc: 'Einstein radius' },
    ...centreParams,
  ],
  potential(x, y, p) {
    return p.theta_E * Math.hypot(x - p.center_x, y - p.center_y);
  },
  deflection(x, y, p, out) {
    const dx = x - p.center_x;
    const dy = y - p.center_y;
    const f = p.theta_E / Math.max(Math.sqrt(dx * dx + dy * dy), TINY);
    out[0] = f * dx;
    out[1] = f * dy;
  },
  hessian(x, y, p, out) {
    const dx = x - p.center_x;
    const dy = y - p.center_y;
    const r2 = Math.max(dx * dx + dy * dy, TINY);
    const f = p.theta_E / (r2 * Math.sqrt(r2));
    out[0] = f * dy * dy;
    out[1] = -f * dx * dy;
    out[2] = f * dx * dx;
  },
  convergence(x, y, p) {
    return p.theta_E / (2 * Math.max(Math.hypot(x - p.center_x, y - p.center_y), 1e-150));
  },
  addDeflections(xs, ys, n, p, ax, ay) {
    const t = p.theta_E;
    for (let i = 0; i < n; i++) {
      const dx = xs[i] - p.center_x;
      const dy = ys[i] - p.center_y;
      const f = t / Math.max(Math.sqrt(dx * dx + dy * dy), TINY);
      ax[i] += f * dx;
      ay[i] += f * dy;
    }
  },
};
