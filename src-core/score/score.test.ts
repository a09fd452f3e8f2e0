// DSM on Gaussian random fields approaches the analytic loss floor per σ (learned-priors.md §1, §7),
// and the learned score approaches the exact one, −Fᴴ[x̂/(c_k + σ²)].
import { describe, expect, it } from 'vitest';
import { GaussianPrior, powerLawSpectrum } from '../inverse/priors/gaussian';
import { geometricLadder } from '../inverse/solvers/sigma-ladder';
import { Rng } from '../rng';
import { LinearConvScoreModel, ScorePrior, evaluateDsm, gaussianDsmFloor, trainDsm } from './index';

const n = 16;
const spectrum = powerLawSpectrum(n, n, { slope: 2, k0: 2 / n, pixelStd: 1 });
const grf = new GaussianPrior({ shape: [n, n], spectrum });
const sample = (rng: Rng, out: Float64Array) => { grf.sample(rng, out); };
const sigmas = geometricLadder(10, 0.1, 5);

describe('DSM on Gaussian random fields (16², power-law spectrum)', () => {
  const model = new LinearConvScoreModel({ rows: n, cols: n, sigmas, sigmaData: 1 });
  const untrained = sigmas.map((s) => evaluateDsm(model, s, 50, sample, new Rng(9)));
  const losses = trainDsm(model, { sample, steps: 1500, batch: 8, learningRate: 0.02, rng: new Rng(1) });

  it('the floor is (1/D) Σ c_k/(c_k + σ²): → 1 at small σ, → 0 at large σ', () => {
    expect(gaussianDsmFloor(spectrum, 1e-4)).toBeGreaterThan(0.999);
    expect(gaussianDsmFloor(spectrum, 1e3)).toBeLessThan(1e-5);
    expect(gaussianDsmFloor([1, 3], 1)).toBeCloseTo((0.5 + 0.75) / 2, 14);
  });

  it('an untrained (zero) model sits at loss 1 per pixel, far above the floor at large σ', () => {
    untrained.forEach((l) => expect(Math.abs(l - 1)).toBeLessThan(0.05));
    expect(gaussianDsmFloor(spectrum, 10)).toBeLessThan(0.1);
  });

  it('training lowers the loss, and the held-out loss per σ is within 3 % of the floor', () => {
    const first = losses.slice(0, 50).reduce((s, v) => s + v, 0) / 50;
    const last = losses.slice(-50).reduce((s, v) => s + v, 0) / 50;
    expect(last).toBeLessThan(first);
    for (const s of sigmas) {
      const floor = gaussianDsmFloor(spectrum, s);
      const held = evaluateDsm(model, s, 400, sample, new Rng(2, Math.round(s * 1000)));
      console.log(`σ = ${s.toFixed(3)}: held-out loss ${held.toFixed(4)}, floor ${floor.toFixed(4)}`);
      // Monte-Carlo error of the held-out mean is < 1 % here; the rest is training error.
      expect(held / floor).toBeGreaterThan(0.97);
      expect(held / floor).toBeLessThan(1.03);
    }
  });

  // The relative score error² is about (loss − floor)/(1 − floor): at small σ, where 1 − floor → 0,
  // DSM pins the score only weakly, so compare where the signal dominates the loss (σ ≥ 1).
  it('the learned score, as a Prior, approaches the exact Gaussian score (σ ≥ 1)', () => {
    const prior = new ScorePrior(model);
    const x = grf.sample(new Rng(5));
    for (const s of [sigmas[0]!, sigmas[1]!, sigmas[2]!]) {
      const xn = x.map((v, i) => v + s * new Rng(6, i).normal());
      const got = prior.score(xn, s), want = grf.score(xn, s);
      let e = 0, w = 0;
      for (let i = 0; i < got.length; i++) { e += (got[i]! - want[i]!) ** 2; w += want[i]! ** 2; }
      expect(Math.sqrt(e / w)).toBeLessThan(0.1);
    }
    expect(() => prior.score(x, 0)).toThrow(/σ > 0/);
  });
});

describe('linear-conv model between and beyond its levels', () => {
  it('interpolates the output linearly in log σ between neighbouring levels, and clamps outside', () => {
    const m = new LinearConvScoreModel({ rows: 4, cols: 4, sigmas: Float64Array.from([4, 1, 0.25]), sigmaData: 1, radius: 1 });
    const rng = new Rng(3);
    for (let i = 0; i < m.params.length; i++) m.params[i] = rng.normal();
    const x = Float64Array.from({ length: 16 }, () => rng.normal());
    const at = (s: number) => { const o = new Float64Array(16); m.predict(x, s, o); return o; };
    const u4 = at(4), u1 = at(1), mid = at(2); // log 2 is halfway between log 1 and log 4
    for (let i = 0; i < 16; i++) expect(mid[i]).toBeCloseTo(0.5 * (u4[i]! + u1[i]!), 12);
    const lowest = at(0.25), below = at(0.01);
    for (let i = 0; i < 16; i++) expect(below[i]).toBeCloseTo(lowest[i]!, 12);
    // radius 1: kernel entries beyond one pixel from the origin stay out of the gradient.
    const g = new Float64Array(m.params.length);
    m.lossAndGradient(x, 0, Float64Array.from({ length: 16 }, () => rng.normal()), g);
    expect(g[2]).toBe(0); // (row 0, col 2): two pixels away
    expect(g[1]).not.toBe(0);
  });
});
