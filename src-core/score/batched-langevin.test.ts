// The batched (async prior) sampler against the closed-form Gaussian posterior, as the exact test of
// learned-priors.md §7 for the synchronous sampler: Gaussian prior's exact score behind a float32
// batch function, deconvolution by a periodic Gaussian PSF.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { convolutionOperator, gaussianPsf } from '../inverse/operators/convolution';
import { fourierSamplingOperator } from '../inverse/operators/fourier-sampling';
import type { LinearOperator } from '../inverse/operators/linear-operator';
import { GaussianPrior, powerLawSpectrum } from '../inverse/priors/gaussian';
import { FourierDiagonalLikelihood } from '../inverse/solvers/likelihood';
import { geometricLadder, sigmaMaxFor } from '../inverse/solvers/sigma-ladder';
import { wienerPosterior } from '../inverse/solvers/wiener';
import { annealedLangevinBatched } from './batched-langevin';

describe('annealedLangevinBatched', () => {
  const cases: Array<[string, (n: number) => LinearOperator]> = [
    ['deconvolution (periodic Gaussian PSF)', (n) => convolutionOperator({ bands: 1, rows: n, cols: n, psfs: [gaussianPsf(3)] })],
    // masked Fourier sampling (restore --op fourier): a random 35 % of the bins plus k = 0
    ['masked Fourier sampling', (n) => { const r = new Rng(4); return fourierSamplingOperator(n, n, Array.from({ length: n * n }, (_, k) => k === 0 || r.uniform() < 0.35)); }],
  ];
  it.each(cases)('reproduces the Wiener posterior mean and pixel std with an exact Gaussian prior score: %s', async (_name, makeOp) => {
    const n = 16, D = n * n, noise = 0.1, B = 128;
    const prior = new GaussianPrior({ shape: [n, n], spectrum: powerLawSpectrum(n, n, { slope: 2, k0: 2 / n, pixelStd: 1 }) });
    const rng = new Rng(11);
    const truth = prior.sample(rng);
    const op = makeOp(n);
    const y = op.apply(truth);
    for (let j = 0; j < y.length; j++) y[j] = y[j]! + noise * rng.normal();
    const lik = new FourierDiagonalLikelihood(op, y, noise * noise);
    const exact = wienerPosterior(prior, lik);
    let calls = 0;
    const x64 = new Float64Array(D), s64 = new Float64Array(D);
    const priorScore = async (x: Float32Array, sigma: number, chains: number) => {
      calls++;
      const out = new Float32Array(chains * D);
      for (let c = 0; c < chains; c++) {
        for (let i = 0; i < D; i++) x64[i] = x[c * D + i]!;
        prior.score(x64, sigma, s64);
        for (let i = 0; i < D; i++) out[c * D + i] = s64[i]!;
      }
      return out;
    };
    const sigmas = geometricLadder(sigmaMaxFor(D, 1), 0.1 * noise, 100);
    const res = await annealedLangevinBatched({ priorScore, likelihood: lik, size: D, chains: B, sigmas, stepsPerLevel: 10, stepRatio: 1, rng });
    expect(calls).toBe(100 * 10 + 1); // one batched call per step, plus Tweedie
    const sd = exact.pixelStd[0]!;
    const sdMean = res.std.reduce((s, v) => s + v, 0) / D;
    expect(Math.abs(sdMean / sd - 1)).toBeLessThan(0.03);
    let err2 = 0;
    for (let i = 0; i < D; i++) err2 += (res.mean[i]! - exact.mean[i]!) ** 2;
    expect(Math.sqrt(err2) / Math.sqrt((D * sd * sd) / B)).toBeLessThan(1.3);
  }, 400_000); // seconds on an idle core; the shared machine is often 10× slower
});
