// The bundled galaxy score priors (models/priors/score-galaxies-64 and the small restore prior
// score-galaxies-48s, both trained by `lensdesk prior train`, card in the folder): it loads, its card agrees with the weights, and it denoises galaxies it never saw — the
// Tweedie estimate x̂ = y + σ² s(y, σ) (Robbins 1956; Efron 2011) must cut the noisy input's error several-fold
// at the σ a restore works at. A model that learned little fails.
import { describe, expect, it } from 'vitest';
import { makeGalaxies } from '../../src-core/score/galaxies';
import { Rng } from '../../src-core/rng';
import { zigguratNormal } from '../../src-core/lens/ziggurat';
import { bundledRestorePriors, bundledScorePrior, GALAXY_PRIOR, RESTORE_PRIOR, restorePriorFor } from './bundled-prior';
import { readScoreModel } from './model-files';
import { createUnetScorer } from './unet-engine';

describe.each([[GALAXY_PRIOR, 64], [RESTORE_PRIOR, 48]] as const)('bundled score prior %s', (name, size) => {
  it('is installed, its card matches, and its Tweedie denoiser beats the noisy input on unseen galaxies', async () => {
    const dir = bundledScorePrior(name, {});
    expect(dir, `models/priors/${name} is missing`).not.toBeNull();
    const { card, onnx } = readScoreModel(dir!);
    expect(card.model).toBe('score-unet');
    expect(card.config.size).toBe(size);
    expect(card.steps).toBeGreaterThan(0);
    // the held-out DSM loss falls below the Gaussian floor at the small σ the sampler ends on
    const smallest = card.lossPerSigma[card.lossPerSigma.length - 1]!;
    expect(smallest.loss).toBeLessThan(smallest.gaussianFloor);

    const d = size * size, m = 8;
    const x = makeGalaxies(m, size, new Rng(987654, 64)); // a seed the training never used
    const scorer = await createUnetScorer(onnx, size, { threads: 1 });
    try {
      for (const sigma of [0.05, 0.2]) {
        const rng = new Rng(4242, Math.round(sigma * 1000));
        const y = new Float32Array(m * d);
        for (let i = 0; i < y.length; i++) y[i] = x[i]! + sigma * zigguratNormal(rng);
        const s = await scorer.score(y, new Float32Array(m).fill(sigma));
        let mseNoisy = 0, mseTweedie = 0;
        for (let i = 0; i < y.length; i++) {
          mseNoisy += (y[i]! - x[i]!) ** 2;
          mseTweedie += (y[i]! + sigma * sigma * s[i]! - x[i]!) ** 2;
        }
        // at least a 10× lower error than the noisy input (a model that learned little stays near 1×)
        expect(mseTweedie / mseNoisy, `σ ${sigma}`).toBeLessThan(0.1);
      }
    } finally {
      await scorer.dispose();
    }
  }, 120_000);
});

describe('bundledRestorePriors', () => {
  it('is LENSDESK_SCORE_PRIOR alone when set, else the 48² prior then the 64² one; a stamp gets the first that holds it', () => {
    const dirs = bundledRestorePriors({});
    expect(dirs).toHaveLength(2);
    expect(dirs[0]).toMatch(new RegExp(`${RESTORE_PRIOR}$`));
    expect(dirs[1]).toMatch(new RegExp(`${GALAXY_PRIOR}$`));
    const grid = (d: string) => readScoreModel(d).card.config.size;
    expect(restorePriorFor(dirs, 45, 45, grid)).toBe(dirs[0]);
    expect(restorePriorFor(dirs, 45, 60, grid)).toBe(dirs[1]);
    // too large for both: the last, so Restore can say why it fell back to Wiener
    expect(restorePriorFor(dirs, 101, 101, grid)).toBe(dirs[1]);
    expect(restorePriorFor([], 45, 45, grid)).toBeNull();
    const small = bundledScorePrior(RESTORE_PRIOR, {})!;
    expect(bundledRestorePriors({ LENSDESK_SCORE_PRIOR: small })).toEqual([small]);
  });

  it("the 48² prior's card carries the ladder it was validated with (10 levels × 4 steps)", () => {
    expect(readScoreModel(bundledScorePrior(RESTORE_PRIOR, {})!).card.sampler).toMatchObject({ levels: 10, steps: 4 });
  });
});
