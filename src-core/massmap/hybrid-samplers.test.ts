// The hybrid samplers on the exact Gaussian test of learned-priors.md §7: with r_θ = 0 the posterior is the
// Wiener filter's, known per Fourier mode, and the samples must reproduce its mean and its per-mode variance.
// 'diffusion' (the default for white noise without mask: src-core/score/denoise-diffusion.ts) must give the
// untempered posterior itself; 'pcn' (src-core/score/pcn-langevin.ts) the tempered target of its last level.
// The noise level is the κTNG evaluation's (σ_pix = 0.164, 0.29′ pixels).
import { describe, expect, it } from 'vitest';
import { fft2 } from '../math/fft';
import { Rng } from '../rng';
import { diffusionLadder, sampleHybrid } from './hybrid';
import { hybridReference } from './hybrid-reference';
import { gaussianRandomField } from './kappa-fields';
import { ARCMIN_RAD, ksKernel, shearFromKappa } from './ks93';
import { powerLawModeVariance } from './spectrum';
import { wienerFilter, wienerWhite } from './wiener';

const N = 32, n = N * N, sigmaPix = 0.164;
const k = ksKernel(N, N, 0.29 * ARCMIN_RAD);
const P = powerLawModeVariance(k);

function noisyShear(seed: number, variance: Float64Array) {
  const rng = new Rng(seed, 7);
  const truth = gaussianRandomField(N, P, rng);
  const { g1, g2 } = shearFromKappa(k, truth);
  for (let i = 0; i < n; i++) {
    const s = Number.isFinite(variance[i]!) ? Math.sqrt(variance[i]!) : 0;
    g1[i] = Number.isFinite(variance[i]!) ? g1[i]! + s * rng.normal() : 0;
    g2[i] = Number.isFinite(variance[i]!) ? g2[i]! + s * rng.normal() : 0;
  }
  return { g1, g2 };
}

/** |ℓ| bins (log-spaced, 5) over the non-zero modes. */
function bins(): Int32Array {
  const b = new Int32Array(n).fill(-1);
  let lo = Infinity, hi = 0;
  for (let i = 1; i < n; i++) { lo = Math.min(lo, k.ell[i]!); hi = Math.max(hi, k.ell[i]!); }
  for (let i = 1; i < n; i++) b[i] = Math.min(4, Math.floor((5 * Math.log(k.ell[i]! / lo)) / Math.log((hi * 1.0001) / lo)));
  return b;
}

/** Per |ℓ| bin: mean over samples of Σ|x̂ − m̂|²/n (unitary DFT) and Σ c_k over the bin's modes. */
function binnedVariance(samples: readonly Float64Array[], mean: Float64Array, c: Float64Array) {
  const b = bins(), got = new Float64Array(5), want = new Float64Array(5), modes = new Float64Array(5);
  const re = new Float64Array(n), im = new Float64Array(n);
  for (const s of samples) {
    for (let i = 0; i < n; i++) { re[i] = s[i]! - mean[i]!; im[i] = 0; }
    fft2(re, im, N, N, false);
    for (let i = 1; i < n; i++) got[b[i]!] = got[b[i]!]! + (re[i]! ** 2 + im[i]! ** 2) / n / samples.length;
  }
  for (let i = 1; i < n; i++) { want[b[i]!] = want[b[i]!]! + c[i]!; modes[b[i]!] = modes[b[i]!]! + 1; }
  return { got, want, modes };
}

describe('hybrid prior: samplers on the exact Gaussian posterior (r_θ = 0)', () => {
  it('diffusion (default, white noise): exact Wiener posterior draws — mean within MC error, per-mode variance P τ/(P + τ), pixel std', async () => {
    const variance = new Float64Array(n).fill(sigmaPix ** 2);
    const { g1, g2 } = noisyShear(3, variance);
    const w = wienerWhite(k, g1, g2, sigmaPix ** 2, P);
    const B = 96;
    const res = await sampleHybrid({ kernel: k, g1, g2, variance, modeVariance: P, residual: null, chains: B, rng: new Rng(5, 4) });
    expect(res.samples.length).toBe(B);
    let err2 = 0, std2 = 0;
    for (let i = 0; i < n; i++) { err2 += (res.mean[i]! - w.kappa[i]!) ** 2; std2 += res.std[i]! ** 2 / n; }
    expect(Math.sqrt(err2 / ((n * w.pixelStd ** 2) / B))).toBeLessThan(1.3);
    const post = P.map((p) => (p * sigmaPix ** 2) / (p + sigmaPix ** 2));
    const { got, want, modes } = binnedVariance(res.samples, w.kappa, post);
    for (let j = 0; j < 5; j++) expect(Math.abs(got[j]! / want[j]! - 1)).toBeLessThan(0.05 + 4 / Math.sqrt(B * modes[j]!));
    // pixel std of P τ/(P + τ) without P_0 (the mean is unmeasured and the samples are zero-mean)
    let c = 0;
    for (let i = 1; i < n; i++) c += post[i]! / n;
    expect(Math.abs(Math.sqrt(std2 / c) - 1)).toBeLessThan(0.03);
  }, 120000);

  it('diffusion is refused for a masked or non-white grid', async () => {
    const variance = new Float64Array(n).fill(sigmaPix ** 2);
    variance[5] = Infinity;
    await expect(sampleHybrid({ kernel: k, g1: new Float64Array(n), g2: new Float64Array(n), variance, modeVariance: P, residual: null, chains: 2, rng: new Rng(1, 1), sampler: 'diffusion' })).rejects.toThrow(/white noise without a mask/);
  });

  it('pcn, white noise, no mask: the mean is the Wiener filter within MC error, the per-mode variance the exact one, the pixel std the closed form', async () => {
    const variance = new Float64Array(n).fill(sigmaPix ** 2);
    const { g1, g2 } = noisyShear(3, variance);
    const w = wienerWhite(k, g1, g2, sigmaPix ** 2, P);
    const B = 96;
    const res = await sampleHybrid({ kernel: k, g1, g2, variance, modeVariance: P, residual: null, chains: B, rng: new Rng(5, 3), sampler: 'pcn' });
    expect(res.samples.length).toBe(B);
    // target of the last level: the tempered Gaussian posterior, C_k(σ_L) per mode, mean m_σL
    const ref = hybridReference(k, g1, g2, variance, P), sL = res.sigmas[res.sigmas.length - 1]!;
    const target = ref.at(sL), cL = ref.modeVariance(sL);
    let err2 = 0, wmax = 0;
    for (let i = 0; i < n; i++) {
      err2 += (res.mean[i]! - w.kappa[i]!) ** 2;
      wmax = Math.max(wmax, Math.abs(w.kappa[i]!));
    }
    // check 2 of §7: ‖m̂ − m_post‖ against √(D σ_post²/B)
    const ratio = Math.sqrt(err2 / ((n * w.pixelStd ** 2) / B));
    expect(ratio).toBeLessThan(1.3);
    expect(wmax).toBeGreaterThan((5 * w.pixelStd) / Math.sqrt(B));
    // check 3: per |ℓ| bin, mean |x̂ − m̂|² over samples against Σ C_k(σ_L), within 5 % + 4/√(B·modes)
    const { got, want, modes } = binnedVariance(res.samples, target.mean, cL);
    for (let j = 0; j < 5; j++) expect(Math.abs(got[j]! / want[j]! - 1)).toBeLessThan(0.05 + 4 / Math.sqrt(B * modes[j]!));
    // the largest scales carry a posterior std far above σ_L: the bins test the slow modes
    expect(cL[1]!).toBeGreaterThan(100 * sL * sL);
    // check 1: the reported pixel std (tempering excess removed) against the closed form, 3 %
    let std2 = 0;
    for (let i = 0; i < n; i++) std2 += res.std[i]! ** 2 / n;
    expect(Math.abs(Math.sqrt(std2) / w.pixelStd - 1)).toBeLessThan(0.03);
  }, 120000);

  it('pcn: several samples per chain at the last level are posterior draws too (mean and pixel std)', async () => {
    const variance = new Float64Array(n).fill(sigmaPix ** 2);
    const { g1, g2 } = noisyShear(4, variance);
    const w = wienerWhite(k, g1, g2, sigmaPix ** 2, P);
    const res = await sampleHybrid({ kernel: k, g1, g2, variance, modeVariance: P, residual: null, chains: 8, samplesPerChain: 12, thin: 3, rng: new Rng(6, 3), sampler: 'pcn' });
    expect(res.samples.length).toBe(96);
    let err2 = 0, std2 = 0;
    for (let i = 0; i < n; i++) { err2 += (res.mean[i]! - w.kappa[i]!) ** 2; std2 += res.std[i]! ** 2 / n; }
    // ρ³ = 1/27 between kept draws: nearly independent
    expect(Math.sqrt(err2 / ((n * w.pixelStd ** 2) / 96))).toBeLessThan(1.4);
    expect(Math.abs(Math.sqrt(std2) / w.pixelStd - 1)).toBeLessThan(0.05);
  }, 120000);

  it('pcn without the Metropolis test, masked, unequal noise: the mean converges to the messenger-field Wiener map (the drift carries the mask; with the test, acceptance is too low to mix in 60 steps)', async () => {
    const rng = new Rng(9, 1);
    const variance = Float64Array.from({ length: n }, () => (rng.uniform() < 0.1 ? Infinity : sigmaPix ** 2 * (0.5 + rng.uniform())));
    const { g1, g2 } = noisyShear(5, variance);
    const w = wienerFilter(k, g1, g2, { modeVariance: P, variance, tol: 1e-9 });
    expect(w.converged).toBe(true);
    const B = 64;
    const res = await sampleHybrid({ kernel: k, g1, g2, variance, modeVariance: P, residual: null, chains: B, finalSteps: 60, rng: new Rng(7, 3), sampler: 'pcn', metropolis: false });
    let err2 = 0, v = 0, wmean = 0;
    for (let i = 0; i < n; i++) wmean += w.kappa[i]! / n;
    for (let i = 0; i < n; i++) { err2 += (res.mean[i]! - (w.kappa[i]! - wmean)) ** 2; v += res.std[i]! ** 2; }
    expect(Math.sqrt(err2 / (v / B))).toBeLessThan(1.4);
    // masked pixels are less constrained than observed ones
    let sm = 0, nm = 0, so = 0, no = 0;
    for (let i = 0; i < n; i++) if (Number.isFinite(variance[i]!)) { so += res.std[i]!; no++; } else { sm += res.std[i]!; nm++; }
    expect(sm / nm).toBeGreaterThan(so / no);
  }, 120000);
});

describe('hybrid prior: Gibbs data augmentation (masks, unequal noise; r_θ = 0)', () => {
  // low noise (σ = 0.03) and an 8 × 8 hole plus 10 % random masked pixels: the masked region matters, and a
  // chain that has not mixed (1 sweep from κ = 0) fails the mean check
  const gibbsCase = async (sweeps: number) => {
    const rng = new Rng(9, 1), s0 = 0.03;
    const variance = Float64Array.from({ length: n }, (_, i) => {
      const r = Math.floor(i / N), c = i % N;
      return (r >= 10 && r < 18 && c >= 12 && c < 20) || rng.uniform() < 0.1 ? Infinity : s0 ** 2 * (0.5 + rng.uniform());
    });
    const { g1, g2 } = noisyShear(5, variance);
    const w = wienerFilter(k, g1, g2, { modeVariance: P, variance, tol: 1e-10, maxIter: 5000 });
    expect(w.converged).toBe(true);
    const B = 64;
    const res = await sampleHybrid({ kernel: k, g1, g2, variance, modeVariance: P, residual: null, chains: B, sweeps, rng: new Rng(7, 5), sampler: 'gibbs' });
    let err2 = 0, v = 0, wmean = 0;
    for (let i = 0; i < n; i++) wmean += w.kappa[i]! / n;
    for (let i = 0; i < n; i++) { err2 += (res.mean[i]! - (w.kappa[i]! - wmean)) ** 2; v += res.std[i]! ** 2; }
    let sm = 0, nm = 0, so = 0, no = 0;
    for (let i = 0; i < n; i++) if (Number.isFinite(variance[i]!)) { so += res.std[i]!; no++; } else { sm += res.std[i]!; nm++; }
    return { res, ratio: Math.sqrt(err2 / (v / B)), stdRatio: sm / nm / (so / no) };
  };

  it('converges to the messenger-field Wiener mean; masked pixels are less certain; one sweep is not enough', async () => {
    const good = await gibbsCase(16);
    expect(good.res.sampler).toBe('gibbs');
    expect(good.ratio).toBeLessThan(1.3);
    expect(good.stdRatio).toBeGreaterThan(1.1);
    const bad = await gibbsCase(1);
    expect(bad.ratio).toBeGreaterThan(1.5);
  }, 120000);
});

describe('hybrid diffusion with little noise', () => {
  it('noise below the ladder\'s σ_min: one step to 0, still the exact Wiener posterior (mean and pixel std); σ = 0 refused', async () => {
    const s = 0.002, variance = new Float64Array(n).fill(s * s);
    const { g1, g2 } = noisyShear(4, variance);
    const w = wienerWhite(k, g1, g2, s * s, P);
    const B = 64;
    const res = await sampleHybrid({ kernel: k, g1, g2, variance, modeVariance: P, residual: null, chains: B, rng: new Rng(5, 6) });
    expect(Array.from(res.sigmas)).toEqual([s]);
    let err2 = 0, std2 = 0, c = 0;
    for (let i = 0; i < n; i++) { err2 += (res.mean[i]! - w.kappa[i]!) ** 2; std2 += res.std[i]! ** 2 / n; }
    expect(Math.sqrt(err2 / ((n * w.pixelStd ** 2) / B))).toBeLessThan(1.3);
    for (let i = 1; i < n; i++) c += (P[i]! * s * s) / (P[i]! + s * s) / n;
    expect(Math.abs(Math.sqrt(std2 / c) - 1)).toBeLessThan(0.05);
    expect(diffusionLadder(0.164, 0.003, 8)).toHaveLength(8);
    expect(() => diffusionLadder(0, 0.003, 8)).toThrow(/pixel noise σ = 0 is not positive/);
  }, 120000);
});
