import { describe, expect, it } from 'vitest';
import { getPreset, magToElectrons } from '../lens/presets';
import { adaptiveMoments } from './moments';
import { fluxFactor, observeAt, resolveTarget } from './render';

describe('observing decoded galaxies at a preset', () => {
  it('flux unit conversion is the ratio of e⁻ per magnitude between the two co-adds', () => {
    const t = resolveTarget({ preset: 'euclid' }, 6.4);
    expect(fluxFactor({ preset: 'lsst', band: 'r' }, resolveTarget({ preset: 'lsst' }, 6.4))).toBeCloseTo(1, 12);
    const ratio = magToElectrons(23, getPreset('euclid').bands.VIS!) / magToElectrons(23, getPreset('lsst').bands.r!);
    expect(fluxFactor({ preset: 'lsst', band: 'r' }, t)).toBeCloseTo(ratio, 9);
    expect(fluxFactor({ source: 'stamps' } as never, t)).toBe(1);
  });

  it('conserves flux and widens a point source to the target PSF (Gaussian FWHM → σ = FWHM/2.355)', () => {
    const D = 64, g = new Float64Array(D * D);
    // a point source at the grid centre (31.5, 31.5): four pixels
    for (const i of [31 * D + 31, 31 * D + 32, 32 * D + 31, 32 * D + 32]) g[i] = 250;
    const t = resolveTarget({ preset: 'lsst', size: 33 }, 0);
    const { model } = observeAt(g, D, 0.1, 0, 2, t);
    expect(model.reduce((a, v) => a + v, 0)).toBeCloseTo(2000, 0);
    const m = adaptiveMoments(model, 33, 33, { pixelScale: 0.2 });
    // PSF 0.73″ FWHM ⊗ the 0.2″ pixel box (variance 0.2²/12) and the 0.1″ source box
    const expected = Math.sqrt((0.73 / 2.3548) ** 2 + 0.2 ** 2 / 12 + 0.1 ** 2 / 12);
    expect(m.sigma).toBeGreaterThan(0.95 * (0.73 / 2.3548));
    expect(m.sigma).toBeLessThan(1.05 * expected);
  });
});
