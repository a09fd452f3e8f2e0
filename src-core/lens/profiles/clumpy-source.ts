// Clumpy star-forming source: a smooth Sérsic plus Gaussian knots (giant star-forming clumps,
// e.g. Elmegreen et al. 2007, ApJ 658, 763; Guo et al. 2015, ApJ 800, 39: a few clumps carrying
// ~10–40 % of the UV light of z ~ 1–3 galaxies). Smooth arcs alone let a network learn shortcuts.
// Knot positions and weights are drawn from `new Rng(clump_seed)` so the parameter set stays scalar
// and every knot is re-made from the truth record. `part` = 0 all, 1 smooth only, 2 knots only:
// the simulator renders the parts separately to give the knots their own (bluer) colours.
import { Rng } from '../../rng';
import { addSersicToPixels, sersicAt, sersicParams } from './sersic';
import type { LightProfile, Params } from './types';

export interface Knot {
  x: number; // arcsec, image frame
  y: number;
  flux: number; // share of the total flux
  sigma: number; // arcsec
}

const cache = new Map<string, Knot[]>();
/** Scratch: indices of the samples near any knot (addToPixels), grown on demand. */
let near = new Int32Array(0);

/** The knots of one source (cached; at most 64 parameter sets kept). */
export function clumpKnots(p: Params): Knot[] {
  const key = `${p.clump_seed}|${p.n_clumps}|${p.clump_sigma}|${p.clump_frac}|${p.flux}|${p.r_e}|${p.q}|${p.phi}|${p.center_x}|${p.center_y}`;
  let knots = cache.get(key);
  if (knots) return knots;
  const rng = new Rng(p.clump_seed, 0x6b6e6f74);
  const m = Math.round(p.n_clumps);
  const w: number[] = [];
  for (let k = 0; k < m; k++) w.push(rng.range(0.3, 1.7));
  const wsum = w.reduce((a, b) => a + b, 0) || 1;
  const c = Math.cos(p.phi);
  const s = Math.sin(p.phi);
  knots = [];
  for (let k = 0; k < m; k++) {
    // Uniform in an ellipse of semi-axes 1.5 R_e/√q, 1.5 R_e √q (the area-preserving frame).
    const rho = 1.5 * p.r_e * Math.sqrt(rng.uniform());
    const t = rng.range(0, 2 * Math.PI);
    const xr = (rho * Math.cos(t)) / Math.sqrt(p.q);
    const yr = rho * Math.sin(t) * Math.sqrt(p.q);
    knots.push({
      x: p.center_x + c * xr - s * yr,
      y: p.center_y + s * xr + c * yr,
      flux: (p.flux * p.clump_frac * w[k]) / wsum,
      sigma: p.clump_sigma * rng.range(0.6, 1.4),
    });
  }
  if (cache.size > 64) cache.clear();
  cache.set(key, knots);
  return knots;
}

function smoothFlux(p: Params): number {
  return p.n_clumps >= 1 ? p.flux * (1 - p.clump_frac) : p.flux;
}

export const CLUMPY_SOURCE: LightProfile = {
  kind: 'light',
  name: 'CLUMPY_SOURCE',
  params: [
    ...sersicParams,
    { name: 'n_clumps', unit: '', lower: 0, upper: 12, default: 4, doc: 'number of knots' },
    { name: 'clump_frac', unit: '', lower: 0, upper: 0.9, default: 0.3, doc: 'flux fraction in knots' },
    { name: 'clump_sigma', unit: 'arcsec', lower: 0.005, upper: 0.5, default: 0.04, doc: 'knot Gaussian σ' },
    { name: 'clump_seed', unit: '', lower: 0, upper: 4294967295, default: 1, doc: 'seed of the knot layout' },
    { name: 'part', unit: '', lower: 0, upper: 2, default: 0, doc: '0 all, 1 smooth only, 2 knots only' },
  ],
  surfaceBrightness(x, y, p) {
    let v = p.part === 2 ? 0 : sersicAt(x, y, { ...p, flux: smoothFlux(p) });
    if (p.part !== 1 && p.n_clumps >= 1) {
      for (const k of clumpKnots(p)) {
        const d2 = (x - k.x) ** 2 + (y - k.y) ** 2;
        if (d2 < 25 * k.sigma * k.sigma) v += (k.flux / (2 * Math.PI * k.sigma * k.sigma)) * Math.exp(-d2 / (2 * k.sigma * k.sigma));
      }
    }
    return v;
  },
  totalFlux(p) {
    if (p.part === 1) return smoothFlux(p);
    if (p.part === 2) return p.n_clumps >= 1 ? p.flux * p.clump_frac : 0;
    return p.flux;
  },
  addToPixels(xs, ys, n, pix, wt, p, out) {
    if (p.part !== 2) {
      addSersicToPixels(xs, ys, n, pix, wt, smoothFlux(p), p.r_e, p.n, p.q, p.phi, p.center_x, p.center_y, out);
    }
    if (p.part === 1 || p.n_clumps < 1) return;
    // Knots cover a few hundred of the ~2·10⁴ samples: one pass lists the samples inside the union
    // of the knots' 5σ boxes (padded 1 %, so no sample the exact test keeps is left out), then each
    // knot visits only those, in the same order as a full pass (identical sums).
    const knots = clumpKnots(p);
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const k of knots) {
      const r = 5.05 * k.sigma;
      x0 = Math.min(x0, k.x - r); x1 = Math.max(x1, k.x + r);
      y0 = Math.min(y0, k.y - r); y1 = Math.max(y1, k.y + r);
    }
    if (near.length < n) near = new Int32Array(n);
    let m = 0;
    for (let i = 0; i < n; i++) {
      const x = xs[i];
      const y = ys[i];
      if (x > x0 && x < x1 && y > y0 && y < y1) near[m++] = i;
    }
    for (const k of knots) {
      const inv2s2 = 1 / (2 * k.sigma * k.sigma);
      const amp = k.flux / (2 * Math.PI * k.sigma * k.sigma);
      const cut = 25 * k.sigma * k.sigma; // 5σ: flux beyond is e^{-12.5} ≈ 4e-6 of the knot
      const kx = k.x;
      const ky = k.y;
      for (let j = 0; j < m; j++) {
        const i = near[j];
        const dx = xs[i] - kx;
        const dy = ys[i] - ky;
        const d2 = dx * dx + dy * dy;
        if (d2 < cut) out[pix[i]] += wt[i] * amp * Math.exp(-d2 * inv2s2);
      }
    }
  },
};
