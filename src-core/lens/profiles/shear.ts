// External shear about (center_x, center_y): ψ = ½ γ1 (x² − y²) + γ2 x y,
// α = (γ1 x + γ2 y, γ2 x − γ1 y), κ = 0. Shear strength γ = √(γ1² + γ2²), angle ½ atan2(γ2, γ1).
import { centreParams, type MassProfile } from './types';

export const SHEAR: MassProfile = {
  kind: 'mass',
  name: 'SHEAR',
  params: [
    { name: 'gamma1', unit: '', lower: -0.5, upper: 0.5, default: 0, doc: 'shear component 1' },
    { name: 'gamma2', unit: '', lower: -0.5, upper: 0.5, default: 0, doc: 'shear component 2' },
    ...centreParams,
  ],
  potential(x, y, p) {
    const dx = x - p.center_x;
    const dy = y - p.center_y;
    return 0.5 * p.gamma1 * (dx * dx - dy * dy) + p.gamma2 * dx * dy;
  },
  deflection(x, y, p, out) {
    const dx = x - p.center_x;
    const dy = y - p.center_y;
    out[0] = p.gamma1 * dx + p.gamma2 * dy;
    out[1] = p.gamma2 * dx - p.gamma1 * dy;
  },
  hessian(_x, _y, p, out) {
    out[0] = p.gamma1;
    out[1] = p.gamma2;
    out[2] = -p.gamma1;
  },
  convergence() {
    return 0;
  },
  addDeflections(xs, ys, n, p, ax, ay) {
    const g1 = p.gamma1;
    const g2 = p.gamma2;
    for (let i = 0; i < n; i++) {
      const dx = xs[i] - p.center_x;
      const dy = ys[i] - p.center_y;
      ax[i] += g1 * dx + g2 * dy;
      ay[i] += g2 * dx - g1 * dy;
    }
  },
};
