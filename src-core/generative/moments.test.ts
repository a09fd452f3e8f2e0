import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { zigguratNormal } from '../lens/ziggurat';
import { adaptiveMoments, kolmogorovQ, ksTwoSample } from './moments';
import { GaussianDensity, latentDensityFromJSON } from './latent-density';

function gaussianImage(side: number, c11: number, c22: number, c12: number, x0: number, y0: number): Float64Array {
  const det = c11 * c22 - c12 * c12, out = new Float64Array(side * side);
  for (let r = 0; r < side; r++)
    for (let c = 0; c < side; c++) {
      const dx = c - x0, dy = r - y0;
      out[r * side + c] = Math.exp(-0.5 * (c22 * dx * dx - 2 * c12 * dx * dy + c11 * dy * dy) / det);
    }
  return out;
}

describe('adaptive moments', () => {
  it('recover an elliptical Gaussian\'s covariance (the fixed point M = C)', () => {
    const [c11, c22, c12] = [9, 4, 2];
    const m = adaptiveMoments(gaussianImage(48, c11, c22, c12, 23.3, 24.6), 48, 48, { pixelScale: 0.1 });
    expect(m.converged).toBe(true);
    expect(m.sigma).toBeCloseTo(0.1 * (c11 * c22 - c12 * c12) ** 0.25, 3);
    expect(m.e1).toBeCloseTo((c11 - c22) / (c11 + c22), 3);
    expect(m.e2).toBeCloseTo((2 * c12) / (c11 + c22), 3);
    expect(m.x).toBeCloseTo(23.3, 2);
    expect(m.y).toBeCloseTo(24.6, 2);
  });

  it('are unbiased on average for a moderately noisy round Gaussian', () => {
    const rng = new Rng(3, 1);
    let s = 0, e = 0, n = 0;
    for (let k = 0; k < 50; k++) {
      const img = gaussianImage(32, 6, 6, 0, 15.5, 15.5).map((v) => v + 0.02 * zigguratNormal(rng));
      const m = adaptiveMoments(img, 32, 32);
      if (!m.converged) continue;
      s += m.sigma;
      e += m.e1;
      n++;
    }
    expect(n).toBeGreaterThan(45);
    expect(s / n).toBeCloseTo(Math.sqrt(6), 1);
    expect(Math.abs(e / n)).toBeLessThan(0.02);
  });
});

describe('two-sample KS test', () => {
  it('Kolmogorov Q matches tabulated critical values (λ = 1.358 → 0.05, 1.628 → 0.01)', () => {
    expect(kolmogorovQ(1.358)).toBeCloseTo(0.05, 3);
    expect(kolmogorovQ(1.628)).toBeCloseTo(0.01, 3);
  });

  it('D on a hand-worked example', () => {
    // a = {1,2,3,4}, b = {3.5,5,6}: at x = 3, F_a = 3/4, F_b = 0 → D = 0.75
    expect(ksTwoSample([1, 2, 3, 4], [3.5, 5, 6]).d).toBeCloseTo(0.75, 12);
  });

  it('accepts two samples of one law and rejects a shifted one', () => {
    const rng = new Rng(4, 1);
    const a = Array.from({ length: 2000 }, () => zigguratNormal(rng));
    const b = Array.from({ length: 2000 }, () => zigguratNormal(rng));
    const c = Array.from({ length: 2000 }, () => 0.15 + zigguratNormal(rng));
    expect(ksTwoSample(a, b).p).toBeGreaterThan(0.01);
    expect(ksTwoSample(a, c).p).toBeLessThan(1e-3);
  });
});

describe('Gaussian latent density', () => {
  it('fits mean and covariance, gives the analytic log-density and round-trips through JSON by kind', () => {
    const rng = new Rng(5, 1);
    // z = A e + μ with known covariance A Aᵀ
    const mu = [1, -2, 0.5];
    const A = [[1, 0, 0], [0.5, 2, 0], [-0.3, 0.2, 0.7]];
    const data = Array.from({ length: 20000 }, () => {
      const e = [zigguratNormal(rng), zigguratNormal(rng), zigguratNormal(rng)];
      return Float64Array.from(mu, (m, i) => m + A[i]!.reduce((s, a, k) => s + a * e[k]!, 0));
    });
    const g = GaussianDensity.fit(data);
    for (let i = 0; i < 3; i++) expect(g.mean[i]).toBeCloseTo(mu[i]!, 1);
    // covariance entry (1,1) = 0.25 + 4
    const l = g.chol;
    expect(l[3]! ** 2 + l[4]! ** 2).toBeCloseTo(4.25, 1);
    // log N at the mean = −(3/2) log 2π − ½ log det Σ, det Σ = (det A)² = (1·2·0.7)²
    expect(g.logProb(Float64Array.from(mu))).toBeCloseTo(-1.5 * Math.log(2 * Math.PI) - Math.log(1.4), 1);
    const back = latentDensityFromJSON(JSON.parse(JSON.stringify(g.toJSON())));
    const z = Float64Array.of(0.3, 0.1, -1);
    expect(back.logProb(z)).toBeCloseTo(g.logProb(z), 12);
    const s = Array.from({ length: 5000 }, () => back.sample(rng));
    expect(s.reduce((a, v) => a + v[1]!, 0) / 5000).toBeCloseTo(-2, 1);
    expect(() => latentDensityFromJSON({ kind: 'maf' }, 'x.json')).toThrow(/x.json: unknown latent density kind 'maf'/);
  });
});

describe('observation operator', () => {
  it('the separable Gaussian convolution equals the direct one with the outer-product kernel', async () => {
    const { convolveSame, convolveSeparable, gaussianPsf, gaussianPsf1d } = await import('./observe');
    const rng = new Rng(6, 1);
    const x = Float64Array.from({ length: 144 }, () => rng.uniform());
    const a = convolveSame(x, 12, gaussianPsf(2.5, 7), 7), b = convolveSeparable(x, 12, gaussianPsf1d(2.5, 7));
    for (let i = 0; i < 144; i++) expect(b[i]).toBeCloseTo(a[i]!, 12);
  });
});
