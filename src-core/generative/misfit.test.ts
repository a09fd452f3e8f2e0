// The χ² tail and quantile against scipy (values printed by Debian's python3:
// scipy.stats.chi2.sf / isf, scipy.special.gammaincc), and the warning's logic.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { zigguratNormal } from '../lens/ziggurat';
import { checkMisfit, chi2Isf, chi2Sf, gammaQ, MISFIT_FLOOR } from './misfit';

describe('χ² distribution', () => {
  it('upper tail matches scipy', () => {
    const cases: [number, number, number][] = [
      [1100, 1024, 0.04904492609210413], [1200, 1024, 0.00010746762608383012], [900, 1024, 0.9977744745403448],
      [3, 2, 0.22313016014842982], [5, 10, 0.8911780189141513],
    ];
    for (const [x, k, ref] of cases) expect(Math.abs(chi2Sf(x, k) - ref) / ref).toBeLessThan(1e-9);
    expect(Math.abs(gammaQ(3.5, 1.2) - 0.9344370795779711)).toBeLessThan(1e-12);
    expect(Math.abs(gammaQ(0.5, 0.01) - 0.887537083981715)).toBeLessThan(1e-12);
    // far tail: log sf(1536; 1024) = −51.758 (scipy chi2.logsf)
    expect(Math.abs(Math.log(chi2Sf(1536, 1024)) + 51.75841644581718)).toBeLessThan(1e-6);
    expect(chi2Sf(265 * 1024, 1024)).toBe(0);
  });

  it('quantile matches scipy chi2.isf(1e-3, k)', () => {
    expect(Math.abs(chi2Isf(1e-3, 1024) / 1024 - 1.1421537675907911)).toBeLessThan(1e-8);
    expect(Math.abs(chi2Isf(1e-3, 50) / 50 - 1.7332163038080635)).toBeLessThan(1e-8);
    expect(Math.abs(chi2Isf(1e-3, 10) - 29.58829844507442)).toBeLessThan(1e-6);
  });
});

describe('checkMisfit', () => {
  it('pure noise of the stated σ passes in 200 of 200 trials; the floor sets the threshold for a 32×32 stamp', () => {
    const rng = new Rng(11, 3);
    let flagged = 0;
    for (let t = 0; t < 200; t++) {
      let chi2 = 0;
      for (let i = 0; i < 1024; i++) chi2 += zigguratNormal(rng) ** 2;
      if (checkMisfit(chi2, 1024).misfit) flagged++;
    }
    expect(flagged).toBe(0);
    const c = checkMisfit(1024, 1024);
    expect(c.threshold).toBe(MISFIT_FLOOR);
    expect(c.warning).toBeNull();
    expect(c.reasons).toEqual([]);
  });

  it('few pixels: the χ² quantile, not the floor, is the threshold', () => {
    const c = checkMisfit(80, 50);
    expect(c.threshold).toBeCloseTo(1.7332163, 6);
    expect(c.misfit).toBe(false); // 1.6 per pixel: p ≈ 0.004 > 1e-3
    expect(checkMisfit(90, 50).misfit).toBe(true);
  });

  it('a gross misfit is flagged, with the reasons the data support first', () => {
    const c = checkMisfit(265 * 1024, 1024, {
      flux: 4e6, trainingFluxMax: 1e5, trainingFluxLabel: 'mag 22 in lsst r', edgeSnr: 40, fieldArcsec: 6.4,
      psfSource: 'preset lsst r (Gaussian)', noiseSource: 'border MAD (outer 3 pixels)', pixelScale: 0.2,
    });
    expect(c.misfit).toBe(true);
    expect(c.chi2PerPixel).toBeCloseTo(265, 9);
    expect(c.pValue).toBe(0);
    expect(c.reasons[0]).toMatch(/brighter than any .* 40× the brightest training galaxy, mag 22 in lsst r/);
    expect(c.reasons[1]).toMatch(/larger than the model's field .* 6\.4″ crop, 40σ/);
    expect(c.reasons.some((r) => /PSF \(preset lsst r \(Gaussian\)\) or the pixel scale \(0\.2″\)/.test(r))).toBe(true);
    expect(c.reasons.some((r) => /noise σ from the border/.test(r))).toBe(true);
    expect(c.warning).toMatch(/^the model does not fit this stamp: χ²\/pixel 265\.00 over 1024 pixels \(p < 1e-300; threshold 1\.50\)\. The posterior is conditional on a model that does not describe the stamp/);
  });

  it('hints the data do not support stay generic', () => {
    const c = checkMisfit(3 * 1024, 1024, { flux: 1e4, trainingFluxMax: 1e5, edgeSnr: 1, noiseSource: 'VARIANCE plane' });
    expect(c.misfit).toBe(true);
    expect(c.reasons[0]).toBe("the galaxy is brighter than the model's training galaxies");
    expect(c.reasons.some((r) => /border/.test(r))).toBe(false);
  });
});
