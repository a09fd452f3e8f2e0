// Calibration of `lensdesk source --prior DIR` (issue #13, gap iv): per-pixel coverage of the unlensed
// source's posterior intervals from the score prior's annealed Langevin chains, on simulated lenses whose
// Sérsic source is known (the fit's own forward model with LSST i-band noise, at the true lens so only the
// source prior is tested; bench/source-calibration.ts runs more lenses and the Gaussian prior). With B
// chains the B-sample prediction intervals (Student t, coverageStats) are nominal when calibrated; the
// bounds are loose (a std 3× too small or too large fails them) and printed figures go to the docs table.
import { describe, expect, it } from 'vitest';
import { syntheticLens } from '../../src-core/infer/lens-synthetic';
import { qPhiToEllipticity } from '../../src-core/infer/lens-model';
import { sersicSourceImage } from '../../src-core/inverse/source/source-problem';
import { getPreset } from '../../src-core/lens/presets';
import { coverageStats } from '../../src-core/metrics/image-quality';
import { Rng } from '../../src-core/rng';
import { bundledScorePrior, RESTORE_PRIOR } from '../score/bundled-prior';
import { runSourceReconstruction } from './run';

const B = 8;

describe('learned source posterior: coverage on simulated lenses', { timeout: 600_000 }, () => {
  it('the source region is covered near the nominal 68 % / 95 % by the B-sample intervals', async () => {
    const dir = bundledScorePrior(RESTORE_PRIOR, {});
    expect(dir, `models/priors/${RESTORE_PRIOR} is missing`).not.toBeNull();
    const preset = getPreset('lsst'), sets: Array<{ truth: Float64Array; mean: Float64Array; std: Float64Array }> = [];
    for (const seed of [1, 2]) {
      const r0 = new Rng(20261207, seed, 0x5c), u = (lo: number, hi: number) => lo + (hi - lo) * r0.uniform();
      const theta = Float64Array.from([
        u(0.8, 1.6), ...qPhiToEllipticity(u(0.6, 0.95), u(0, Math.PI)), u(-0.05, 0.05), u(-0.05, 0.05),
        u(-0.25, 0.25), u(-0.25, 0.25), u(0.15, 0.35), u(0.8, 2.5), ...qPhiToEllipticity(u(0.5, 0.9), u(0, Math.PI)), u(0.6, 1.2),
      ]);
      const s = syntheticLens({ seed, size: 33, bands: ['i'], truth: theta });
      const input = { bands: ['i'], size: 33, pixelScale: s.cutout.pixelScale, image: s.cutout.image, variance: s.cutout.variance, psf: [{ type: 'gaussian' as const, fwhm: preset.bands.i!.seeing }] };
      const r = await runSourceReconstruction({ input, draws: { all: [theta], from: 'truth' }, lensDraws: 1, grid: 48, prior: { dir: dir! }, samples: B, seed, threads: 1 });
      const truth = sersicSourceImage(theta, s.amplitudes[0]!, r.grid), peak = Math.max(...truth);
      const keep = [...truth.keys()].filter((k) => truth[k]! > 0.1 * peak);
      sets.push({ truth: Float64Array.from(keep, (k) => truth[k]!), mean: Float64Array.from(keep, (k) => r.mean[k]!), std: Float64Array.from(keep, (k) => r.std[k]!) });
    }
    const c = coverageStats(sets, 20, { samples: B });
    console.log(`learned source (${RESTORE_PRIOR}, ${B} chains × 10 steps/level (the default), 2 lenses, ${c.pixels} source-region pixels): prediction intervals ${(100 * c.predictive!.coverage68).toFixed(1)} % / ${(100 * c.predictive!.coverage95).toFixed(1)} %, z ${c.zMean.toFixed(2)} ± ${c.zStd.toFixed(2)} (calibrated sd ${c.predictive!.zStdExpected.toFixed(2)})`);
    expect(c.predictive!.coverage68).toBeGreaterThan(0.35);
    expect(c.predictive!.coverage95).toBeGreaterThan(0.7);
    expect(c.zStd / c.predictive!.zStdExpected).toBeLessThan(3);
    expect(c.zStd / c.predictive!.zStdExpected).toBeGreaterThan(1 / 3);
    expect(Math.abs(c.zMean)).toBeLessThan(1);
  });
});
