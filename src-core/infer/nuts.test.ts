import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { nuts } from './nuts';
import { hmc } from './hmc';
import { sample, type ChainResult } from './sample';
import { parameterChains, samplerReport } from './summary';
import { essBulk, essMean, rhat } from './diagnostics';
import { funnel, gaussian } from '../../test/infer/test-densities';
import type { LogDensityAndGrad } from './types';

/** Means and covariances of the pooled draws, with ESS per coordinate and per product. */
function moments(results: ChainResult[]) {
  const d = results[0]!.dim;
  const chains = Array.from({ length: d }, (_, i) => parameterChains(results, i));
  const mean = chains.map((c) => {
    let s = 0, n = 0;
    for (const x of c) for (const v of x) { s += v; n++; }
    return s / n;
  });
  return { d, chains, mean };
}

/**
 * Checks the draws against N(μ, Σ): each mean within 4 Monte-Carlo standard errors (σ/√ESS), each
 * covariance entry within 4.5 standard errors, with Var(x_i x_j) = Σii Σjj + Σij² for a Gaussian.
 */
function expectGaussian(results: ChainResult[], mu: number[], cov: number[]) {
  const { d, chains, mean } = moments(results);
  for (let i = 0; i < d; i++) {
    const ess = essMean(chains[i]!);
    expect(ess).toBeGreaterThan(300);
    const se = Math.sqrt(cov[i * d + i]!) / Math.sqrt(ess);
    expect(Math.abs(mean[i]! - mu[i]!)).toBeLessThan(4 * se);
  }
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      // products of centred draws, chain by chain, so their ESS can be computed
      const prod = chains[i]!.map((c, k) => c.map((v, t) => (v - mu[i]!) * (chains[j]![k]![t]! - mu[j]!)));
      let s = 0, n = 0;
      for (const c of prod) for (const v of c) { s += v; n++; }
      const est = s / n;
      const sd = Math.sqrt(cov[i * d + i]! * cov[j * d + j]! + cov[i * d + j]! ** 2);
      const ess = essMean(prod);
      expect(Math.abs(est - cov[i * d + j]!)).toBeLessThan((4.5 * sd) / Math.sqrt(ess));
    }
}

function run(logDensity: LogDensityAndGrad, init: number[], chains = 4, nWarmup = 500, nSamples = 1000, seed = 11) {
  return Array.from({ length: chains }, (_, c) =>
    sample({ logDensity, init: Float64Array.from(init, (v, i) => v + 0.5 * ((c + i) % 3 - 1)), nWarmup, nSamples, seed, chain: c }),
  );
}

describe('NUTS on Gaussians with known moments', () => {
  it('correlated 2-D Gaussian (ρ = 0.9, σ = 1 and 3): mean and covariance within Monte-Carlo error', () => {
    const mu = [1, -2];
    const cov = [1, 0.9 * 3, 0.9 * 3, 9];
    const res = run(gaussian(Float64Array.from(mu), Float64Array.from(cov)), [0, 0]);
    expectGaussian(res, mu, cov);
    const rep = samplerReport(res);
    expect(rep.divergences).toBe(0);
    expect(rep.treeDepthSaturated).toBe(0);
    // Dual averaging hits the target acceptance statistic δ = 0.8 (post-warm-up mean, loosely).
    expect(rep.meanAcceptProb).toBeGreaterThan(0.7);
    expect(rep.meanAcceptProb).toBeLessThan(0.95);
    for (const e of rep.ebfmi) expect(e).toBeGreaterThan(0.3);
    for (let i = 0; i < 2; i++) expect(rhat(parameterChains(res, i)).rhat).toBeLessThan(1.01);
    // The adapted diagonal metric estimates the marginal variances (1 and 9) within ~40 % (the last slow window holds ~300 autocorrelated draws).
    for (const r of res) {
      expect(r.inverseMassDiag[0]! / 1).toBeGreaterThan(0.6);
      expect(r.inverseMassDiag[0]! / 1).toBeLessThan(1.6);
      expect(r.inverseMassDiag[1]! / 9).toBeGreaterThan(0.6);
      expect(r.inverseMassDiag[1]! / 9).toBeLessThan(1.6);
    }
  });

  it('5-D Gaussian with mixed scales and correlations', () => {
    const sd = [0.1, 1, 10, 2, 0.5];
    const corr = [
      [1, 0.5, 0, 0, 0.3],
      [0.5, 1, 0.7, 0, 0],
      [0, 0.7, 1, -0.4, 0],
      [0, 0, -0.4, 1, 0.2],
      [0.3, 0, 0, 0.2, 1],
    ];
    const cov = corr.flatMap((row, i) => row.map((c, j) => c * sd[i]! * sd[j]!));
    const mu = [0.5, -1, 20, 3, 0];
    const res = run(gaussian(Float64Array.from(mu), Float64Array.from(cov)), [0, 0, 0, 0, 0]);
    expectGaussian(res, mu, cov);
    expect(samplerReport(res).divergences).toBe(0);
  });

  it('static HMC also samples the 2-D Gaussian correctly', () => {
    const mu = [0, 0];
    const cov = [1, 0.5, 0.5, 2];
    const res = Array.from({ length: 4 }, (_, c) =>
      sample({ logDensity: gaussian(Float64Array.from(mu), Float64Array.from(cov)), init: new Float64Array(2), nWarmup: 300, nSamples: 1500, seed: 5, chain: c, algorithm: 'hmc', hmcSteps: 5 }),
    );
    expectGaussian(res, mu, cov);
  });
});

describe('NUTS reports problems as data', () => {
  it("Neal's funnel (10-D, centred) produces divergences, reported per draw", () => {
    const res = run(funnel(10), [0, 1, 1, 1, 1, 1, 1, 1, 1, 1], 4, 300, 500, 3);
    const rep = samplerReport(res);
    expect(rep.divergences).toBeGreaterThan(0);
    // The divergent flags are real: divergent draws sit in the neck (v below its median on average).
    const v = res.flatMap((r) => Array.from({ length: r.nSamples }, (_, i) => [r.draws[i * r.dim]!, r.stats.divergent[i]!]));
    const vs = v.map((x) => x[0]!).sort((a, b) => a - b);
    const med = vs[vs.length >> 1]!;
    const divV = v.filter((x) => x[1] === 1).map((x) => x[0]!);
    expect(divV.reduce((a, b) => a + b, 0) / divV.length).toBeLessThan(med);
  });

  it('a huge step size gives divergent transitions that stay at the current point', () => {
    const ld = gaussian(new Float64Array([0, 0]), new Float64Array([1, 0, 0, 1]));
    const k = nuts({ logDensityAndGrad: ld, stepSize: 1e3 }, 2);
    const s0 = k.init(new Float64Array([0.5, -0.5]));
    const rng = new Rng(1);
    for (let i = 0; i < 10; i++) {
      const { state, info } = k.step(rng, s0);
      expect(info.divergent).toBe(true);
      expect(Array.from(state.position)).toEqual([0.5, -0.5]);
      expect(info.treeDepth).toBe(0);
    }
  });

  it('tree depth saturates at maxDepth with a tiny step size, and nSteps = 2^depth − 1', () => {
    const ld = gaussian(new Float64Array([0]), new Float64Array([1]));
    const k = nuts({ logDensityAndGrad: ld, stepSize: 1e-3, maxDepth: 4 }, 1);
    const { info } = k.step(new Rng(2), k.init(new Float64Array([0.3])));
    expect(info.treeDepth).toBe(4);
    expect(info.nSteps).toBe(15);
    expect(info.divergent).toBe(false);
  });

  it('a density that is −∞ outside its support never throws and never returns outside draws', () => {
    // Half-normal on x > 0.
    const ld: LogDensityAndGrad = (q, g) => {
      g[0] = -q[0]!;
      return q[0]! > 0 ? -0.5 * q[0]! ** 2 : -Infinity;
    };
    const r = sample({ logDensity: ld, init: new Float64Array([1]), nWarmup: 200, nSamples: 2000, seed: 4, chain: 0 });
    for (let i = 0; i < r.nSamples; i++) expect(r.draws[i]).toBeGreaterThan(0);
    // E|x| for the half-normal is √(2/π) ≈ 0.798.
    let m = 0;
    for (const v of r.draws) m += v;
    m /= r.nSamples;
    const se = 0.6028 / Math.sqrt(essBulk([r.draws]));
    expect(Math.abs(m - Math.sqrt(2 / Math.PI))).toBeLessThan(5 * se);
  });

  it('kernels are pure: the same rng seed and state give the same transition; the input state is untouched', () => {
    const ld = gaussian(new Float64Array([0, 0]), new Float64Array([1, 0.3, 0.3, 1]));
    for (const k of [nuts({ logDensityAndGrad: ld, stepSize: 0.4 }, 2), hmc({ logDensityAndGrad: ld, stepSize: 0.4, nSteps: 7 }, 2)]) {
      const s0 = k.init(new Float64Array([0.2, 0.1]));
      const a = k.step(new Rng(9, 1), s0);
      const b = k.step(new Rng(9, 1), s0);
      expect(Array.from(a.state.position)).toEqual(Array.from(b.state.position));
      expect(a.info).toEqual(b.info);
      expect(Array.from(s0.position)).toEqual([0.2, 0.1]);
    }
  });

  it('the driver is reproducible per (seed, chain) and chains differ', () => {
    const ld = gaussian(new Float64Array([0]), new Float64Array([1]));
    const o = { logDensity: ld, init: new Float64Array([0]), nWarmup: 50, nSamples: 20, seed: 3 };
    expect(sample({ ...o, chain: 0 }).draws).toEqual(sample({ ...o, chain: 0 }).draws);
    expect(sample({ ...o, chain: 0 }).draws).not.toEqual(sample({ ...o, chain: 1 }).draws);
  });
});
