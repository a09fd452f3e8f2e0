// Simulated blends for any survey preset (issue 14): the PSF width in pixels follows the preset's seeing
// and pixel scale, the bands default to the preset's, unknown bands are refused by name, and the
// morphology model's training stamps can be drawn for a preset without g, r, i (Euclid VIS).
import { describe, expect, it } from 'vitest';
import { getPreset } from '../lens/presets';
import { simBlended, simIsolated, stampBands } from './morphology-stamps';
import { psfSigma } from './psf-match';
import { simulateBlend } from './sim-blend';

const fwhmPx = (preset: string, band: string) => getPreset(preset).bands[band]!.seeing / getPreset(preset).pixelScale;

describe('simulateBlend presets', () => {
  it('uses each preset\'s seeing in its own pixels (HSC 0.168″ vs LSST 0.2″ vs DES 0.263″)', () => {
    for (const p of ['lsst', 'hsc', 'des']) {
      const sim = simulateBlend(5, { preset: p, bands: ['r'] });
      // A Gaussian's σ = FWHM / 2.3548, measured on the kernel the simulator convolved with.
      expect(psfSigma(sim.psfs[0]!)).toBeCloseTo(fwhmPx(p, 'r') / 2.3548, 1);
    }
    expect(simulateBlend(5, { preset: 'hsc' }).bands).toEqual(getPreset('hsc').defaultBands);
    expect(simulateBlend(5).bands).toEqual(['g', 'r', 'i', 'z']);
  });

  it('a galaxy spans more pixels at a finer pixel scale (same angular sizes)', () => {
    // Second moment of the noiseless truth about its centre, in pixels², for the same seed.
    const spread = (preset: string) => {
      const t = simulateBlend(11, { preset, nSources: 1, bands: ['r'], size: 61 }).truth[0]!, img = t.image[0]!;
      let s = 0, m = 0;
      img.forEach((v, i) => { const x = i % 61, y = Math.floor(i / 61); s += v; m += v * ((x - t.x) ** 2 + (y - t.y) ** 2); });
      return m / s;
    };
    expect(spread('hsc')).toBeGreaterThan(spread('des') * 1.5);
  });

  it('refuses a band the preset lacks, naming both', () => {
    expect(() => simulateBlend(1, { preset: 'euclid', bands: ['g'] })).toThrow(/euclid has no band 'g'.*VIS/);
  });

  it('training stamps for Euclid use VIS (no g, r, i), g + r + i elsewhere', () => {
    expect(stampBands('euclid')).toEqual(['VIS']);
    expect(stampBands('hsc')).toEqual(['g', 'r', 'i']);
    const a = simIsolated(3, 'euclid'), b = simBlended(3, 5, 9, 'euclid');
    expect(a.img.length).toBe(48 * 48);
    expect(a.img.every(Number.isFinite) && b.img.every(Number.isFinite)).toBe(true);
  });
});
