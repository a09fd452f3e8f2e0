// Injection of simulated lensed light into real (here: simulated non-lens) cutouts.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { simulateCutout } from '../lens/simulate';
import { applyInjection, centralGalaxy, DEFAULT_INJECTION, drawInjection, type InjectionOptions } from './inject';

const BANDS = ['g', 'r', 'i', 'z'];
const O: InjectionOptions = { ...DEFAULT_INJECTION, preset: 'lsst', bands: BANDS, size: 45, quasarFraction: 0 };

describe('injection into cutouts', () => {
  it('finds the central galaxy: centroid, axis ratio and angle of an elliptical Gaussian', () => {
    const n = 45, c = 22, ps = 0.2, x0 = 3, y0 = -2, q = 0.5, phi = 0.6, s = 3;
    const plane = new Float32Array(n * n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
      const dx = i - c - x0, dy = j - c - y0;
      const u = Math.cos(phi) * dx + Math.sin(phi) * dy, v = -Math.sin(phi) * dx + Math.cos(phi) * dy;
      plane[j * n + i] = 100 * Math.exp(-0.5 * (u * u / (s * s) + v * v / (q * q * s * s))) + ((i * 7 + j * 13) % 5 - 2) * 0.1;
    }
    const g = centralGalaxy([plane], n, ps);
    expect(Math.abs(g.x - x0 * ps)).toBeLessThan(0.05);
    expect(Math.abs(g.y - y0 * ps)).toBeLessThan(0.05);
    expect(Math.abs(g.q - q)).toBeLessThan(0.08);
    expect(Math.abs(g.phi - phi)).toBeLessThan(0.05);
  });

  it('injected flux = the simulated lensed source flux × the unit scale (the PSF keeps flux); the original planes are not written', () => {
    for (let k = 0; k < 3; k++) {
      const cut = simulateCutout({ preset: 'lsst', lensFraction: 0, negativeMix: { deflector: 1 } }, 21, k);
      const before = cut.bands.map((p) => Float32Array.from(p));
      // θE ≤ 1.5″ keeps arcs and PSF wings inside the 9″ stamp (light beyond its edge is not in it).
      const inj = drawInjection(cut.bands, { ...O, thetaEMin: 0.8, thetaEMax: 1.5 }, new Rng(77, k));
      const out = applyInjection(cut.bands, inj);
      cut.bands.forEach((p, b) => expect(Array.from(p)).toEqual(Array.from(before[b]!)));
      const t = inj.truth;
      BANDS.forEach((band, b) => {
        let d = 0;
        for (let i = 0; i < out[b]!.length; i++) d += out[b]![i]! - before[b]![i]!;
        expect(Math.abs(d / Number(t[`injected_flux_${band}`]) - 1)).toBeLessThan(1e-3);
        // The simulated lensed light before the PSF, in simulated e⁻, times the unit scale.
        const expected = Number(t[`injected_scale_${band}`]) * Number(t[`lensed_e_${band}`]);
        expect(expected).toBeGreaterThan(0);
        expect(Math.abs(d / expected - 1)).toBeLessThan(1e-2);
      });
      expect(Number(t.injected_snr)).toBeGreaterThanOrEqual(O.snrMin);
    }
  });

  it('lensed quasars inject their images (positive flux in every band)', () => {
    const cut = simulateCutout({ preset: 'lsst', lensFraction: 0, negativeMix: { deflector: 1 } }, 22, 0);
    const inj = drawInjection(cut.bands, { ...O, quasarFraction: 1 }, new Rng(78, 0));
    expect(inj.truth.src_kind).toBe('quasar');
    expect(Number(inj.truth.qso_n_images)).toBeGreaterThanOrEqual(1);
    for (const b of BANDS) expect(Number(inj.truth[`injected_flux_${b}`])).toBeGreaterThan(0);
  });

  it('real galaxy stamps as the injected sources: the truth names the stamp, and its light is injected', () => {
    // Two small "galaxies" with distinct shapes: a round blob and an elongated bar (0.03″ pixels).
    const w = 41, blob = new Float32Array(w * w), bar = new Float32Array(w * w);
    for (let j = 0; j < w; j++) for (let i = 0; i < w; i++) {
      blob[j * w + i] = Math.exp(-0.5 * ((i - 20) ** 2 + (j - 20) ** 2) / 16);
      bar[j * w + i] = Math.exp(-0.5 * ((i - 20) ** 2 / 64 + (j - 20) ** 2 / 2));
    }
    const sourceStamps = { id: 'test-stamps', fraction: 1, stamps: [
      { name: 'blob', width: w, height: w, pixelScale: 0.03, data: blob },
      { name: 'bar', width: w, height: w, pixelScale: 0.03, data: bar },
    ] };
    const names = new Set<string>();
    for (let k = 0; k < 6; k++) {
      const cut = simulateCutout({ preset: 'lsst', lensFraction: 0, negativeMix: { deflector: 1 } }, 23, k);
      const inj = drawInjection(cut.bands, { ...O, thetaEMin: 0.8, thetaEMax: 1.5, sourceStamps }, new Rng(79, k));
      expect(inj.truth.src_kind).toBe('stamp');
      names.add(String(inj.truth.src_stamp));
      for (const b of BANDS) expect(Number(inj.truth[`injected_flux_${b}`])).toBeGreaterThan(0);
    }
    expect([...names].sort()).toEqual(['bar', 'blob']);
    // Without stamps the same draws give the clumpy Sérsic source.
    const cut = simulateCutout({ preset: 'lsst', lensFraction: 0, negativeMix: { deflector: 1 } }, 23, 0);
    expect(drawInjection(cut.bands, { ...O, thetaEMin: 0.8, thetaEMax: 1.5 }, new Rng(79, 0)).truth.src_kind).not.toBe('stamp');
  });
});
