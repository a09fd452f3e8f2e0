// One shared finite-difference test over the whole registry (the lenstronomy pattern), plus the
// analytic checks that pin the SIE normalisation: Poisson ∇·α = 2κ, SIS limit, mean κ inside θE = 1.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../rng';
import { LIGHT_PROFILES, MASS_PROFILES } from './registry';
import { registerStampLibrary } from './stamp-source';
import { SIE } from './sie';
import { SIS } from './sis';
import { withDefaults, type Params } from './types';

const massCases: Record<string, Record<string, number>[]> = {
  SIE: [0.3, 0.55, 0.8, 0.999, 1].map((q) => ({ theta_E: 1.3, q, phi: 0.7, center_x: 0.1, center_y: -0.2 })),
  SIS: [{ theta_E: 1.1, center_x: -0.3, center_y: 0.2 }],
  POINT_MASS: [{ theta_E: 0.9, center_x: 0.2, center_y: 0.1 }],
  SHEAR: [{ gamma1: 0.03, gamma2: -0.02, center_x: 0.1, center_y: -0.2 }],
};

function points(n: number, cx: number, cy: number): [number, number][] {
  const rng = new Rng(11, 3);
  const out: [number, number][] = [];
  while (out.length < n) {
    const x = rng.range(-3, 3);
    const y = rng.range(-3, 3);
    if (Math.hypot(x - cx, y - cy) > 0.4) out.push([x, y]);
  }
  return out;
}

describe('mass profiles: analytic derivatives = finite differences (every registered profile)', () => {
  it('has a case for every registered mass profile', () => {
    expect(Object.keys(massCases).sort()).toEqual(Object.keys(MASS_PROFILES).sort());
  });
  for (const [name, prof] of Object.entries(MASS_PROFILES)) {
    for (const raw of massCases[name] ?? []) {
      const p = withDefaults(prof.params, raw);
      it(`${name} ${JSON.stringify(raw)}`, () => {
        const h = 1e-4;
        const a = [0, 0], ap = [0, 0], am = [0, 0], H = [0, 0, 0];
        let gradErr = 0, hessErr = 0, poissonErr = 0, gridErr = 0;
        const pts = points(400, p.center_x, p.center_y);
        const xs = new Float64Array(pts.map((v) => v[0]));
        const ys = new Float64Array(pts.map((v) => v[1]));
        const gx = new Float64Array(pts.length), gy = new Float64Array(pts.length);
        prof.addDeflections(xs, ys, pts.length, p, gx, gy);
        pts.forEach(([x, y], i) => {
          prof.deflection(x, y, p, a);
          gridErr = Math.max(gridErr, Math.abs(gx[i] - a[0]), Math.abs(gy[i] - a[1]));
          const dpx = (prof.potential(x + h, y, p) - prof.potential(x - h, y, p)) / (2 * h);
          const dpy = (prof.potential(x, y + h, p) - prof.potential(x, y - h, p)) / (2 * h);
          gradErr = Math.max(gradErr, Math.abs(dpx - a[0]), Math.abs(dpy - a[1]));
          prof.hessian(x, y, p, H);
          prof.deflection(x + h, y, p, ap); prof.deflection(x - h, y, p, am);
          const axx = (ap[0] - am[0]) / (2 * h), ayx = (ap[1] - am[1]) / (2 * h);
          prof.deflection(x, y + h, p, ap); prof.deflection(x, y - h, p, am);
          const axy = (ap[0] - am[0]) / (2 * h), ayy = (ap[1] - am[1]) / (2 * h);
          hessErr = Math.max(hessErr, Math.abs(axx - H[0]), Math.abs(axy - H[1]), Math.abs(ayx - H[1]), Math.abs(ayy - H[2]));
          const kappa = prof.convergence(x, y, p);
          poissonErr = Math.max(poissonErr, Math.abs(axx + ayy - 2 * kappa) / (1 + 2 * kappa));
        });
        // The SIE grid loop interpolates tabulated angular functions (sie.ts): ≤ 1e-5″.
        expect(gridErr).toBeLessThan(name === 'SIE' ? 1e-5 : 1e-12);
        if (name === 'SIE' && raw.q < 1) expect(gridErr).toBeGreaterThan(0); // the fast path ran
        expect(gradErr).toBeLessThan(1e-6);
        expect(hessErr).toBeLessThan(1e-5);
        expect(poissonErr).toBeLessThan(1e-6);
      });
    }
  }
  it('the Poisson check would catch a prefactor off by a factor q (reference-page erratum)', () => {
    const p: Params = { theta_E: 1.3, q: 0.5, phi: 0.4, center_x: 0, center_y: 0 };
    const h = 1e-4, ap = [0, 0], am = [0, 0];
    const [x, y] = [0.7, -0.9];
    SIE.deflection(x + h, y, p, ap); SIE.deflection(x - h, y, p, am);
    let div = (ap[0] - am[0]) / (2 * h);
    SIE.deflection(x, y + h, p, ap); SIE.deflection(x, y - h, p, am);
    div += (ap[1] - am[1]) / (2 * h);
    const ratio = div / (2 * SIE.convergence(x, y, p));
    expect(ratio).toBeCloseTo(1, 6);
    expect(Math.abs(ratio * p.q - 1)).toBeGreaterThan(0.4); // a q-scaled prefactor gives ratio q
  });
});

describe('SIE limits', () => {
  it('SIE → SIS as q → 1, linearly in 1 − q, and finite at r = 0', () => {
    const a = [0, 0], b = [0, 0];
    const pts = points(200, 0, 0);
    for (const eps of [1e-3, 1e-5, 1e-7, 1e-9]) {
      let err = 0;
      for (const [x, y] of pts) {
        SIE.deflection(x, y, { theta_E: 1.3, q: 1 - eps, phi: 0.7, center_x: 0, center_y: 0 }, a);
        SIS.deflection(x, y, { theta_E: 1.3, center_x: 0, center_y: 0 }, b);
        err = Math.max(err, Math.hypot(a[0] - b[0], a[1] - b[1]));
      }
      expect(err / eps).toBeLessThan(2 * 1.3);
    }
    for (const q of [0.4, 1 - 1e-9, 1]) {
      const p = { theta_E: 1.3, q, phi: 0.3, center_x: 0, center_y: 0 };
      SIE.deflection(0, 0, p, a);
      expect(Number.isFinite(a[0]) && Number.isFinite(a[1])).toBe(true);
      expect(Number.isFinite(SIE.potential(0, 0, p))).toBe(true);
    }
  });

  it('mean convergence inside the Einstein radius is 1 (SIS disc; SIE ellipse √(q x²+y²/q) < θE)', () => {
    const thetaE = 1.7, n = 1200;
    for (const [prof, p] of [
      [SIS, { theta_E: thetaE, center_x: 0, center_y: 0 }],
      [SIE, { theta_E: thetaE, q: 0.6, phi: 0, center_x: 0, center_y: 0 }],
    ] as const) {
      const q = prof === SIE ? 0.6 : 1;
      // Midpoint rule over the ellipse's bounding box (even n: no point on the singular centre).
      const ax = thetaE / Math.sqrt(q), ay = thetaE * Math.sqrt(q);
      let sum = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        const x = ((i + 0.5) / n - 0.5) * 2 * ax, y = ((j + 0.5) / n - 0.5) * 2 * ay;
        if (q * x * x + (y * y) / q < thetaE * thetaE) sum += prof.convergence(x, y, p);
      }
      const mean = (sum * (4 * ax * ay) / (n * n)) / (Math.PI * thetaE * thetaE);
      expect(Math.abs(mean - 1)).toBeLessThan(0.01);
    }
  });
});

/** A lumpy 40 × 30 stamp (two Gaussians, 0.05″ pixels) for the shared light-profile checks. */
function stampKey(): number {
  const w = 40, h = 30, data = new Float64Array(w * h);
  for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) {
    data[j * w + i] = Math.exp(-0.5 * (((i - 18) / 5) ** 2 + ((j - 14) / 3) ** 2)) + 0.5 * Math.exp(-0.5 * (((i - 27) ** 2 + (j - 9) ** 2) / 4));
  }
  return registerStampLibrary({ id: 'test:profiles', fraction: 1, stamps: [{ name: 'lumpy', width: w, height: h, pixelScale: 0.05, data }] });
}

describe('light profiles: total flux and grid evaluation (every registered profile)', () => {
  const cases: Record<string, Record<string, number>[]> = {
    SERSIC: [0.5, 1, 2.5, 4].map((n) => ({ flux: 3, r_e: 0.5, n, q: 0.7, phi: 0.4, center_x: 0.013, center_y: -0.007 })),
    CLUMPY_SOURCE: [0, 1, 2].map((part) => ({ flux: 2, r_e: 0.4, n: 1, q: 0.6, phi: 1, n_clumps: 5, clump_frac: 0.3, clump_sigma: 0.05, clump_seed: 9, part, center_x: 0.1, center_y: 0 })),
    GAUSSIAN_RING: [{ flux: 1, r_ring: 1.4, width: 0.15, q: 0.8, phi: 0.2 }, { flux: 1, r_ring: 0.1, width: 0.3, q: 1, phi: 0 }],
    SPIRAL: [{ flux: 1, h: 0.6, arms: 2, pitch: 0.4, arm_amp: 0.7, q: 0.7, phi: 0.5 }],
    STAMP_SOURCE: [{ flux: 2, phi: 0.8, center_x: 0.3, center_y: -0.2, stamp_key: stampKey() }],
  };
  it('has a case for every registered light profile', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(LIGHT_PROFILES).sort());
  });
  for (const [name, prof] of Object.entries(LIGHT_PROFILES)) {
    for (const raw of cases[name] ?? []) {
      it(`${name} ${JSON.stringify(raw)}: grid integral = analytic total flux within 1 %`, () => {
        const p = withDefaults(prof.params, raw);
        // 0.02″ cells, 3×3 points each, 24″ wide: the same addToPixels loop the simulator uses.
        const cells = 1200, ss = 3, cell = 0.02, half = (cells * cell) / 2;
        let total = 0;
        const row = cells * ss;
        const xs = new Float64Array(row), ys = new Float64Array(row);
        const pix = new Int32Array(row), wt = new Float64Array(row).fill((cell * cell) / (ss * ss));
        const out = new Float64Array(1);
        for (let j = 0; j < row; j++) {
          for (let i = 0; i < row; i++) { xs[i] = ((i + 0.5) / ss) * cell - half; ys[i] = ((j + 0.5) / ss) * cell - half; }
          out[0] = 0;
          prof.addToPixels(xs, ys, row, pix, wt, p, out);
          total += out[0];
        }
        expect(Math.abs(total / prof.totalFlux(p) - 1)).toBeLessThan(0.01);
        // Scalar and grid evaluation agree.
        // 500 points, one pixel each (Sérsic grid loops interpolate a 2048-node table in
        // (R/R_e)^{1/4}: within 1e-5 of the brightest sampled value, the centre included).
        const rng = new Rng(2, 9);
        const m = 500, px = new Float64Array(m), py = new Float64Array(m);
        for (let i = 0; i < m; i++) { px[i] = rng.range(-2, 2); py[i] = rng.range(-2, 2); }
        px[0] = p.center_x ?? 0; py[0] = p.center_y ?? 0;
        const o = new Float64Array(m);
        prof.addToPixels(px, py, m, Int32Array.from({ length: m }, (_, i) => i), new Float64Array(m).fill(1), p, o);
        let peak = 0, worst = 0;
        for (let i = 0; i < m; i++) peak = Math.max(peak, prof.surfaceBrightness(px[i], py[i], p));
        for (let i = 0; i < m; i++) worst = Math.max(worst, Math.abs(o[i] - prof.surfaceBrightness(px[i], py[i], p)) / peak);
        expect(worst).toBeLessThan(1e-5);
      });
    }
  }
});
