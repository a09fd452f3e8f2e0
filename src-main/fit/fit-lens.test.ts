// fitLens's two policies on top of the sampler: continuation rounds until the convergence targets are met
// (earlier draws unchanged, chains extended), and variance inflation for cutouts the model cannot describe.
import { describe, expect, it } from 'vitest';
import { getPreset } from '../../src-core/lens/presets';
import { syntheticLens } from '../../src-core/infer/lens-synthetic';
import { lensModelFromInput, planLensFit, type LensFitInput } from '../../src-core/infer/lens-fit';
import { DEFAULT_FIT_SETTINGS, fitLens, roundDrawsOf, settingsKey, type FitSettings } from './fit-lens';

function input(extraBlob = 0): LensFitInput {
  const s = syntheticLens({ seed: 11, size: 15, bands: ['i'] });
  const image = Float64Array.from(s.cutout.image);
  // A compact "knot" 1.6″ from the centre that no SIE + Sérsic + de Vaucouleurs model can place.
  for (let y = 0; y < 15; y++)
    for (let x = 0; x < 15; x++) image[y * 15 + x] += extraBlob * Math.exp(-((x - 11) ** 2 + (y - 3) ** 2) / 1.5);
  const seeing = getPreset('lsst').bands.i!.seeing;
  return { bands: ['i'], size: 15, pixelScale: 0.2, image, variance: s.cutout.variance, psf: [{ type: 'gaussian', fwhm: seeing }], supersample: 3 };
}

// The default MAP search (a short one can miss the mode, and a missed mode looks like misspecification).
const quick: FitSettings = { ...DEFAULT_FIT_SETTINGS, chains: 2, warmup: 40, samples: 20 };

describe('fitLens', () => {
  it('continues the chains in rounds when the targets are not met, keeping the earlier draws', async () => {
    const one = await fitLens(input(), { ...quick, maxSamples: 20 }, { workers: 0 });
    // An ESS target no run of this length can meet: three rounds of 20, then stop at maxSamples.
    const three = await fitLens(input(), { ...quick, maxSamples: 60, targetEss: 1e9 }, { workers: 0 });
    expect(one.rounds).toBe(1);
    expect(three.rounds).toBe(3);
    expect(three.converged).toBe(false);
    expect(three.physical[0]!.nSamples).toBe(60);
    expect(three.physical[1]!.stats.treeDepth).toHaveLength(60);
    for (let c = 0; c < 2; c++) expect(Array.from(three.physical[c]!.draws.subarray(0, 20 * 12))).toEqual(Array.from(one.physical[c]!.draws));
    // Round 2 starts where round 1 stopped, with fresh random numbers: not a replay of round 1.
    expect(three.physical[0]!.draws[20 * 12]).not.toBe(three.physical[0]!.draws[0]);
  }, 240_000);

  it('with the re-preconditioning on, samples in short rounds: the first decides, its draws are discarded, the later ones are kept', async () => {
    // Four chains × 60 draws = 20 per parameter, the least replanFromDraws accepts; an ESS target no run meets.
    const s: FitSettings = { ...quick, chains: 4, samples: 200, roundDraws: 60, replanWarmup: 30, maxSamples: 180, targetEss: 1e9 };
    expect(roundDrawsOf(s)).toBe(60);
    expect(roundDrawsOf({ ...s, replan: false })).toBe(200);
    expect(roundDrawsOf({ ...s, roundDraws: 500 })).toBe(200);
    // Defaults: 100 for the 12-parameter model, the whole `samples` for the 17-parameter ones.
    expect(roundDrawsOf({ ...s, roundDraws: undefined })).toBe(100);
    expect(roundDrawsOf({ ...s, roundDraws: undefined }, 17)).toBe(200);
    // The round length and the re-warm-up change the draws, so they are part of the resume key.
    expect(settingsKey(s)).not.toBe(settingsKey({ ...s, roundDraws: 100 }));
    expect(settingsKey(s)).not.toBe(settingsKey({ ...s, replanWarmup: 50 }));
    const fit = await fitLens(input(), s, { workers: 0 });
    expect(fit.replanned?.discardedPerChain).toBe(60);
    expect(fit.plan.metric).toBe('draws');
    // Re-adapted round of 60, then continuation rounds of 60 until maxSamples: 180 kept draws, 4 rounds in all.
    expect(fit.rounds).toBe(4);
    for (const c of fit.physical) expect(c.nSamples).toBe(180);
    expect(fit.converged).toBe(false);
  }, 240_000);

  it('inflates the variances of a cutout the model cannot describe, and only then', async () => {
    const clean = await fitLens(input(), { ...quick, maxSamples: 20 }, { workers: 0 });
    expect(clean.mapChi2PerPixel).toBeLessThan(1.5);
    expect(clean.varianceInflation).toBe(1);
    const sky = Math.sqrt(input().variance[0]!);
    // A misspecified posterior needs deep NUTS trees; depth 5 keeps this test short (the policy is under test).
    const knotted = await fitLens(input(40 * sky), { ...quick, maxSamples: 20, maxDepth: 5 }, { workers: 0 });
    expect(knotted.mapChi2PerPixel).toBeGreaterThan(1.5);
    expect(knotted.varianceInflation).toBeCloseTo(knotted.mapChi2PerPixel, 12);
    // The stored MAP χ² and the residual frame use the cutout's own variances.
    const chi2 = knotted.residual.reduce((a, r) => a + r * r, 0);
    expect(chi2 / knotted.plan.mapChi2).toBeGreaterThan(0.98);
    expect(chi2 / knotted.plan.mapChi2).toBeLessThan(1.02);
    // Same MAP, likelihood flattened by k: the Laplace widths the chains are preconditioned with grow by
    // exactly √k over those of the cutout's own variances at that MAP.
    const own = planLensFit(lensModelFromInput(input(40 * sky)), {
      seed: 0, chains: 2, knownMap: { theta: Float64Array.from(knotted.plan.mapTheta), chi2: knotted.plan.mapChi2, evaluations: 0, startChi2: [] },
    });
    for (let i = 0; i < 12; i++) expect(knotted.plan.laplaceSd[i]! / own.laplaceSd[i]!).toBeCloseTo(Math.sqrt(knotted.varianceInflation), 4);
  }, 240_000);
});
