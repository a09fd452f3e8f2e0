// Issue 21: a fit must not report a MAP that its own posterior draws beat, nor a "converged" posterior that
// excludes the truth because every chain started in one wrong basin. Three cheap well-specified systems
// (1 band, 15 × 15 pixels, the fit's own forward model + Gaussian noise), one of them built to trap the MAP
// search of the first implementation: a mass axis ratio of 0.35 at 45°, i.e. e2 = 0.48, outside the square
// |e_k| < 0.35 that search was confined to (its MAP then sat on that bound with θE and the lens R_e pulled
// away, 8.5 in χ² above the true optimum; the chains started there).
// Each fit must either be flagged (converged: false with a reason) or (a) have no posterior draw with a χ²
// more than 1 below its MAP, (b) have a MAP at least as good as Levenberg–Marquardt started at the truth
// (an independent optimum of the truth's basin), and (c) hold every true parameter within 4.5 posterior sd
// of the posterior mean (a calibrated posterior fails this for some parameter in ~1e-4 of fits).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src-core/rng';
import { getPreset } from '../../src-core/lens/presets';
import { syntheticLens } from '../../src-core/infer/lens-synthetic';
import { lens12FromInput, planLensFit, type LensFitInput } from '../../src-core/infer/lens-fit';
import { LENS_PRIOR_LOWER, LENS_PRIOR_UPPER, qPhiToEllipticity, type LensModel } from '../../src-core/infer/lens-model';
import { levenbergMarquardt } from '../../src-core/infer/optimize/levenberg-marquardt';
import { DEFAULT_FIT_SETTINGS, fitLens, type FitSettings } from './fit-lens';

/** A 15 × 15 i-band lens rendered with the grid it is fitted with (one sub-pixel per pixel outside the centre),
 * LSST-like sky + read noise plus Poisson variance of the model, Gaussian noise: well specified. */
function system(o: { seed: number; massQ: number; massPhi: number; sourceBoost: number }): { input: LensFitInput; truth: Float64Array } {
  const truth = Float64Array.from([1.0, ...qPhiToEllipticity(o.massQ, o.massPhi), 0.02, -0.015, 0.1, -0.05, 0.25, 1.5, ...qPhiToEllipticity(0.7, 2.0), 0.6]);
  const base = syntheticLens({ seed: o.seed, size: 15, bands: ['i'], truth });
  const seeing = getPreset('lsst').bands.i!.seeing;
  const shell: LensFitInput = {
    bands: ['i'], size: 15, pixelScale: 0.2, image: new Float64Array(225), variance: new Float64Array(225).fill(1),
    psf: [{ type: 'gaussian', fwhm: seeing }], supersample: 1,
  };
  // A bright source (S/N of hundreds): a compact posterior, so that basins are well separated.
  const amps = base.amplitudes.map((a, i) => (i % 2 === 0 ? o.sourceBoost * a : a));
  const clean = lens12FromInput(shell).modelImage(truth, amps);
  const rng = new Rng(o.seed, 77);
  const variance = clean.map((m, i) => Math.max(m, 0) + base.cutout.variance[i]! - Math.max(base.model[i]!, 0));
  const image = clean.map((m, i) => m + Math.sqrt(variance[i]!) * rng.normal());
  return { input: { ...shell, image, variance }, truth };
}

/** χ² of the optimum of the truth's basin: LM on the physical parameters (scaled to the prior box) from the truth. */
function optimumFromTruth(model: LensModel, truth: Float64Array): number {
  const lo = LENS_PRIOR_LOWER, w = LENS_PRIOR_UPPER.map((h, i) => h - lo[i]!);
  const r = levenbergMarquardt({
    residuals: (x, out) => model.residuals(Float64Array.from(x, (v, i) => lo[i]! + v * w[i]!), out),
    nResiduals: model.data.bands * model.npix,
    x0: Float64Array.from(truth, (t, i) => (t - lo[i]!) / w[i]!),
    lower: new Float64Array(12).fill(1e-6), upper: new Float64Array(12).fill(1 - 1e-6), maxEvals: 3000, fdStep: 1e-6, ftol: 1e-12,
  });
  return 2 * r.cost;
}

// Short runs; R̂ / ESS targets relaxed because this test is about modes (a fit flagged for a short run would
// pass the test without testing anything).
const settings: FitSettings = { ...DEFAULT_FIT_SETTINGS, chains: 4, warmup: 75, samples: 100, maxSamples: 200, targetRhat: 1.05, targetEss: 100 };

const SYSTEMS = [
  { name: 'trap: mass e2 = 0.43, outside the first search box', seed: 3, massQ: 0.4, massPhi: Math.PI / 4, sourceBoost: 5, trap: true },
  { name: 'moderate mass ellipticity', seed: 11, massQ: 0.75, massPhi: 0.6, sourceBoost: 4 },
  { name: 'round mass', seed: 7, massQ: 0.9, massPhi: 2.2, sourceBoost: 4 },
];

describe('lens fit: no silent missed mode (issue 21)', () => {
  for (const sys of SYSTEMS)
    it(sys.name, async () => {
      const { input, truth } = system(sys);
      const model = lens12FromInput(input);
      const fit = await fitLens(input, settings, { workers: 0 });
      if (sys.trap) {
        // The MAP search alone (what the chains start from) reaches the optimum of the truth's basin.
        const plan = planLensFit(model, { seed: 0, chains: 4, nStarts: 8, maxEvals: 100, refineBest: 2, refineEvals: 600 });
        expect(plan.mapChi2, 'MAP search vs LM from the truth').toBeLessThanOrEqual(optimumFromTruth(model, truth) + 1);
      }
      if (!fit.converged) {
        // Flagged is an acceptable outcome, but it must say why.
        expect(typeof (fit as { reason?: unknown }).reason, 'a flagged fit names its reason').toBe('string');
        return;
      }
      const mapChi2 = model.solve(fit.plan.mapTheta).chi2;
      // (a) every 5th draw of every chain: none clearly below the MAP.
      let best = Infinity;
      for (const r of fit.physical)
        for (let k = 0; k < r.nSamples; k += 5) best = Math.min(best, model.solve(r.draws.subarray(k * 12, (k + 1) * 12)).chi2);
      expect(best, `a draw beats the MAP (χ² ${mapChi2.toFixed(2)})`).toBeGreaterThan(mapChi2 - 1);
      // (b) the MAP is the optimum of the truth's basin or better.
      expect(mapChi2, 'MAP vs LM from the truth').toBeLessThanOrEqual(optimumFromTruth(model, truth) + 1);
      // (c) the truth inside ±4.5 sd for every parameter.
      fit.report.params.forEach((p, i) => expect(Math.abs(p.mean - truth[i]!) / p.sd, `${p.name}: ${p.mean} ± ${p.sd} vs ${truth[i]}`).toBeLessThan(4.5));
    }, 300_000);
});
