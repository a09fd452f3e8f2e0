// Spiral disc: exponential disc modulated by m logarithmic arms,
// I = I0 e^{−R/h} [1 + A cos(m(θ − ln(R/h)/tan p))], R the area-preserving elliptical radius and θ the
// angle in the circularised disc frame. Log spirals: Seigar & James (1998, MNRAS 299, 672).
// The modulation averages to zero over θ at fixed R, so the total flux is that of the disc, 2π I0 h².
import { centreParams, type LightProfile, type Params } from './types';

function value(x: number, y: number, p: Params): number {
  const c = Math.cos(p.phi);
  const s = Math.sin(p.phi);
  const dx = x - p.center_x;
  const dy = y - p.center_y;
  const xr = (c * dx + s * dy) * Math.sqrt(p.q);
  const yr = (c * dy - s * dx) / Math.sqrt(p.q);
  const r = Math.sqrt(xr * xr + yr * yr);
  const theta = Math.atan2(yr, xr);
  if (r > 25 * p.h) return 0;
  const arm = 1 + p.arm_amp * Math.cos(p.arms * (theta - Math.log(Math.max(r, 1e-6) / p.h) / Math.tan(p.pitch)));
  return (p.flux / (2 * Math.PI * p.h * p.h)) * Math.exp(-r / p.h) * arm;
}

export const SPIRAL: LightProfile = {
  kind: 'light',
  name: 'SPIRAL',
  params: [
    { name: 'flux', unit: 'flux', lower: 0, upper: Infinity, default: 1, doc: 'total flux' },
    { name: 'h', unit: 'arcsec', lower: 0.05, upper: 10, default: 1, doc: 'disc scale length' },
    { name: 'arms', unit: '', lower: 1, upper: 6, default: 2, doc: 'number of arms (integer)' },
    { name: 'pitch', unit: 'rad', lower: 0.1, upper: 1.2, default: 0.35, doc: 'pitch angle' },
    { name: 'arm_amp', unit: '', lower: 0, upper: 1, default: 0.6, doc: 'arm contrast A' },
    { name: 'q', unit: '', lower: 0.1, upper: 1, default: 1, doc: 'axis ratio (inclination)' },
    { name: 'phi', unit: 'rad', lower: -Math.PI, upper: Math.PI, default: 0, doc: 'major-axis angle' },
    ...centreParams,
  ],
  surfaceBrightness: value,
  totalFlux: (p) => p.flux,
  addToPixels(xs, ys, n, pix, wt, p, out) {
    const c = Math.cos(p.phi), s = Math.sin(p.phi), sq = Math.sqrt(p.q);
    const amp = p.flux / (2 * Math.PI * p.h * p.h), invH = 1 / p.h, wind = 1 / Math.tan(p.pitch);
    const rmin = 1e-6, cut = 25 * p.h; // e^{−25}: negligible
    for (let i = 0; i < n; i++) {
      const dx = xs[i] - p.center_x, dy = ys[i] - p.center_y;
      const xr = (c * dx + s * dy) * sq, yr = (c * dy - s * dx) / sq;
      const r = Math.sqrt(xr * xr + yr * yr);
      if (r > cut) continue;
      if (r > 25 * p.h) return 0;
  const arm = 1 + p.arm_amp * Math.cos(p.arms * (Math.atan2(yr, xr) - Math.log(Math.max(r, rmin) * invH) * wind));
      out[pix[i]] += wt[i] * amp * Math.exp(-r * invH) * arm;
    }
  },
};
