// Coverage of the Wiener posterior: on a Gaussian random field drawn from the prior itself the posterior is
// exactly calibrated, so the per-pixel coverage of mean ± 1σ / ± 1.96σ must be the nominal one (closed
// form) or the Student-t one (σ from n constrained realisations) — a mis-scaled std would fail it.
import { describe, expect, it } from 'vitest';
import { fft2 } from '../math/fft';
import { Rng } from '../rng';
import { intervalCoverage, studentCentral, wienerCoverage } from './coverage';
import { ARCMIN_RAD, ksKernel } from './ks93';
import { powerLawModeVariance } from './spectrum';

function grf(n: number, P: Float64Array, seed: number): Float64Array {
  const re = new Float64Array(n * n), im = new Float64Array(n * n), rng = new Rng(seed, 77);
  for (let i = 0; i < re.length; i++) re[i] = rng.normal();
  fft2(re, im, n, n, false);
  for (let i = 0; i < re.length; i++) { re[i] = re[i]! * Math.sqrt(P[i]!); im[i] = im[i]! * Math.sqrt(P[i]!); }
  fft2(re, im, n, n, true);
  return re.map((v) => v / (n * n));
}

describe('Wiener posterior coverage', () => {
  it('Student-t central probabilities', () => {
    expect(studentCentral(1, 1e9)).toBeCloseTo(0.682689, 5);
    expect(studentCentral(1.96, 1e9)).toBeCloseTo(0.950004, 5);
    expect(studentCentral(1, 20)).toBeCloseTo(0.670743, 5); // scipy.stats.t(20).cdf(1)*2-1
    expect(studentCentral(2.086, 20)).toBeCloseTo(0.95, 3); // t_{0.975, 20} = 2.086
  });

  it('counts hits per z', () => {
    expect(intervalCoverage([0, 0, 0, 0], [1, 1, 1, 1], [0.5, 1.5, -2.5, 9], [1, 1, 1, 0], [1, 2, 3])).toEqual([1 / 3, 2 / 3, 1]);
  });

  const n = 96, k = ksKernel(n, n, ARCMIN_RAD), P = powerLawModeVariance(k);
  it('is nominal on a GRF drawn from the prior (white noise, closed-form std), several seeds', () => {
    let c68 = 0, c95 = 0;
    for (const seed of [1, 2, 3, 4]) {
      const r = wienerCoverage(grf(n, P, seed), n, n, P, { pixArcmin: 1, ngal: 30, sigmaE: 0.26, poisson: false, seed, samples: 0, margin: 0 });
      expect(r.stdKind).toMatch(/closed form/);
      c68 += r.cov68 / 4;
      c95 += r.cov95 / 4;
    }
    // Pixels are correlated (~ a few per correlation length): allow ±3 points around 68.3 % and ±1.5 around 95 %.
    expect(Math.abs(c68 - 0.683)).toBeLessThan(0.03);
    expect(Math.abs(c95 - 0.95)).toBeLessThan(0.015);
  });

  it('matches the Student-t expectation with std from constrained realisations (Poisson counts, masked)', () => {
    const r = wienerCoverage(grf(64, powerLawModeVariance(ksKernel(64, 64, ARCMIN_RAD)), 5), 64, 64, powerLawModeVariance(ksKernel(64, 64, ARCMIN_RAD)), { pixArcmin: 1, ngal: 3, sigmaE: 0.26, poisson: true, seed: 5, samples: 12, margin: 0 });
    expect(r.maskedFraction).toBeGreaterThan(0.02);
    expect(r.stdKind).toMatch(/12 constrained realisations/);
    expect(r.expected68).toBeCloseTo(studentCentral(1, 12), 12);
    expect(Math.abs(r.cov68 - r.expected68)).toBeLessThan(0.06);
    expect(Math.abs(r.cov95 - r.expected95)).toBeLessThan(0.04);
    // A std halved would cover far less: the test can fail.
    expect(r.cov68).toBeGreaterThan(0.5);
  }, 60000);
});
