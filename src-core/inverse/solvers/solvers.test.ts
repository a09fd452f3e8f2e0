import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../errors';
import { Rng } from '../../rng';
import { convolutionOperator, gaussianPsf } from '../operators/convolution';
import { identityOperator } from '../operators/identity';
import { maskOperator } from '../operators/mask';
import { GaussianPrior, powerLawSpectrum } from '../priors/gaussian';
import { L1StarletPrior } from '../priors/l1-starlet';
import { TotalVariationPrior } from '../priors/tv';
import {
  FourierDiagonalLikelihood, GaussianLikelihood, annealedLangevin, condatVu, dataFidelity, fista, geometricLadder,
  logDensityDifference, posteriorScore, scoreAscentMap, summarizeSamples, wienerPosterior,
} from './index';

const n = 16, D = n * n;
const rng = new Rng(21);
const prior = new GaussianPrior({ shape: [n, n], spectrum: powerLawSpectrum(n, n, { slope: 2, k0: 2 / n, pixelStd: 1 }) });
const blur = convolutionOperator({ bands: 1, rows: n, cols: n, psfs: [gaussianPsf(2.5)] });
const truth = prior.sample(rng);
const y = blur.apply(truth).map((v) => v + 0.1 * rng.normal());
const lik = new FourierDiagonalLikelihood(blur, y, 0.01);
const exact = wienerPosterior(prior, lik);
const maxAbs = (a: Float64Array, b: Float64Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

/** A step image: left plateau a (nL columns), right plateau b. */
function step(rows: number, cols: number, nL: number, a: number, b: number) {
  return Float64Array.from({ length: rows * cols }, (_, i) => (i % cols < nL ? a : b));
}

describe('likelihoods', () => {
  it('the Fourier-diagonal score at σ = 0 is AᵀΣ⁻¹(y − Ax), and the generic one agrees', () => {
    const x = Float64Array.from({ length: D }, () => rng.normal());
    const r = blur.apply(x).map((v, j) => (y[j]! - v) / 0.01);
    const direct = blur.adjoint(r);
    expect(maxAbs(lik.score(x, 0), direct)).toBeLessThan(1e-9);
    expect(maxAbs(new GaussianLikelihood(blur, y, { variance: 0.01 }).score(x, 0), direct)).toBeLessThan(1e-9);
    // Tempered: for the identity, (y − x)/(σ_n² + σ²) exactly (AAᵀ = I).
    const idLik = new FourierDiagonalLikelihood(identityOperator([n, n]), y, 0.01);
    const s = idLik.score(x, 0.3);
    for (let i = 0; i < D; i++) expect(s[i]).toBeCloseTo((y[i]! - x[i]!) / (0.01 + 0.09), 10);
  });

  it('masked pixels (variance ∞) carry no weight; zero variance is refused', () => {
    const keep = Array.from({ length: D }, (_, i) => i % 5 !== 0);
    const v = Float64Array.from(keep, (k) => (k ? 0.04 : Infinity));
    const gl = new GaussianLikelihood(maskOperator([n, n], keep), y, { variance: v });
    const s = gl.score(new Float64Array(D), 0.5);
    keep.forEach((k, i) => expect(s[i]).toBeCloseTo(k ? y[i]! / (0.04 + 0.25) : 0, 12));
    expect(() => new GaussianLikelihood(identityOperator([n, n]), y, { variance: 0 })).toThrow(/never 0/);
  });
});

describe('MAP solvers', () => {
  it('FISTA with the Gaussian prior (prox) converges to the Wiener filter, objective non-increasing after restarts', () => {
    const res = fista({
      x0: new Float64Array(D), smooth: dataFidelity(lik), lipschitz: lik.lipschitz(), maxIter: 3000, tol: 1e-10,
      prox: (v, t, out) => prior.prox(v, t, out), nonsmooth: (x) => -prior.logDensity(x),
    });
    expect(res.converged).toBe(true);
    expect(maxAbs(res.x, exact.mean)).toBeLessThan(1e-6 * Math.max(...exact.mean.map(Math.abs)));
    const ups = res.objective.filter((f, i) => i > 0 && f > res.objective[i - 1]! * (1 + 1e-12)).length;
    expect(ups).toBeLessThan(res.objective.length / 10);
  });

  it('FISTA / TV denoising reaches the closed-form ROF solution of a step (overestimated L, so it iterates)', () => {
    const rows = 4, cols = 8, lam = 0.6;
    const v = step(rows, cols, 3, 0, 2);
    const tv = new TotalVariationPrior({ rows, cols, lambda: lam, proxIter: 2000, proxTol: 1e-12 });
    const smooth = { value: (x: Float64Array) => 0.5 * x.reduce((s, xi, i) => s + (xi - v[i]!) ** 2, 0), gradient: (x: Float64Array, out: Float64Array) => { for (let i = 0; i < x.length; i++) out[i] = x[i]! - v[i]!; } };
    const res = fista({ x0: new Float64Array(rows * cols), smooth, lipschitz: 3, prox: (w, t, out) => tv.prox(w, t, out), nonsmooth: (x) => tv.penalty(x), maxIter: 2000, tol: 1e-10 });
    const want = step(rows, cols, 3, lam / 3, 2 - lam / 5);
    expect(maxAbs(res.x, want)).toBeLessThan(1e-5);
    expect(res.objective[res.objective.length - 1]!).toBeLessThan(res.objective[0]!);
  });

  it('Condat–Vũ (K = ∇, no inner prox) reaches the same ROF step solution', () => {
    const rows = 4, cols = 8, lam = 0.6;
    const v = step(rows, cols, 3, 0, 2);
    const tv = new TotalVariationPrior({ rows, cols, lambda: lam });
    const smooth = { value: (x: Float64Array) => 0.5 * x.reduce((s, xi, i) => s + (xi - v[i]!) ** 2, 0), gradient: (x: Float64Array, out: Float64Array) => { for (let i = 0; i < x.length; i++) out[i] = x[i]! - v[i]!; } };
    const res = condatVu({ x0: new Float64Array(rows * cols), smooth, lipschitz: 1, analysis: tv, maxIter: 20000, tol: 1e-11 });
    expect(res.converged).toBe(true);
    expect(maxAbs(res.x, step(rows, cols, 3, lam / 3, 2 - lam / 5))).toBeLessThan(1e-5);
  });

  it('ℓ1-starlet deconvolution: Condat–Vũ and FISTA (with the dual-iteration prox) agree on the optimum', () => {
    const l1 = new L1StarletPrior({ rows: n, cols: n, scales: 3, thresholds: [3, 1, 0.5], proxIter: 150, proxTol: 1e-9 });
    const smooth = dataFidelity(lik);
    const cv = condatVu({ x0: new Float64Array(D), smooth, lipschitz: lik.lipschitz(), analysis: l1, normK: 1, maxIter: 6000, tol: 1e-9 });
    const fi = fista({ x0: new Float64Array(D), smooth, lipschitz: lik.lipschitz() * 1.01, prox: (w, t, out) => l1.prox(w, t, out), nonsmooth: (x) => l1.penalty(x), maxIter: 300, tol: 1e-8 });
    const objective = (x: Float64Array) => smooth.value(x) + l1.penalty(x);
    expect(Math.abs(objective(cv.x) - objective(fi.x)) / objective(fi.x)).toBeLessThan(1e-6);
    expect(objective(fi.x)).toBeLessThan(objective(new Float64Array(D)));
  });

  it('score-ascent MAP with the exact Gaussian score gives the Wiener solution', () => {
    const res = scoreAscentMap({
      score: posteriorScore(prior, lik), x0: new Float64Array(D), sigmas: geometricLadder(10, 1e-4, 20),
      likelihoodLipschitz: lik.lipschitz(), priorLipschitz: 1 / Math.min(...prior.spectrum), stepsPerLevel: 20, tol: 1e-12, maxFinalIter: 20000,
    });
    expect(res.converged).toBe(true);
    expect(maxAbs(res.x, exact.mean)).toBeLessThan(1e-3 * Math.max(...exact.mean.map(Math.abs)));
  });

  it('cancellation throws CancelledError', () => {
    const signal = { aborted: true };
    expect(() => fista({ x0: new Float64Array(D), smooth: dataFidelity(lik), lipschitz: lik.lipschitz(), prox: (v, _t, o) => o.set(v), signal })).toThrow(CancelledError);
    expect(() => annealedLangevin({ score: posteriorScore(prior, lik), size: D, chains: 1, sigmas: geometricLadder(1, 0.1, 3), rng, signal })).toThrow(CancelledError);
  });
});

describe('sampler pieces', () => {
  it("Simpson's line integral of the score is exact for a Gaussian log density", () => {
    const a = Float64Array.from({ length: D }, () => rng.normal()), b = Float64Array.from({ length: D }, () => rng.normal());
    const score = (x: Float64Array, _s: number, out: Float64Array) => { prior.score(x, 0, out); };
    const ga = prior.score(a, 0), gb = prior.score(b, 0);
    const d = logDensityDifference(score, 0, a, b, ga, gb, new Float64Array(D), new Float64Array(D));
    expect(d).toBeCloseTo(prior.logDensity(b) - prior.logDensity(a), 8);
  });

  it('intervals from order statistics: level (B + 1 − 2j)/(B + 1) and the right samples', () => {
    const samples = Array.from({ length: 19 }, (_, k) => Float64Array.from([k, -k]));
    const s = summarizeSamples(samples, [0.9]);
    // B = 19: j = round(20 · 0.1 / 2) = 1, level 18/20 = 0.9; interval [min, max].
    expect(s.intervals[0]!.level).toBeCloseTo(0.9, 12);
    expect(Array.from(s.intervals[0]!.lower)).toEqual([0, -18]);
    expect(Array.from(s.intervals[0]!.upper)).toEqual([18, -0]);
    expect(s.mean[0]).toBeCloseTo(9, 12);
    expect(s.std[0]).toBeCloseTo(Math.sqrt((19 * 20) / 12), 12); // var of 0…18 with B − 1: n(n+1)/12
  });
});
