// Source reconstruction behind a lens (learned-priors.md §8) with a Gaussian source prior: annealed
// Langevin through the lensing operator (SIE + shear ray shooting, then PSF), tempered per image pixel
// with Σ + σ² (AAᵀ1) (likelihood.ts), against the exact posterior by conjugate gradients.
// Status (docs/learned-priors.md): with diag(AAᵀ) tempering the chains diverge (NaN); with the row-sum
// tempering they are stable, but with 128 chains × 100 levels × 10 steps the mean error is 3.4× the
// Monte-Carlo level and the pixel std +7 % — the PSF-suppressed modes do not settle, as §4 predicts for a
// Σ + σ²I-like tempering. So this test checks stability and a loose agreement only; the exact §7-style
// tolerances need exact tempering (CG on Σ + σ²AAᵀ) or a preconditioned sampler (not built yet).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../rng';
import { gaussianPsf } from '../operators/convolution';
import { deflectorsFromLensFit, lensingOperator } from '../operators/lensing';
import { GaussianPrior, powerLawSpectrum } from '../priors/gaussian';
import { annealedLangevin } from './annealed-langevin';
import { gaussianPosteriorCg } from './cg';
import { GaussianLikelihood } from './likelihood';
import { posteriorScore } from './posterior-score';
import { geometricLadder, sigmaMaxFor } from './sigma-ladder';

describe('source reconstruction through the lensing operator, Gaussian source prior (stability)', { timeout: 180_000 }, () => {
  it('annealed Langevin stays finite and lands near the CG posterior (loose)', () => {
    const ns = 16, D = ns * ns, noise = 0.1;
    const op = lensingOperator({
      imageRows: 25, imageCols: 25, pixelScale: 0.12, sourceRows: ns, sourceCols: ns, sourcePixelScale: 0.08,
      deflectors: deflectorsFromLensFit([1.0, 0.1, 0.05, 0.02, -0.03]), supersample: 2, psf: gaussianPsf(2.5),
    });
    const prior = new GaussianPrior({ shape: [ns, ns], spectrum: powerLawSpectrum(ns, ns, { slope: 2, k0: 2 / ns, pixelStd: 1 }) });
    const rng = new Rng(8);
    const truth = prior.sample(rng);
    const y = op.apply(truth).map((v) => v + noise * rng.normal());
    const lik = new GaussianLikelihood(op, y, { variance: noise * noise });
    const exact = gaussianPosteriorCg(prior, lik, { variances: true });
    const res = annealedLangevin({ score: posteriorScore(prior, lik), size: D, chains: 16, sigmas: geometricLadder(sigmaMaxFor(D, 1), 0.1 * noise, 60), stepsPerLevel: 10, stepRatio: 1, rng });
    let err2 = 0, mc = 0, sa = 0, sb = 0;
    for (let i = 0; i < D; i++) {
      err2 += (res.mean[i]! - exact.mean[i]!) ** 2;
      mc += exact.variance![i]! / 16;
      sa += res.std[i]!;
      sb += Math.sqrt(exact.variance![i]!);
    }
    console.log('lensing', JSON.stringify({ meanErrOverMc: Math.sqrt(err2 / mc), stdRatio: sa / sb, reached: op.sourcePixelsReached }));
    for (const smp of res.samples) for (const v of smp) expect(Number.isFinite(v)).toBe(true);
    // Loose: within a factor 1.5 in std and 10× the MC level in mean (a diverged or prior-only chain fails).
    expect(sa / sb).toBeGreaterThan(1 / 1.5);
    expect(sa / sb).toBeLessThan(1.5);
    expect(Math.sqrt(err2 / mc)).toBeLessThan(10);
  });
});
