// The exact Gaussian test of learned-priors.md §7: with the exact score of a stationary Gaussian prior
// in place of a network, the samplers must reproduce the closed-form (Wiener) posterior mean and
// per-pixel std, for deconvolution (periodic PSF) and masked Fourier sampling. Tolerances as §7:
//  1. pixel-averaged sample std vs the exact pixel std: |Δ| < 3 %;
//  2. ‖m_samples − m_post‖ / √(D σ_pix²/B) < 1.3 (Monte-Carlo level);
//  3. per radial |k| bin, mean |x̂ − m̂|² against c_post,k within 5 % + 4/√(B · modes);
//  4. largest pixel mean error < 5/√B posterior std.
// 16² × 128 chains (the peer: 64² × 256) so that it runs in seconds on 2 shared cores.
import { describe, expect, it } from 'vitest';
import { fft2, freqIndex } from '../../math/fft';
import { Rng } from '../../rng';
import { convolutionOperator, gaussianPsf } from '../operators/convolution';
import { fourierSamplingOperator } from '../operators/fourier-sampling';
import { maskOperator } from '../operators/mask';
import type { LinearOperator } from '../operators/linear-operator';
import { GaussianPrior, powerLawSpectrum } from '../priors/gaussian';
import { annealedHmc } from './annealed-hmc';
import { annealedLangevin, type SamplerResult } from './annealed-langevin';
import { gaussianPosteriorCg } from './cg';
import { FourierDiagonalLikelihood, GaussianLikelihood } from './likelihood';
import { posteriorScore } from './posterior-score';
import { geometricLadder, sigmaMaxFor } from './sigma-ladder';
import { wienerPosterior } from './wiener';

const n = 16, D = n * n, noise = 0.1;

function setup(op: LinearOperator, seed: number) {
  const prior = new GaussianPrior({ shape: [n, n], spectrum: powerLawSpectrum(n, n, { slope: 2, k0: 2 / n, pixelStd: 1 }) });
  const rng = new Rng(seed);
  const truth = prior.sample(rng);
  const y = op.apply(truth);
  for (let j = 0; j < y.length; j++) y[j] = y[j]! + noise * rng.normal();
  const lik = new FourierDiagonalLikelihood(op, y, noise * noise);
  return { prior, lik, exact: wienerPosterior(prior, lik), rng };
}

function check(res: SamplerResult, exact: ReturnType<typeof wienerPosterior>) {
  const B = res.samples.length, sd = exact.pixelStd[0]!;
  const sdMean = res.std.reduce((s, v) => s + v, 0) / D;
  let err2 = 0, errMax = 0;
  for (let i = 0; i < D; i++) {
    const e = res.mean[i]! - exact.mean[i]!;
    err2 += e * e;
    errMax = Math.max(errMax, Math.abs(e));
  }
  // Radial bins of |k| (width 1/n): mean over chains of |x̂ − m̂|² (unitary) vs c_post.
  const bins = new Map<number, { got: number; want: number; modes: number }>();
  const re = new Float64Array(D), im = new Float64Array(D);
  for (const s of res.samples) {
    for (let i = 0; i < D; i++) re[i] = s[i]! - exact.mean[i]!;
    im.fill(0);
    fft2(re, im, n, n);
    for (let k = 0; k < D; k++) {
      const rb = Math.round(Math.hypot(freqIndex(Math.floor(k / n), n), freqIndex(k % n, n)));
      if (rb < 1 || rb > n / 2) continue;
      const e = bins.get(rb) ?? { got: 0, want: 0, modes: 0 };
      e.got += (re[k]! ** 2 + im[k]! ** 2) / D / B;
      bins.set(rb, e);
    }
  }
  for (let k = 0; k < D; k++) {
    const rb = Math.round(Math.hypot(freqIndex(Math.floor(k / n), n), freqIndex(k % n, n)));
    const e = bins.get(rb);
    if (e) { e.want += exact.modeVariance[k]!; e.modes++; }
  }
  return {
    stdRelErr: sdMean / sd - 1,
    meanErrOverMc: Math.sqrt(err2) / Math.sqrt((D * sd * sd) / B),
    meanMaxErrInSd: errMax / sd,
    bins: [...bins.values()].map((e) => ({ ratio: e.got / e.want, tol: 0.05 + 4 / Math.sqrt(B * e.modes) })),
    B,
  };
}

function expectPass(c: ReturnType<typeof check>) {
  expect(Math.abs(c.stdRelErr)).toBeLessThan(0.03);
  expect(c.meanErrOverMc).toBeLessThan(1.3);
  expect(c.meanMaxErrInSd).toBeLessThan(5 / Math.sqrt(c.B));
  for (const b of c.bins) expect(Math.abs(b.ratio - 1)).toBeLessThan(b.tol);
}

const sigmas = geometricLadder(sigmaMaxFor(D, 1), 0.1 * noise, 100);

describe('annealed Langevin with the exact Gaussian score reproduces the closed-form posterior', { timeout: 180_000 }, () => {
  it('deconvolution: periodic Gaussian PSF, FWHM 3 px, σ_n = 0.1', () => {
    const op = convolutionOperator({ bands: 1, rows: n, cols: n, psfs: [gaussianPsf(3)] });
    const { prior, lik, exact, rng } = setup(op, 1);
    const res = annealedLangevin({ score: posteriorScore(prior, lik), size: D, chains: 128, sigmas, stepsPerLevel: 10, stepRatio: 1, rng });
    const c = check(res, exact);
    console.log('deconvolution', JSON.stringify({ ...c, bins: c.bins.map((b) => +b.ratio.toFixed(3)) }));
    expectPass(c);
    // The per-pixel 68 % interval covers the exact mean about as often as a posterior draw would.
    const iv = res.intervals[0]!;
    let cover = 0;
    for (let i = 0; i < D; i++) if (exact.mean[i]! >= iv.lower[i]! && exact.mean[i]! <= iv.upper[i]!) cover++;
    expect(cover / D).toBeGreaterThan(0.6);
  });

  it('masked Fourier sampling: 30 % of the bins, random mask', () => {
    const mrng = new Rng(77);
    const op = fourierSamplingOperator(n, n, Array.from({ length: D }, (_, k) => (k === 0 || mrng.uniform() < 0.3 ? 1 : 0)));
    const { prior, lik, exact, rng } = setup(op, 2);
    const res = annealedLangevin({ score: posteriorScore(prior, lik), size: D, chains: 128, sigmas, stepsPerLevel: 10, stepRatio: 1, rng });
    const c = check(res, exact);
    // The CG posterior (generic path) agrees with the Fourier closed form here.
    const cg = gaussianPosteriorCg(prior, lik);
    for (let i = 0; i < D; i++) expect(Math.abs(cg.mean[i]! - exact.mean[i]!)).toBeLessThan(1e-6);
    console.log('fourier', JSON.stringify({ ...c, bins: c.bins.map((b) => +b.ratio.toFixed(3)) }));
    expectPass(c);
  });
});

describe('inpainting (generic per-pixel likelihood): no diagonal basis, exact answer by CG', { timeout: 180_000 }, () => {
  it('annealed Langevin reproduces the CG posterior mean and the non-uniform per-pixel std', () => {
    const prior = new GaussianPrior({ shape: [n, n], spectrum: powerLawSpectrum(n, n, { slope: 2, k0: 2 / n, pixelStd: 1 }) });
    const rng = new Rng(4);
    const keep = Array.from({ length: D }, () => rng.uniform() > 0.3);
    const truth = prior.sample(rng);
    const y = truth.map((v, i) => (keep[i] ? v + noise * rng.normal() : 0));
    const variance = Float64Array.from(keep, (k) => (k ? noise * noise : Infinity));
    const lik = new GaussianLikelihood(maskOperator([n, n], keep), y, { variance });
    const exact = gaussianPosteriorCg(prior, lik, { variances: true });
    const res = annealedLangevin({ score: posteriorScore(prior, lik), size: D, chains: 128, sigmas, stepsPerLevel: 10, stepRatio: 1, rng });
    const sdExact = exact.variance!.map(Math.sqrt);
    // MC level of the mean error: √(Σ_i var_i / B).
    let err2 = 0, mcVar = 0;
    for (let i = 0; i < D; i++) { err2 += (res.mean[i]! - exact.mean[i]!) ** 2; mcVar += exact.variance![i]! / 128; }
    const ratio = (sel: boolean) => {
      let a = 0, b = 0;
      for (let i = 0; i < D; i++) if (keep[i] === sel) { a += res.std[i]!; b += sdExact[i]!; }
      return a / b;
    };
    console.log('inpainting', JSON.stringify({ meanErrOverMc: Math.sqrt(err2 / mcVar), stdRatioMeasured: ratio(true), stdRatioMasked: ratio(false) }));
    expect(Math.sqrt(err2 / mcVar)).toBeLessThan(1.3);
    expect(Math.abs(ratio(true) - 1)).toBeLessThan(0.03);
    expect(Math.abs(ratio(false) - 1)).toBeLessThan(0.03);
    // The std map really is non-uniform: masked pixels are several times less certain.
    expect(sdExact.reduce((m, v, i) => (keep[i] ? m : Math.min(m, v)), Infinity)).toBeGreaterThan(1.5 * Math.max(...sdExact.filter((_, i) => keep[i])));
  });
});

describe('annealed HMC with the exact Gaussian score reproduces the closed-form posterior', { timeout: 180_000 }, () => {
  it('deconvolution: periodic Gaussian PSF, FWHM 3 px, σ_n = 0.1', () => {
    const op = convolutionOperator({ bands: 1, rows: n, cols: n, psfs: [gaussianPsf(3)] });
    const { prior, lik, exact, rng } = setup(op, 3);
    const res = annealedHmc({ score: posteriorScore(prior, lik), size: D, chains: 96, sigmas, stepsPerLevel: 2, leapfrogSteps: 5, rng });
    const c = check(res, exact);
    console.log('hmc', JSON.stringify({ ...c, bins: c.bins.map((b) => +b.ratio.toFixed(3)), acceptance: [res.acceptance[0], res.acceptance[50], res.acceptance[99]] }));
    expectPass(c);
    expect(Math.min(...res.acceptance)).toBeGreaterThan(0.5);
  });
});
