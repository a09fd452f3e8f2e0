// Issue 21 pieces on a cheap lens posterior (1 band, 15 × 15 pixels, coarse pixel grid, bright source, the
// data rendered with the grid it is fitted with): the MAP search reaches ellipticities outside the square
// |e_k| < 0.35, chain starts are overdispersed (R̂ needs chains that began apart), and the missed-mode check
// sees posterior draws below a MAP that is not the optimum, and chains stranded in another basin.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { planLensFit, runLensChain, OVERDISPERSION } from './lens-fit';
import { checkModes } from './lens-mode-check';
import { E_MAX, LENS_PRIOR_LOWER, LENS_PRIOR_UPPER, LensModel } from './lens-model';
import { LensPosterior, mapSearchCoordinates } from './lens-posterior';
import type { ChainResult } from './sample';
import { syntheticLens } from './lens-synthetic';

const GRID = { supersample: 1, marginSupersample: 1, centreSupersample: 2 };

function cheapLens(): LensModel {
  const size = 15;
  const base = syntheticLens({ seed: 5, size, bands: ['i'] });
  const amps = base.amplitudes.map((a, i) => (i % 2 === 0 ? 4 * a : a));
  const clean = new LensModel({ ...base.cutout, variance: new Float64Array(size * size).fill(1) }, GRID).modelImage(base.truth, amps);
  const rng = new Rng(9, 1);
  const variance = clean.map((m, i) => Math.max(m, 0) + base.cutout.variance[i]! - Math.max(base.model[i]!, 0));
  const image = clean.map((m, i) => m + Math.sqrt(variance[i]!) * rng.normal());
  return new LensModel({ ...base.cutout, image, variance }, GRID);
}

describe('MAP search coordinates', () => {
  it('cover the whole ellipticity disc and round-trip physical parameters', () => {
    const { toT, fromT } = mapSearchCoordinates();
    const rng = new Rng(4);
    for (let k = 0; k < 200; k++) {
      const t = Float64Array.from({ length: 12 }, (_, i) => LENS_PRIOR_LOWER[i]! + (0.02 + 0.96 * rng.uniform()) * (LENS_PRIOR_UPPER[i]! - LENS_PRIOR_LOWER[i]!));
      for (const [a, b] of [[1, 2], [9, 10]] as const) {
        const r = 0.49 * Math.sqrt(rng.uniform()), phi = 2 * Math.PI * rng.uniform();
        t[a] = r * Math.cos(phi);
        t[b] = r * Math.sin(phi);
      }
      const back = toT(fromT(t));
      for (let i = 0; i < 12; i++) expect(Math.abs(back[i]! - t[i]!)).toBeLessThan(1e-9);
    }
    // The corners of the search box map inside the disc, and e2 = 0.45 (q ≈ 0.38 at 45°) is reachable.
    const corner = toT(new Float64Array(12).fill(1 - 1e-6));
    expect(Math.hypot(corner[1]!, corner[2]!)).toBeLessThan(E_MAX);
    const x = fromT(Float64Array.from([1, 0, 0.45, 0, 0, 0, 0, 0.3, 2, 0, 0, 1]));
    expect(x.every((v) => v > 1e-6 && v < 1 - 1e-6)).toBe(true);
  });
});

describe('lens fit plan and missed-mode check (issue 21)', () => {
  const model = cheapLens();
  const opts = { seed: 1, chains: 8, nDraws: 60, nStarts: 3, maxEvals: 80, refineBest: 1, refineEvals: 300 };
  const plan = planLensFit(model, opts);

  it('starts the chains overdispersed: z-space starts have sd ≈ 2 (Laplace units), not ≈ 1', () => {
    const all = plan.inits.flat();
    const m = all.reduce((a, b) => a + b, 0) / all.length;
    const sd = Math.sqrt(all.reduce((a, b) => a + (b - m) ** 2, 0) / (all.length - 1));
    // 96 normal draws: the sample sd of N(0, 2²) lies in [1.6, 2.4] with probability > 0.999.
    expect(OVERDISPERSION).toBe(2);
    expect(sd).toBeGreaterThan(1.6);
    expect(sd).toBeLessThan(2.4);
    // Every chain starts somewhere else.
    for (let c = 1; c < plan.inits.length; c++) expect(plan.inits[c]).not.toEqual(plan.inits[0]);
  });

  it('the MAP is polished: no posterior draw lies below it, and no chain is stranded', () => {
    const chains = [0, 1].map((chain) => runLensChain(model, plan, { chain, seed: 1, nWarmup: 75, nSamples: 150 }));
    const check = checkModes(model, plan, chains);
    expect(check.mapChi2).toBeCloseTo(plan.mapChi2, 6);
    expect(check.betterThanMap).toBe(false);
    expect(check.bestDrawChi2).toBeGreaterThan(check.mapChi2 - 1);
    expect(check.strandedChains).toEqual([]);
  });

  it('sees draws below a MAP that is not the optimum, and polishing from the best draw returns to the optimum', () => {
    // A "MAP" 4 Laplace σ off in θE and γ1 (on the slope of the basin, as the first search's bound-pinned MAPs).
    const off = Float64Array.from(plan.mapTheta);
    off[0] = off[0]! + 4 * plan.laplaceSd[0]!;
    off[3] = off[3]! - 4 * plan.laplaceSd[3]!;
    const offChi2 = model.solve(off).chi2;
    expect(offChi2).toBeGreaterThan(plan.mapChi2 + 5);
    const bad = planLensFit(model, { ...opts, chains: 2, knownMap: { theta: off, chi2: offChi2, evaluations: 0, startChi2: [] } });
    const chains = [0, 1].map((chain) => runLensChain(model, bad, { chain, seed: 1, nWarmup: 75, nSamples: 150 }));
    const check = checkModes(model, bad, chains);
    expect(check.betterThanMap).toBe(true);
    expect(check.bestDrawChi2).toBeLessThan(offChi2 - 1);
    const polished = new LensPosterior(model).polish(check.bestDrawTheta, check.bestDrawChi2);
    expect(polished.chi2).toBeLessThan(plan.mapChi2 + 0.1);
  });

  it('names a chain stranded in a worse basin', () => {
    // Two fake chains of 3 draws in z: one at the MAP, one 8 Laplace σ away along every axis.
    const fake = (z: number, chain: number): ChainResult => ({
      chain, dim: 12, nSamples: 3, draws: new Float64Array(36).fill(z),
      stats: { acceptProb: new Float64Array(3), divergent: new Uint8Array(3), energy: new Float64Array(3), nSteps: new Int32Array(3), treeDepth: new Int32Array(3), logDensity: new Float64Array(3) },
      stepSize: 0.5, inverseMassDiag: new Float64Array(12).fill(1), warmupDivergences: 0, gradientEvals: { warmup: 0, sampling: 0 }, maxDepth: 10,
    });
    const check = checkModes(model, plan, [fake(0, 0), fake(8 / Math.sqrt(12), 1)]);
    expect(check.chainBestChi2[1]! - check.chainBestChi2[0]!).toBeGreaterThan(32.9);
    expect(check.strandedChains).toEqual([1]);
    expect(check.betterThanMap).toBe(false);
  });
});
