// Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman 2018, arXiv:1804.06788):
// draw θ* from the prior, data from the model, run the full warm-up + NUTS pipeline, and record the
// rank of θ* among L thinned posterior draws. For a correct sampler the ranks are uniform on 0…L.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { sample } from './sample';
import type { LogDensityAndGrad } from './types';

// Conjugate model: μ ~ N(0, 1), y_i | μ ~ N(μ, σ²), i = 1…nObs.
const nObs = 4;

function posterior(y: Float64Array, sigma: number): LogDensityAndGrad {
  let sy = 0;
  for (const v of y) sy += v;
  const a = 1 + y.length / (sigma * sigma); // posterior precision
  const b = sy / (sigma * sigma);
  return (q, g) => {
    g[0] = b - a * q[0]!;
    return b * q[0]! - 0.5 * a * q[0]! ** 2;
  };
}

/** Chi-square statistic of the rank histogram (L+1 bins) over `reps` replications. */
function sbcChiSquare(reps: number, modelSigma: number, seed: number): number {
  const L = 19;
  const thin = 10;
  const counts = new Array(L + 1).fill(0);
  for (let r = 0; r < reps; r++) {
    const rng = new Rng(seed, r, 999);
    const mu = rng.normal();
    const y = Float64Array.from({ length: nObs }, () => mu + rng.normal());
    const res = sample({
      logDensity: posterior(y, modelSigma),
      init: new Float64Array([rng.normal()]),
      nWarmup: 150,
      nSamples: L * thin,
      seed,
      chain: r,
    });
    let rank = 0;
    for (let i = 0; i < L; i++) if (res.draws[(i + 1) * thin - 1]! < mu) rank++;
    counts[rank]++;
  }
  const expected = reps / (L + 1);
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}

// χ²₁₉ upper 0.1 % point (tabulated): 43.82.
const CHI2_19_999 = 43.82;

describe('simulation-based calibration of warm-up + NUTS on a conjugate normal model', () => {
  it('ranks of the true μ are uniform (χ² test over 20 bins, 600 replications)', () => {
    expect(sbcChiSquare(600, 1, 1)).toBeLessThan(CHI2_19_999);
  });

  it('2-D correlated model: ranks of both components are uniform', () => {
    // μ ~ N(0, diag(1, 4)); y_i | μ ~ N(μ, Σ), Σ = [[1, 0.8], [0.8, 1]], nObs = 4. Posterior precision
    // A = Σ0⁻¹ + n Σ⁻¹, linear term b = Σ⁻¹ Σ y_i.
    const si = [1 / 0.36, -0.8 / 0.36, -0.8 / 0.36, 1 / 0.36]; // Σ⁻¹
    const L = 19, thin = 10, reps = 500;
    const counts = [new Array(L + 1).fill(0), new Array(L + 1).fill(0)];
    for (let r = 0; r < reps; r++) {
      const rng = new Rng(3, r, 777);
      const mu = [rng.normal(), 2 * rng.normal()];
      const sy = [0, 0];
      for (let i = 0; i < nObs; i++) {
        const z1 = rng.normal(), z2 = rng.normal();
        sy[0] += mu[0]! + z1;
        sy[1] += mu[1]! + 0.8 * z1 + 0.6 * z2;
      }
      const A = [1 + nObs * si[0]!, nObs * si[1]!, nObs * si[2]!, 0.25 + nObs * si[3]!];
      const b = [si[0]! * sy[0]! + si[1]! * sy[1]!, si[2]! * sy[0]! + si[3]! * sy[1]!];
      const ld: LogDensityAndGrad = (q, g) => {
        const a0 = A[0]! * q[0]! + A[1]! * q[1]!, a1 = A[2]! * q[0]! + A[3]! * q[1]!;
        g[0] = b[0]! - a0;
        g[1] = b[1]! - a1;
        return b[0]! * q[0]! + b[1]! * q[1]! - 0.5 * (q[0]! * a0 + q[1]! * a1);
      };
      const res = sample({ logDensity: ld, init: new Float64Array([rng.normal(), rng.normal()]), nWarmup: 150, nSamples: L * thin, seed: 3, chain: r });
      for (let k = 0; k < 2; k++) {
        let rank = 0;
        for (let i = 0; i < L; i++) if (res.draws[((i + 1) * thin - 1) * 2 + k]! < mu[k]!) rank++;
        counts[k]![rank]++;
      }
    }
    for (const c of counts) {
      const e = reps / (L + 1);
      expect(c.reduce((s: number, x: number) => s + (x - e) ** 2 / e, 0)).toBeLessThan(CHI2_19_999);
    }
  });

  it('the same test rejects a wrong posterior (likelihood σ = 0.5 while the data have σ = 1)', () => {
    // Negative control: an over-confident posterior piles ranks at both ends.
    expect(sbcChiSquare(600, 0.5, 2)).toBeGreaterThan(CHI2_19_999);
  });
});
