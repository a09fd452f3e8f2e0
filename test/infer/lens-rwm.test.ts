// Independent-sampler check of the lens fit (issue 8): NUTS as the fit runs it (planLensFit → runLensChain)
// against a long random-walk Metropolis run on the same log density (lens-rwm.ts, the plan's preconditioned
// z-space). Posterior means and sds of all 12 physical parameters must agree within Monte-Carlo error:
// |Δ| ≤ 4 √(MCSE_NUTS² + MCSE_RWM²) (compare-samplers.ts: MCSE of a mean from ESS_mean, of an sd by the
// delta method on the squared deviations). A cheap posterior: 1 band, 15 × 15 pixels, one sub-pixel per pixel
// (2 × 2 in the central pixels), a bright source — the sampler check does not need the fit's pixel integration.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src-core/rng';
import { compareMoments } from './compare-samplers';
import { planLensFit, runLensChain, toPhysicalChains } from '../../src-core/infer/lens-fit';
import { LENS_PARAM_NAMES, LensModel } from '../../src-core/infer/lens-model';
import { LensPosterior, preconditioned } from '../../src-core/infer/lens-posterior';
import { lensLogDensityZ, runLensRwmChain, rwmAsChainResult } from './lens-rwm';
import { syntheticLens } from '../../src-core/infer/lens-synthetic';
import { parameterChains } from '../../src-core/infer/summary';

const GRID = { supersample: 1, marginSupersample: 1, centreSupersample: 2 };

/** Synthetic 15 × 15 i-band lens rendered with the coarse grid it is fitted with (well specified). */
function cheapLens(): LensModel {
  const size = 15;
  const base = syntheticLens({ seed: 5, size, bands: ['i'] });
  const amps = base.amplitudes.map((a, i) => (i % 2 === 0 ? 4 * a : a)); // source 4× brighter: a compact posterior
  const clean = new LensModel({ ...base.cutout, variance: new Float64Array(size * size).fill(1) }, GRID).modelImage(base.truth, amps);
  const rng = new Rng(9, 1);
  const variance = clean.map((m, i) => Math.max(m, 0) + base.cutout.variance[i]! - Math.max(base.model[i]!, 0));
  const image = clean.map((m, i) => m + Math.sqrt(variance[i]!) * rng.normal());
  return new LensModel({ ...base.cutout, image, variance }, GRID);
}

describe('lens posterior: NUTS against random-walk Metropolis on the same log density', () => {
  const model = cheapLens();
  const plan = planLensFit(model, { seed: 1, chains: 2, nDraws: 60, nStarts: 3, maxEvals: 80, refineBest: 1, refineEvals: 300 });

  it('the RWM log density (value only) is the one NUTS samples', () => {
    const post = new LensPosterior(model);
    const nutsLp = preconditioned(post.logDensityAndGrad, plan.centre, plan.scaleTril).logDensityAndGrad;
    const rwmLp = lensLogDensityZ(model, plan);
    const rng = new Rng(3);
    const g = new Float64Array(12);
    for (let k = 0; k < 5; k++) {
      const z = Float64Array.from({ length: 12 }, () => 1.5 * rng.normal());
      const a = nutsLp(z, g), b = rwmLp(z);
      expect(Math.abs(a - b)).toBeLessThan(1e-9 * Math.abs(a));
    }
  });

  it('posterior means and sds of all 12 parameters agree within 4 combined Monte-Carlo standard errors', () => {
    const nuts = [0, 1].map((chain) => runLensChain(model, plan, { chain, seed: 1, nWarmup: 75, nSamples: 400 }));
    const rwm = [0, 1].map((chain) => runLensRwmChain(model, plan, { chain, seed: 1, nBurnin: 1500, nSamples: 16000, thin: 4 }));
    const pn = toPhysicalChains(nuts, plan);
    const pr = toPhysicalChains(rwm.map(rwmAsChainResult), plan);
    const rows = LENS_PARAM_NAMES.map((name, k) => compareMoments(name, parameterChains(pn, k), parameterChains(pr, k)));
    for (const r of rwm) {
      expect(r.acceptRate).toBeGreaterThan(0.1); // the adapted proposal moves (12-D optimum ≈ 0.25)
      expect(r.acceptRate).toBeLessThan(0.5);
    }
    for (const c of rows) {
      // Enough effective draws that the Monte-Carlo errors mean something.
      expect(c.a.essMean, `${c.name} NUTS ESS`).toBeGreaterThan(150);
      expect(c.b.essMean, `${c.name} RWM ESS`).toBeGreaterThan(100);
      expect(Math.abs(c.zMean), `${c.name} mean: NUTS ${c.a.mean} RWM ${c.b.mean}`).toBeLessThan(4);
      expect(Math.abs(c.zSd), `${c.name} sd: NUTS ${c.a.sd} RWM ${c.b.sd}`).toBeLessThan(4);
    }
    // Power of the same check at these run lengths: a posterior 30 % too wide (the RWM draws stretched about
    // their mean) is flagged by the sd z-score for most parameters.
    const stretched = pr.map((r) => {
      const d = Float64Array.from(r.draws);
      for (let k = 0; k < 12; k++) {
        const m = rows[k]!.b.mean;
        for (let i = 0; i < r.nSamples; i++) d[i * 12 + k] = m + 1.3 * (d[i * 12 + k]! - m);
      }
      return { ...r, draws: d };
    });
    const flagged = LENS_PARAM_NAMES.filter((name, k) => Math.abs(compareMoments(name, parameterChains(pn, k), parameterChains(stretched, k)).zSd) > 4);
    expect(flagged.length).toBeGreaterThanOrEqual(9);
  });
});
