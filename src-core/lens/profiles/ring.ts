// Gaussian ring, I = I0 exp(−(R − R0)² / 2w²) with the area-preserving elliptical radius R: the light
// of collisional ring galaxies and resonance rings (e.g. Buta & Combes 1996, Fund. Cosmic Phys. 17, 95),
// the negatives that most resemble Einstein rings (Metcalf et al. 2019, A&A 625, A119, §6).
// Total flux = I0 · 2π [w² e^{−R0²/2w²} + R0 w √(π/2) (1 + erf(R0/(w√2)))].
import { erf } from './mathx';
import { centreParams, type LightProfile, type Params } from './types';

function unitFlux(r0: number, w: number): number {
  return 2 * Math.PI * (w * w * Math.exp((-r0 * r0) / (2 * w * w)) +
    r0 * w * Math.sqrt(Math.PI / 2) * (1 + erf(r0 / (w * Math.SQRT2))));
}

function radius(x: number, y: number, p: Params): number {
  const c = Math.cos(p.phi);
  const s = Math.sin(p.phi);
  const dx = x - p.center_x;
  const dy = y - p.center_y;
  const xr = c * dx + s * dy;
  const yr = c * dy - s * dx;
  return Math.sqrt(p.q * xr * xr + (yr * yr) / p.q);
}

export const GAUSSIAN_RING: LightProfile = {
  kind: 'light',
  name: 'GAUSSIAN_RING',
  params: [
    { name: 'flux', unit: 'flux', lower: 0, upper: Infinity, default: 1, doc: 'total flux' },
    { name: 'r_ring', unit: 'arcsec', lower: 0, upper: 10, default: 1.5, doc: 'ring radius' },
    { name: 'width', unit: 'arcsec', lower: 0.02, upper: 3, default: 0.2, doc: 'Gaussian σ across the ring' },
    { name: 'q', unit: '', lower: 0.1, upper: 1, default: 1, doc: 'axis ratio' },
    { name: 'phi', unit: 'rad', lower: -Math.PI, upper: Math.PI, default: 0, doc: 'major-axis angle' },
    ...centreParams,
  ],
  surfaceBrightness(x, y, p) {
    const d = radius(x, y, p) - p.r_ring;
    if (Math.abs(d) >= 6 * p.width) return 0;
    return (p.flux / unitFlux(p.r_ring, p.width)) * Math.exp((-d * d) / (2 * p.width * p.width));
  },
  totalFlux: (p) => p.flux,
  addToPixels(xs, ys, n, pix, wt, p, out) {
    const c = Math.cos(p.phi), s = Math.sin(p.phi);
    const amp = p.flux / unitFlux(p.r_ring, p.width);
    const k = 1 / (2 * p.width * p.width);
    const cut = 6 * p.width; // exp(−18): negligible
    for (let i = 0; i < n; i++) {
      const dx = xs[i] - p.center_x, dy = ys[i] - p.center_y;
      const xr = c * dx + s * dy, yr = c * dy - s * dx;
      const d = Math.sqrt(p.q * xr * xr + (yr * yr) / p.q) - p.r_ring;
      if (d < cut && d > -cut) out[pix[i]] += wt[i] * amp * Math.exp(-d * d * k);
    }
  },
};
