// Point mass: ψ = θE² ln r, α = θE² (x, y)/r², κ = 0 away from the centre (a delta function at r = 0,
// which is why the Poisson test excludes the centre). θE² = (4GM/c²) D_ls/(D_l D_s).
import { centreParams, type MassProfile } from './types';

const TINY = 1e-300;

export const POINT_MASS: MassProfile = {
  kind: 'mass',
  name: 'POINT_MASS',
  params: [
    { name: 'theta_E', unit: 'arcsec', lower: 0.001, upper: 10, default: 1, doc: 'Einstein radius' },
    ...centreParams,
  ],
  potential(x, y, p) {
    const r2 = Math.max((x - p.center_x) ** 2 + (y - p.center_y) ** 2, TINY);
    return 0.5 * p.theta_E * p.theta_E * Math.log(r2);
  },
  deflection(x, y, p, out) {
    const dx = x - p.center_x;
    const dy = y - p.center_y;
    const f = (p.theta_E * p.theta_E) / Math.max(dx * dx + dy * dy, TINY);
    out[0] = f * dx;
    out[1] = f * dy;
  },
  hessian(x, y, p, out) {
    const dx = x - p.center_x;
    const dy = y - p.center_y;
    const r2 = Math.max(dx * dx + dy * dy, TINY);
    const f = (p.theta_E * p.theta_E) / (r2 * r2);
    out[0] = f * (dy * dy - dx * dx);
    out[1] = -2 * f * dx * dy;
    out[2] = f * (dx * dx - dy * dy);
  },
  convergence() {
    return 0;
  },
  addDeflections(xs, ys, n, p, ax, ay) {
    const t2 = p.theta_E * p.theta_E;
    for (let i = 0; i < n; i++) {
      const dx = xs[i] - p.center_x;
      const dy = ys[i] - p.center_y;
      const f = t2 / Math.max(dx * dx + dy * dy, TINY);
      ax[i] += f * dx;
      ay[i] += f * dy;
    }
  },
};
