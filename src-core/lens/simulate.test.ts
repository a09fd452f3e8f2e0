// Physics and reproducibility checks of the simulator (reference page "Checks worth having").
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { subpixelGrid } from './grid';
import { addNoise } from './noise';
import { SERSIC } from './profiles/sersic';
import { getPreset, skyPerPixel } from './presets';
import { engineFor, simulateCutout, simulateRange } from './simulate';
import { renderScene } from './render';
import { fluxRatio, sisMagnification } from '../../test/sis-magnification';
import type { Scene } from './scene';

const noLensLight = (bands: string[]) => Object.fromEntries(bands.map((b) => [b, 99]));
const flat = (bands: string[], m: number) => Object.fromEntries(bands.map((b) => [b, m]));

function sisScene(thetaE: number, sx: number, sy: number, re: number, n: number): Scene {
  return {
    isLens: true, kind: 'lens', points: [], artefacts: [],
    mass: [{ profile: 'SIS', params: { theta_E: thetaE, center_x: 0, center_y: 0 } }],
    light: [{ role: 'source', profile: 'SERSIC', lensed: true,
      params: { flux: 1, r_e: re, n, q: 1, phi: 0, center_x: sx, center_y: sy }, mags: flat(['g', 'r', 'i', 'z'], 20) }],
  };
}

describe('lensing geometry', () => {
  it('a compact source on the axis of an SIS makes a ring of radius θE (no PSF and with PSF)', () => {
    const thetaE = 1.73;
    for (const psf of ['delta', 'gaussian'] as const) {
      const e = engineFor({ preset: 'challenge', supersample: 5, ...(psf === 'delta'
        ? { psfOverride: Object.fromEntries(['u', 'g', 'r', 'i'].map((b) => [b, { type: 'pixel', width: 3, kernel: [0, 0, 0, 0, 1, 0, 0, 0, 0] }])) }
        : {}) });
      const scene = sisScene(thetaE, 0, 0, 0.03, 1);
      scene.light[0].mags = flat(['u', 'g', 'r', 'i'], 20);
      renderScene(scene, e.ins, e.ws);
      const img = e.ws.models[3];
      const n = e.ins.size, c = (n - 1) / 2, ps = e.ins.pixelScale;
      // Azimuthal profile in half-pixel annuli.
      const sum = new Float64Array(200), cnt = new Float64Array(200);
      for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
        const k = Math.floor(Math.hypot(i - c, j - c) * 2);
        sum[k] += img[j * n + i]; cnt[k]++;
      }
      let best = 0;
      for (let k = 1; k < 200; k++) if (cnt[k] && sum[k] / cnt[k] > sum[best] / Math.max(cnt[best], 1)) best = k;
      const peak = ((best + 0.5) / 2) * ps;
      expect(Math.abs(peak - thetaE)).toBeLessThan(0.15);
    }
  });

  it('lensed flux = μ × unlensed flux for a compact source (SIS: μ = 2θE/β, averaged over the source)', () => {
    const thetaE = 1.5, sx = 0.6, sy = 0.1, re = 0.08;
    const e = engineFor({ preset: 'lsst', supersample: 7, marginSupersample: 3 });
    const info = renderScene(sisScene(thetaE, sx, sy, re, 1), e.ins, e.ws);
    // Independent expectation: the flux-weighted mean of 2θE/|β| over the source plane (no ray shooting).
    const p = { flux: 1, r_e: re, n: 1, q: 1, phi: 0, center_x: sx, center_y: sy };
    const expected = sisMagnification((x, y) => SERSIC.surfaceBrightness(x, y, p), thetaE, sx, sy, 1);
    expect(expected).toBeGreaterThan(4.5);
    expect(Math.abs(info.mu / expected - 1)).toBeLessThan(0.01);
    // And the PSF keeps the lensed flux (valid convolution from the margin): Σ model = μ · F.
    const F = e.ins.e0[1] * 10 ** (-0.4 * 20);
    expect(Math.abs(fluxRatio(e.ws.models[1], info.mu, F) - 1)).toBeLessThan(0.01);
  });
});

describe('light and noise', () => {
  it('Sérsic total flux on the simulator grid (0.2″ pixels, 3×3, 12×12 centre) within 1 % of analytic', () => {
    const g = subpixelGrid({ size: 181, margin: 0, pixelScale: 0.2, ss: 3 });
    for (const n of [0.5, 1, 2.5, 4]) {
      const out = new Float64Array(g.side * g.side);
      const p = { flux: 1, r_e: 0.3, n, q: 0.7, phi: 0.4, center_x: 0, center_y: 0 };
      SERSIC.addToPixels(g.x, g.y, g.n, g.pix, g.wt, p, out);
      const tot = out.reduce((a, b) => a + b, 0);
      expect(Math.abs(tot - 1)).toBeLessThan(0.01);
    }
    // With an odd count everywhere one sample sits on the n = 4 cusp: the check above must catch it.
    const odd = subpixelGrid({ size: 181, margin: 0, pixelScale: 0.2, ss: 3, centreSs: 4 });
    const out = new Float64Array(odd.side * odd.side);
    const oddGrid = { ...odd, x: odd.x.map((v) => v), y: odd.y.map((v) => v) };
    // Shift all samples by a quarter sub-pixel → the even 4×4 centre becomes a lattice through r = 0.
    const sh = 0.2 / 8;
    for (let k = 0; k < oddGrid.n; k++) { oddGrid.x[k] += sh; oddGrid.y[k] += sh; }
    SERSIC.addToPixels(oddGrid.x, oddGrid.y, oddGrid.n, oddGrid.pix, oddGrid.wt, { flux: 1, r_e: 0.3, n: 4, q: 0.7, phi: 0.4, center_x: 0, center_y: 0 }, out);
    expect(out.reduce((a, b) => a + b, 0)).toBeGreaterThan(1.05);
  });

  it('sky-only noise: sample variance = sky + N_exp rn² (normal path, LSST griz; exact Poisson, Euclid VIS)', () => {
    for (const [preset, bands, above] of [['lsst', ['g', 'r', 'i', 'z'], 1e4], ['euclid', ['VIS'], Infinity]] as const) {
      const p = getPreset(preset);
      for (const b of bands) {
        const sky = skyPerPixel(p.bands[b], p.pixelScale);
        const readVar = p.bands[b].nExp * p.readNoise ** 2;
        const n = 60000;
        const img = new Float32Array(n), v = new Float32Array(n);
        addNoise(new Float64Array(n), n, { sky, readVar, gaussianAbove: above }, new Rng(5, b.charCodeAt(0)), img, v);
        let m = 0, s = 0;
        for (const x of img) m += x;
        m /= n;
        for (const x of img) s += (x - m) ** 2;
        const ratio = s / (n - 1) / v[0];
        expect(v[0]).toBeCloseTo(sky + readVar, 0);
        expect(Math.abs(ratio - 1)).toBeLessThan(5 * Math.sqrt(2 / n)); // 5σ of the sample variance
        expect(Math.abs(m)).toBeLessThan(5 * Math.sqrt(v[0] / n)); // sky subtracted
      }
    }
  });
});

describe('reproducibility and populations', () => {
  it('same (seed, index) → byte-identical cutouts, in any order and through simulateRange', () => {
    const a = simulateCutout('lsst', 7, 42);
    simulateCutout('lsst', 7, 3);
    const b = simulateCutout('lsst', 7, 42);
    const c = simulateCutout('lsst', 7, 43);
    const r = simulateRange({ preset: 'lsst' }, 7, 41, 2);
    const n = 45 * 45;
    a.bands.forEach((band, k) => {
      expect(Buffer.from(band.buffer).equals(Buffer.from(b.bands[k].buffer))).toBe(true);
      expect(Buffer.from(a.variance[k].buffer).equals(Buffer.from(b.variance[k].buffer))).toBe(true);
      expect(Buffer.from(r.images.buffer, (4 + k) * n * 4, n * 4).equals(Buffer.from(band.buffer))).toBe(true);
    });
    expect(Buffer.from(a.bands[0].buffer).equals(Buffer.from(c.bands[0].buffer))).toBe(false);
    expect(JSON.stringify(a.truth)).toBe(JSON.stringify(b.truth));
  });

  it('class balance, negative kinds and detectability follow the configuration', () => {
    const r = simulateRange({ preset: 'lsst', lensFraction: 0.3, negativeMix: { deflector: 0, ring: 1, spiral: 0, merger: 0, star: 0, artefact: 0 } }, 3, 0, 200);
    const lenses = r.truths.filter((t) => t.is_lens === 1);
    expect(lenses.length / 200).toBeGreaterThan(0.3 - 4 * Math.sqrt(0.21 / 200));
    expect(lenses.length / 200).toBeLessThan(0.3 + 4 * Math.sqrt(0.21 / 200));
    expect(new Set(r.truths.filter((t) => t.is_lens === 0).map((t) => t.kind))).toEqual(new Set(['ring']));
    for (const t of lenses) {
      if (t.detectable === 1) {
        expect(Number(t.mu)).toBeGreaterThan(3);
        expect(Number(t.snr)).toBeGreaterThan(20);
      }
    }
    expect(lenses.filter((t) => t.detectable === 1).length).toBeGreaterThan(0.9 * lenses.length);
  });

  it('Poisson noise tracks the model: (image − model)² averages to the variance map', () => {
    const cut = simulateCutout({ preset: 'lsst', lensFraction: 1 }, 11, 5, { model: true });
    let chi2 = 0, n = 0;
    cut.bands.forEach((img, b) => img.forEach((v, i) => { chi2 += (v - cut.model![b][i]) ** 2 / cut.variance[b][i]; n++; }));
    expect(Math.abs(chi2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });
});

export { noLensLight };

describe('ziggurat normal deviates', () => {
  it('moments and tails of N(0, 1)', async () => {
    const { zigguratNormal } = await import('./ziggurat');
    const rng = new Rng(123, 4);
    const n = 400000;
    let s1 = 0, s2 = 0, s4 = 0, t2 = 0, t3 = 0;
    for (let i = 0; i < n; i++) {
      const z = zigguratNormal(rng);
      s1 += z; s2 += z * z; s4 += z ** 4;
      if (Math.abs(z) > 2) t2++;
      if (Math.abs(z) > 3.5) t3++;
    }
    const mean = s1 / n, v = s2 / n, kurt = s4 / n / (v * v);
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(v - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(kurt - 3)).toBeLessThan(5 * Math.sqrt(24 / n));
    const p2 = 0.0455003, p3 = 4.6525e-4; // P(|z| > 2), P(|z| > 3.5) (tail beyond the ziggurat base R = 3.44)
    expect(Math.abs(t2 / n - p2)).toBeLessThan(5 * Math.sqrt(p2 / n));
    expect(Math.abs(t3 / n - p3)).toBeLessThan(5 * Math.sqrt(p3 / n));
  });
});

describe('every preset', () => {
  it('renders finite cutouts whose noise matches the variance map (lens and non-lens)', async () => {
    const { PRESETS } = await import('./presets');
    for (const name of Object.keys(PRESETS)) {
      for (const lensFraction of [0, 1]) {
        const c = simulateCutout({ preset: name, lensFraction }, 21, 1, { model: true });
        let chi2 = 0, n = 0;
        c.bands.forEach((img, b) => img.forEach((v, i) => {
          expect(Number.isFinite(v) && c.variance[b][i] > 0).toBe(true);
          chi2 += (v - c.model![b][i]) ** 2 / c.variance[b][i]; n++;
        }));
        expect(Math.abs(chi2 / n - 1)).toBeLessThan(6 * Math.sqrt(2 / n));
        expect(c.truth.is_lens).toBe(lensFraction);
      }
    }
  });
});
