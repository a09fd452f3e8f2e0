import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { autocovariance } from './autocovariance';
import { ebfmi, essBasic, essBulk, essTail, rhat } from './diagnostics';
import { averageRanks, normalQuantile } from './normal';
import { slowWindows } from './warmup';

function iid(seed: number, chains: number, n: number): Float64Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: chains }, () => Float64Array.from({ length: n }, () => rng.normal()));
}

/** AR(1) x_t = φ x_{t−1} + √(1−φ²) ε_t started in stationarity; integrated autocorrelation time τ = (1+φ)/(1−φ). */
function ar1(seed: number, chains: number, n: number, phi: number): Float64Array[] {
  const rng = new Rng(seed);
  const s = Math.sqrt(1 - phi * phi);
  return Array.from({ length: chains }, () => {
    const x = new Float64Array(n);
    x[0] = rng.normal();
    for (let t = 1; t < n; t++) x[t] = phi * x[t - 1]! + s * rng.normal();
    return x;
  });
}

describe('numerical building blocks', () => {
  it('normalQuantile matches tabulated values of Φ⁻¹', () => {
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalQuantile(0.8413447460685429)).toBeCloseTo(1, 13);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 12);
    expect(normalQuantile(0.1)).toBeCloseTo(-1.2815515655446004, 14);
  });

  it('averageRanks gives ties their mean rank', () => {
    expect(Array.from(averageRanks([3, 1, 3, 2]))).toEqual([3.5, 1, 3.5, 2]);
  });

  it('FFT autocovariance equals the direct O(N²) sum', () => {
    const x = iid(1, 1, 37)[0]!;
    const m = x.reduce((a, b) => a + b, 0) / x.length;
    const ac = autocovariance(x);
    for (const k of [0, 1, 5, 36]) {
      let s = 0;
      for (let i = 0; i + k < x.length; i++) s += (x[i]! - m) * (x[i + k]! - m);
      expect(ac[k]).toBeCloseTo(s / x.length, 12);
    }
  });

  it("Stan's warm-up windows for 1000 iterations are 75 | 25, 50, 100, 200, 500 | 50", () => {
    expect(slowWindows(1000)).toEqual([[75, 100], [100, 150], [150, 250], [250, 450], [450, 950]]);
    // Too short for the defaults: 15 % / 75 % / 10 % (Stan's fallback), a single window.
    expect(slowWindows(100)).toEqual([[15, 90]]);
  });
});

describe('R̂ and ESS (Vehtari et al. 2021) on chains with known answers', () => {
  it('iid normal draws: R̂ ≈ 1, bulk- and tail-ESS ≈ N', () => {
    const c = iid(2, 4, 1000);
    const r = rhat(c);
    expect(r.rhat).toBeLessThan(1.01);
    expect(r.bulk).toBeGreaterThan(0.995);
    expect(essBulk(c) / 4000).toBeGreaterThan(0.85);
    expect(essBulk(c) / 4000).toBeLessThan(1.15);
    expect(essTail(c) / 4000).toBeGreaterThan(0.8);
    expect(essTail(c) / 4000).toBeLessThan(1.2);
  });

  it.each([0.5, 0.9, 0.97])('AR(1) with φ = %s: ESS ≈ N/τ, τ = (1+φ)/(1−φ)', (phi) => {
    const c = ar1(3, 4, 20_000, phi);
    const tau = (1 + phi) / (1 - phi);
    const ratio = essBasic(c) / (80_000 / tau);
    expect(ratio).toBeGreaterThan(0.85);
    expect(ratio).toBeLessThan(1.15);
    expect(essBulk(c) / (80_000 / tau)).toBeGreaterThan(0.85);
    expect(essBulk(c) / (80_000 / tau)).toBeLessThan(1.15);
    expect(rhat(c).rhat).toBeLessThan(1.01);
  });

  it('antithetic AR(1) (φ = −0.5): ESS ≈ 3N, above N', () => {
    const c = ar1(4, 4, 5000, -0.5);
    const ratio = essBasic(c) / (20_000 * 3);
    expect(ratio).toBeGreaterThan(0.85);
    expect(ratio).toBeLessThan(1.15);
  });

  it('chains stuck at different locations give a large bulk R̂', () => {
    const c = iid(5, 4, 500).map((x, k) => x.map((v) => v + (k === 0 ? 1 : 0)));
    expect(rhat(c).bulk).toBeGreaterThan(1.1);
  });

  it('chains with the same centre but different scales are caught by the folded (tail) R̂', () => {
    const c = iid(6, 4, 1000).map((x, k) => x.map((v) => v * (k === 0 ? 3 : 1)));
    const r = rhat(c);
    expect(r.bulk).toBeLessThan(1.02);
    expect(r.tail).toBeGreaterThan(1.05);
    expect(r.rhat).toBe(r.tail);
  });

  it('a trend within each chain is caught by splitting', () => {
    const c = iid(7, 4, 1000).map((x) => x.map((v, t) => v + (2 * t) / 1000));
    expect(rhat(c).rhat).toBeGreaterThan(1.1);
  });
});

describe('E-BFMI', () => {
  it('is 2 for iid energies and 2(1 − φ) for AR(1) energies', () => {
    expect(ebfmi(iid(8, 1, 50_000)[0]!)).toBeCloseTo(2, 1);
    expect(ebfmi(ar1(9, 1, 50_000, 0.9)[0]!)).toBeCloseTo(0.2, 1);
  });
});

describe('R̂ against an independent implementation', () => {
  it("matches the emcee peer's split_rhat formula (shared/peers/lens_fit_emcee.py, run in numpy on the same chains)", () => {
    // Chains: 4 × 1001 AR(1) draws (φ = 0.8) from Rng(42), chain 1 drifting, chain 2 scaled 1.3×.
    // Reference values computed on 2026-11-25 with the peer's split_rhat (numpy, stdlib NormalDist for Φ⁻¹).
    const rng = new Rng(42);
    const chains: Float64Array[] = [];
    for (let c = 0; c < 4; c++) {
      const x = new Float64Array(1001);
      let v = rng.normal();
      for (let t = 0; t < 1001; t++) {
        v = 0.8 * v + 0.6 * rng.normal() + (c === 1 ? 0.01 : 0);
        x[t] = c === 2 ? v * 1.3 : v;
      }
      chains.push(x);
    }
    const r = rhat(chains);
    expect(r.bulk).toBeCloseTo(1.0104812650030193, 12);
    expect(r.tail).toBeCloseTo(1.0163976474726886, 12);
  });
});
