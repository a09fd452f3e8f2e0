import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { InputError } from '../errors';
import { fitPca, pcaProject } from '../flows/pca';
import { RealNvp } from '../flows/realnvp';
import { blendScore, fitLogistic, morphologyFromJSON, morphologyToJSON, scorePrepared, type MorphologyDensity } from './morphology-density';
import { prepareStamp, simBlended, simIsolated } from './morphology-stamps';
import { trainMorphologyDensity } from './morphology-train';

describe('prepareStamp', () => {
  it('centres the brightest object, subtracts the border background and normalises the flux', () => {
    const rows = 40, cols = 40, img = new Float64Array(rows * cols).fill(100);
    for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) img[y * cols + x] += 500 * Math.exp(-((x - 23) ** 2 + (y - 17) ** 2) / 8);
    const s = prepareStamp(img, rows, cols, 32);
    expect(s.peak).toEqual({ x: 23, y: 17 });
    expect(s.x.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 12);
    expect(s.x[16 * 32 + 16]).toBe(Math.max(...s.x));
    expect(s.flux).toBeCloseTo(500 * 8 * Math.PI, -1); // ∫ A e^{−r²/8} = 8πA
  });
  it('names what is wrong: an empty stamp, NaNs everywhere, a tiny stamp', () => {
    expect(() => prepareStamp(new Float64Array(400), 20, 20)).toThrow(/no source/);
    expect(() => prepareStamp(new Float64Array(400).fill(NaN), 20, 20)).toThrow(/NaN/);
    expect(() => prepareStamp(new Float64Array(16), 4, 4)).toThrow(InputError);
  });
});

describe('change of variables', () => {
  it('the residual term equals the Gaussian density of the explicit complement coordinates U(x − μ)', () => {
    // N = 16, k = 3: complete the PCA basis to an orthonormal basis of ℝ^16 by Gram–Schmidt and
    // evaluate log N(U(x − μ); 0, τ² I) directly, independently of the ‖r‖ shortcut.
    const rng = new Rng(5), N = 16, k = 3;
    const data = Array.from({ length: 300 }, () => Float64Array.from({ length: N }, (_, i) => rng.normal() * (i < 3 ? 3 : 0.3) + 1 / N));
    const pca = fitPca(data, k);
    const flow = RealNvp.fit(data.map((x) => pcaProject(pca, x)), { steps: 5, layers: 2, hidden: 4 });
    const m: MorphologyDensity = { size: 4, pca, flow, modelVariance: 0.01, calibration: { a: 1, b: 0 } };
    const basis = pca.basis.map((v) => Float64Array.from(v));
    for (let e = 0; basis.length < N; e++) {
      const v = new Float64Array(N); v[e] = 1;
      for (const b of basis) { const d = b.reduce((s, bi, i) => s + bi * v[i]!, 0); for (let i = 0; i < N; i++) v[i] -= d * b[i]!; }
      const n = Math.hypot(...v);
      if (n > 1e-6) basis.push(v.map((x) => x / n));
    }
    const x = data[7]!, sigma = 0.05, tau2 = sigma * sigma + 0.01;
    let direct = 0;
    for (const u of basis.slice(k)) {
      const w = u.reduce((s, ui, i) => s + ui * (x[i]! - pca.mean[i]!), 0);
      direct += -0.5 * w * w / tau2 - 0.5 * Math.log(2 * Math.PI * tau2);
    }
    const got = scorePrepared(m, { x, sigma, flux: 1, peak: { x: 0, y: 0 } });
    expect(got.logpResidual).toBeCloseTo(direct, 9);
    expect(got.logp).toBeCloseTo(direct + flow.logProb(pcaProject(pca, x)), 9);
  });
});

describe('logistic calibration', () => {
  it('recovers the slope and intercept of a known logistic model', () => {
    const rng = new Rng(9), t: number[] = [], y: boolean[] = [];
    for (let i = 0; i < 20000; i++) { const v = rng.normal() * 2 + 1; t.push(v); y.push(rng.uniform() < 1 / (1 + Math.exp(-(1.5 * v - 2)))); }
    const { a, b } = fitLogistic(t, y);
    expect(a).toBeGreaterThan(1.35); expect(a).toBeLessThan(1.65);
    expect(b).toBeGreaterThan(-2.25); expect(b).toBeLessThan(-1.75);
  });
});

describe('morphology density on simulated galaxies (small model)', () => {
  const { model, metrics } = trainMorphologyDensity({ nTrain: 200, nCalib: 50, nTest: 80, k: 12, flow: { steps: 150, hidden: 16, layers: 4, lr: 3e-3 }, seed: 3 });

  it('an isolated galaxy scores higher than an artificial blend of two', () => {
    // Issue 14's check, on galaxies none of which was in training (seeds outside every training range).
    let wins = 0;
    for (let s = 0; s < 40; s++) {
      const a = simIsolated(900_000_000 + s), b = simBlended(910_000_000 + s, 5, 9);
      const la = blendScore(model, a.img, a.rows, a.cols), lb = blendScore(model, b.img, b.rows, b.cols);
      if (la.statistic < lb.statistic) wins++;
    }
    expect(wins).toBeGreaterThanOrEqual(32);
    expect(metrics.auroc).toBeGreaterThan(0.85);
    expect(metrics.fpr).toBeLessThan(0.3);
    expect(metrics.tpr).toBeGreaterThan(0.6);
  });

  it('the flow on PCA coefficients beats a full-covariance Gaussian on held-out isolated galaxies', () => {
    expect(metrics.heldOutFlowNll).toBeLessThan(metrics.heldOutGaussianNll);
  });

  it('round-trips through JSON and rejects a broken model naming the field', () => {
    const j = JSON.parse(JSON.stringify(morphologyToJSON(model))) as Record<string, unknown>;
    const back = morphologyFromJSON(j);
    const g = simIsolated(777);
    expect(blendScore(back, g.img, g.rows, g.cols).logp).toBe(blendScore(model, g.img, g.rows, g.cols).logp);
    expect(() => morphologyFromJSON({ ...j, format: 'x' }, 'm.json')).toThrow(/m\.json: field "format"/);
    expect(() => morphologyFromJSON({ ...j, modelVariance: -1 })).toThrow(/modelVariance/);
  });
});
