import { describe, expect, it } from 'vitest';
import { Rng } from '../../rng';
import { starletOperator } from '../operators/starlet';
import { GaussianPrior, L1StarletPrior, MoreauYosidaPrior, TotalVariationPrior, estimateSpectrum, powerLawSpectrum, softThreshold } from './index';
import { solveDense } from '../../../test/dense-solve';

/** Dense solve (Gaussian elimination with partial pivoting), independent of any FFT. */

describe('Gaussian (stationary) prior', () => {
  const rows = 4, cols = 6, n = rows * cols;
  const spectrum = powerLawSpectrum(rows, cols, { slope: 2, k0: 0.3, pixelStd: 1.5 });
  const prior = new GaussianPrior({ shape: [rows, cols], spectrum, mean: 0.7 });
  const rng = new Rng(1);

  it('the pixel variance is (1/N) Σ c_k = pixelStd²', () => expect(prior.pixelVariance()).toBeCloseTo(2.25, 12));

  it('score at σ equals −(C + σ²I)⁻¹(x − μ) with C built densely from c_k (explicit DFT sums)', () => {
    // C_ij = (1/N) Σ_k c_k cos(2π k·(j_i − j_j)) for the unitary convention (c_k symmetric).
    const pos = (i: number) => [Math.floor(i / cols), i % cols] as const;
    const C = (s2: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => {
      const [ri, ci] = pos(i), [rj, cj] = pos(j);
      let v = 0;
      for (let k = 0; k < n; k++) {
        const [kr, kc] = pos(k);
        v += spectrum[k]! * Math.cos(2 * Math.PI * ((kr * (ri - rj)) / rows + (kc * (ci - cj)) / cols));
      }
      return v / n + (i === j ? s2 : 0);
    }));
    const x = Float64Array.from({ length: n }, () => rng.normal());
    for (const sigma of [0, 0.5, 3]) {
      const expected = solveDense(C(sigma * sigma), Array.from(x, (v) => -(v - 0.7)));
      const got = prior.score(x, sigma);
      expected.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 9));
    }
    // log density: −½ (x − μ)ᵀ C⁻¹ (x − μ)
    const cinv = solveDense(C(0), Array.from(x, (v) => v - 0.7));
    expect(prior.logDensity(x)).toBeCloseTo(-0.5 * cinv.reduce((s, v, i) => s + v * (x[i]! - 0.7), 0), 9);
  });

  it('prox_{tφ}(v) satisfies its optimality condition x − v = t ∇log p(x)', () => {
    const v = Float64Array.from({ length: n }, () => rng.normal());
    const x = prior.prox(v, 0.8);
    const s = prior.score(x, 0);
    for (let i = 0; i < n; i++) expect(x[i]! - v[i]!).toBeCloseTo(0.8 * s[i]!, 10);
  });

  it('draws have the prior spectrum; estimateSpectrum recovers it within Monte-Carlo error', () => {
    const big = new GaussianPrior({ shape: [16, 16], spectrum: powerLawSpectrum(16, 16, { slope: 2, k0: 2 / 16, pixelStd: 1 }) });
    const draws = Array.from({ length: 400 }, () => big.sample(rng));
    let v = 0;
    for (const d of draws) for (const p of d) v += p * p;
    v /= 400 * 256;
    // Pixel variance 1; the draws are correlated, so allow ~ 4 × its MC error with the effective count.
    expect(Math.abs(v - 1)).toBeLessThan(0.1);
    const est = estimateSpectrum(draws, 16, 16);
    // ring of k = 1/16 has 4 modes (±1, 0) and (0, ±1): 1600 |x̂|² values, relative MC error 2.5 %.
    expect(est.spectrum[1]! / big.spectrum[1]!).toBeGreaterThan(0.9);
    expect(est.spectrum[1]! / big.spectrum[1]!).toBeLessThan(1.1);
    expect(Math.abs(est.mean)).toBeLessThan(0.1);
  });
});

describe('total variation prior', () => {
  it('prox of a two-plateau step has the closed-form ROF solution (each side moves by t/width)', () => {
    // Rows are identical, so the 2-D isotropic problem is the 1-D one per row: the left plateau
    // (width nL) rises by t/nL and the right one drops by t/nR while the jump stays positive.
    const rows = 5, cols = 10, nL = 4, nR = 6, a = 0, b = 3, t = 1.2;
    const v = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) v[i * cols + j] = j < nL ? a : b;
    const tv = new TotalVariationPrior({ rows, cols, lambda: 1, proxIter: 3000, proxTol: 1e-13 });
    const x = tv.prox(v, t);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
      expect(x[i * cols + j]).toBeCloseTo(j < nL ? a + t / nL : b - t / nR, 6);
    }
    // TV of the step: λ·rows·|b − a|.
    expect(tv.penalty(v)).toBeCloseTo(rows * (b - a), 12);
  });

  it('a 1 × 2 image merges when |b − a| ≤ 2t', () => {
    const tv = new TotalVariationPrior({ rows: 1, cols: 2, lambda: 2, proxIter: 2000, proxTol: 1e-14 });
    const x = tv.prox(Float64Array.from([1, 2]), 0.5); // λt = 1 ≥ |b − a|/2
    expect(x[0]).toBeCloseTo(1.5, 8);
    expect(x[1]).toBeCloseTo(1.5, 8);
  });

  it('prox beats random perturbations of itself on the ROF objective (noisy square)', () => {
    const rng = new Rng(3);
    const rows = 16, cols = 16;
    const v = Float64Array.from({ length: rows * cols }, (_, i) => (Math.abs((i % cols) - 8) < 4 && Math.abs(Math.floor(i / cols) - 8) < 4 ? 1 : 0) + 0.2 * rng.normal());
    const tv = new TotalVariationPrior({ rows, cols, lambda: 0.3, proxIter: 500 });
    const obj = (x: Float64Array) => 0.5 * x.reduce((s, xi, i) => s + (xi - v[i]!) ** 2, 0) + tv.penalty(x);
    const x = tv.prox(v, 1);
    const f0 = obj(x);
    expect(f0).toBeLessThan(obj(v));
    for (let k = 0; k < 20; k++) {
      const y = x.map((xi) => xi + 1e-3 * rng.normal());
      expect(obj(y)).toBeGreaterThan(f0 - 1e-9);
    }
  });
});

describe('ℓ1-starlet prior', () => {
  const rows = 16, cols = 16, J = 3;
  const prior = new L1StarletPrior({ rows, cols, scales: J, thresholds: [0.3, 0.2, 0.1], proxIter: 400 });
  const rng = new Rng(4);
  const v = Float64Array.from({ length: rows * cols }, () => rng.normal());

  it('penalty = Σ_j t_j ‖w_j‖₁, the coarse scale free', () => {
    const w = starletOperator(rows, cols, J).apply(v);
    let s = 0;
    for (let j = 0; j < J; j++) for (let i = 0; i < 256; i++) s += [0.3, 0.2, 0.1][j]! * Math.abs(w[j * 256 + i]!);
    expect(prior.penalty(v)).toBeCloseTo(s, 10);
    const flat = new Float64Array(256).fill(5);
    expect(prior.penalty(flat)).toBeCloseTo(0, 12);
  });

  it('its prox (dual iterations) beats "threshold then sum" and perturbations on the objective', () => {
    const obj = (x: Float64Array) => 0.5 * x.reduce((s, xi, i) => s + (xi - v[i]!) ** 2, 0) + prior.penalty(x);
    const x = prior.prox(v, 1);
    const w = starletOperator(rows, cols, J).apply(v);
    softThreshold(w, [0.3, 0.2, 0.1, 0], 256);
    const heuristic = new Float64Array(256);
    for (let b = 0; b <= J; b++) for (let i = 0; i < 256; i++) heuristic[i] = heuristic[i]! + w[b * 256 + i]!;
    expect(obj(x)).toBeLessThan(obj(heuristic));
    for (let k = 0; k < 20; k++) expect(obj(x.map((xi) => xi + 1e-3 * rng.normal()))).toBeGreaterThan(obj(x) - 1e-9);
  });

  it('soft threshold: sign(w) max(|w| − t, 0) per band', () => {
    expect(Array.from(softThreshold(Float64Array.from([3, -0.5, -2, 0.1]), [1, 0.5], 2))).toEqual([2, 0, -1.5, 0]);
  });
});

describe('Moreau–Yosida score', () => {
  it('for a Gaussian prior, the envelope with λ = σ² is exactly the σ-smoothed score', () => {
    const g = new GaussianPrior({ shape: [8, 8], spectrum: powerLawSpectrum(8, 8, { slope: 2, k0: 0.2, pixelStd: 1 }), mean: 0.3 });
    const my = new MoreauYosidaPrior(g, 1e-6);
    const rng = new Rng(8);
    const x = Float64Array.from({ length: 64 }, () => rng.normal());
    for (const s of [0.1, 1, 5]) {
      const a = my.score(x, s), b = g.score(x, s);
      for (let i = 0; i < 64; i++) expect(a[i]).toBeCloseTo(b[i]!, 9);
    }
  });

  it('TV: the score is (prox − x)/λ, zero on a constant image, and needs a prox', () => {
    const tv = new TotalVariationPrior({ rows: 6, cols: 6, lambda: 1 });
    const my = new MoreauYosidaPrior(tv, 0.01);
    const flat = new Float64Array(36).fill(2);
    for (const v of my.score(flat, 0.5)) expect(Math.abs(v)).toBeLessThan(1e-9);
    const stepImg = Float64Array.from({ length: 36 }, (_, i) => (i % 6 < 3 ? 0 : 3));
    const s = my.score(stepImg, 0.5);
    // The envelope gradient pulls the two plateaus together: up on the left, down on the right.
    expect(s[0]!).toBeGreaterThan(0);
    expect(s[5]!).toBeLessThan(0);
    expect(() => new MoreauYosidaPrior({ name: 'x', shape: [1], logDensity: () => 0 }, 0.1)).toThrow(/no prox/);
  });
});
