// Random-walk Metropolis on posteriors with exact answers: correlated Gaussians (mean and covariance within
// Monte-Carlo error, with ESS from diagnostics.ts), a truncated density (support respected), the adaptive
// proposal (≈ s_d Σ, frozen after burn-in), kernel purity; and the two-sampler comparison's z-scores
// (agree on the same target, flag a 20 % too wide one).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src-core/rng';
import { compareMoments } from './compare-samplers';
import { essMean } from '../../src-core/infer/diagnostics';
import { choleskyOrNull } from '../../src-core/infer/linalg';
import { rwm, sampleRwm, WelfordCovariance, type LogDensityFn, type RwmChainResult } from './rwm';
import { gaussian } from './test-densities';

/** Value-only version of test-densities' Gaussian. */
function gaussianLp(mu: number[], cov: number[]): LogDensityFn {
  const f = gaussian(Float64Array.from(mu), Float64Array.from(cov));
  const g = new Float64Array(mu.length);
  return (q) => f(q, g);
}

function chainsOf(res: RwmChainResult[], i: number): Float64Array[] {
  return res.map((r) => Float64Array.from({ length: r.nSamples }, (_, t) => r.draws[t * r.dim + i]!));
}

/** Same checks as the NUTS tests: means within 4 MCSE, covariances within 4.5 SE (Var(x_i x_j) = Σii Σjj + Σij²). */
function expectGaussian(res: RwmChainResult[], mu: number[], cov: number[]) {
  const d = mu.length;
  const chains = Array.from({ length: d }, (_, i) => chainsOf(res, i));
  for (let i = 0; i < d; i++) {
    const all = chains[i]!.flatMap((c) => Array.from(c));
    const m = all.reduce((a, b) => a + b, 0) / all.length;
    const ess = essMean(chains[i]!);
    expect(ess).toBeGreaterThan(400);
    expect(Math.abs(m - mu[i]!)).toBeLessThan((4 * Math.sqrt(cov[i * d + i]!)) / Math.sqrt(ess));
  }
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      const prod = chains[i]!.map((c, k) => c.map((v, t) => (v - mu[i]!) * (chains[j]![k]![t]! - mu[j]!)));
      let s = 0, n = 0;
      for (const c of prod) for (const v of c) { s += v; n++; }
      const sd = Math.sqrt(cov[i * d + i]! * cov[j * d + j]! + cov[i * d + j]! ** 2);
      expect(Math.abs(s / n - cov[i * d + j]!)).toBeLessThan((4.5 * sd) / Math.sqrt(essMean(prod)));
    }
}

function run(lp: LogDensityFn, d: number, o: { chains?: number; nBurnin?: number; nSamples?: number; seed?: number; thin?: number } = {}) {
  return Array.from({ length: o.chains ?? 4 }, (_, c) =>
    sampleRwm({
      logDensity: lp, init: Float64Array.from({ length: d }, (_, i) => ((c + i) % 3) - 1),
      nBurnin: o.nBurnin ?? 2000, nSamples: o.nSamples ?? 20000, seed: o.seed ?? 5, chain: c, thin: o.thin ?? 2,
    }),
  );
}

describe('random-walk Metropolis on Gaussians with known moments', () => {
  it('correlated 2-D Gaussian (ρ = 0.9, σ = 1 and 3): mean and covariance within Monte-Carlo error', () => {
    const mu = [1, -2];
    const cov = [1, 0.9 * 3, 0.9 * 3, 9];
    const res = run(gaussianLp(mu, cov), 2);
    expectGaussian(res, mu, cov);
    // 2-D optimum of Gelman, Roberts & Gilks (1996): acceptance ≈ 0.35 at s_d = 2.38²/d with the exact Σ.
    for (const r of res) expect(r.acceptRate).toBeGreaterThan(0.25), expect(r.acceptRate).toBeLessThan(0.5);
  });

  it('5-D Gaussian with mixed correlations and scales', () => {
    const sds = [1, 2, 0.5, 3, 1.5];
    const rho = (i: number, j: number) => (i === j ? 1 : 0.6 * (-1) ** (i + j) * 0.8 ** Math.abs(i - j));
    const cov = Array.from({ length: 25 }, (_, k) => rho(Math.floor(k / 5), k % 5) * sds[Math.floor(k / 5)]! * sds[k % 5]!);
    const mu = [0.5, -1, 2, 0, 3];
    const res = run(gaussianLp(mu, cov), 5, { nSamples: 40000, thin: 4 });
    expectGaussian(res, mu, cov);
    // The frozen proposal is s_d × the burn-in covariance: its diagonal within 25 % of 2.38²/5 · σ².
    for (const r of res)
      for (let i = 0; i < 5; i++) {
        const ratio = r.proposalCov[i * 5 + i]! / (((2.38 * 2.38) / 5) * sds[i]! ** 2);
        expect(ratio).toBeGreaterThan(0.75);
        expect(ratio).toBeLessThan(1.25);
      }
  });

  it('never leaves the support: half-normal on x > 0 has mean √(2/π)', () => {
    const lp: LogDensityFn = (q) => (q[0]! > 0 ? -0.5 * q[0]! * q[0]! : -Infinity);
    const res = Array.from({ length: 4 }, (_, c) => sampleRwm({ logDensity: lp, init: Float64Array.of(0.5), nBurnin: 1000, nSamples: 20000, seed: 2, chain: c }));
    const ch = chainsOf(res, 0);
    for (const c of ch) for (const v of c) expect(v).toBeGreaterThan(0);
    const all = ch.flatMap((c) => Array.from(c));
    const m = all.reduce((a, b) => a + b, 0) / all.length;
    const sd = Math.sqrt(1 - 2 / Math.PI);
    expect(Math.abs(m - Math.sqrt(2 / Math.PI))).toBeLessThan((4 * sd) / Math.sqrt(essMean(ch)));
  });

  it('rejects a start outside the support with a clear error', () => {
    expect(() => sampleRwm({ logDensity: () => -Infinity, init: Float64Array.of(0), nBurnin: 10, nSamples: 10, seed: 1, chain: 0 })).toThrow(/initial point/);
  });
});

describe('rwm kernel', () => {
  it('is pure: same rng state → same transition, the input state untouched', () => {
    const lp = gaussianLp([0, 0], [1, 0, 0, 1]);
    const k = rwm({ logDensity: lp, proposalCholesky: Float64Array.of(0.8, 0, 0, 0.8) }, 2);
    const s0 = k.init(Float64Array.of(0.3, -0.2));
    const copy = Float64Array.from(s0.position);
    const a = k.step(new Rng(4, 1), s0);
    const b = k.step(new Rng(4, 1), s0);
    expect(Array.from(a.state.position)).toEqual(Array.from(b.state.position));
    expect(a.info).toEqual(b.info);
    expect(Array.from(s0.position)).toEqual(Array.from(copy));
  });

  it('accepts a proposal with π(q′) ≥ π(q) always and never one outside the support', () => {
    const rng = new Rng(8);
    // Uphill only: the density increases towards +x; proposal tiny so every move is up or down by ~1e-3.
    const up = rwm({ logDensity: (q) => q[0]!, proposalCholesky: Float64Array.of(1e-3) }, 1);
    let s = up.init(Float64Array.of(0));
    for (let i = 0; i < 200; i++) {
      const r = up.step(rng, s);
      if (r.state.logDensity > s.logDensity) expect(r.info.acceptProb).toBe(1);
      s = r.state;
    }
    const wall = rwm({ logDensity: (q) => (q[0]! < 0 ? 0 : -Infinity), proposalCholesky: Float64Array.of(10) }, 1);
    let w = wall.init(Float64Array.of(-1e-9));
    for (let i = 0; i < 200; i++) {
      const r = wall.step(rng, w);
      if (r.state.position[0]! >= 0) throw new Error('left the support');
      w = r.state;
    }
  });

  it('Welford covariance equals the two-pass sample covariance', () => {
    const rng = new Rng(3);
    const xs = Array.from({ length: 500 }, () => [rng.normal(), 2 * rng.normal() + 1, rng.uniform()]);
    const w = new WelfordCovariance(3);
    for (const x of xs) w.add(x);
    const c = w.covariance();
    const m = [0, 1, 2].map((i) => xs.reduce((a, x) => a + x[i]!, 0) / xs.length);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        const ref = xs.reduce((a, x) => a + (x[i]! - m[i]!) * (x[j]! - m[j]!), 0) / (xs.length - 1);
        expect(c[i * 3 + j]).toBeCloseTo(ref, 12);
      }
    expect(choleskyOrNull(c, 3)).not.toBeNull();
  });
});

describe('two-sampler comparison (compareMoments)', () => {
  it('agrees on the same target and flags a 20 % wider one', () => {
    const lp1 = gaussianLp([0], [1]);
    const lpWide = gaussianLp([0], [1.44]);
    const a = chainsOf(run(lp1, 1, { seed: 1, nSamples: 20000 }), 0);
    const b = chainsOf(run(lp1, 1, { seed: 2, nSamples: 20000 }), 0);
    const w = chainsOf(run(lpWide, 1, { seed: 3, nSamples: 20000 }), 0);
    const same = compareMoments('x', a, b);
    expect(Math.abs(same.zMean)).toBeLessThan(4);
    expect(Math.abs(same.zSd)).toBeLessThan(4);
    // sd of an sd estimate: ≈ σ/√(2 ESS); check the MCSE is of that size (ESS for squares ≈ ESS for means here).
    expect(same.a.mcseSd).toBeGreaterThan(0.3 / Math.sqrt(2 * same.a.essMean));
    expect(same.a.mcseSd).toBeLessThan(3 / Math.sqrt(2 * same.a.essMean));
    const wide = compareMoments('x', a, w);
    expect(wide.zSd).toBeLessThan(-4);
  });
});
