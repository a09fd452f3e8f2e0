// The evaluation harness against theory (mass-mapping.md §5a): on a Gaussian random field drawn from the
// prior spectrum with white noise, the measured RMSE of KS93 is σ_pix and that of the Wiener map is
// √[(1/N) Σ_k P_k σ²/(P_k + σ²)]; the Wiener map has the lowest RMSE; peaks and spectra are finite.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { fft2 } from '../math/fft';
import { evaluateOnMap } from './evaluate';
import { ARCMIN_RAD, ksKernel } from './ks93';
import { powerLawModeVariance } from './spectrum';

describe('evaluateOnMap', () => {
  it('KS and Wiener RMSE match their §5a expectations on a GRF; Wiener beats smoothed KS', () => {
    const n = 128, k = ksKernel(n, n, ARCMIN_RAD), P = powerLawModeVariance(k), rng = new Rng(9, 0);
    const re = new Float64Array(n * n), im = new Float64Array(n * n);
    for (let i = 0; i < re.length; i++) re[i] = rng.normal();
    fft2(re, im, n, n, false);
    for (let i = 0; i < re.length; i++) { re[i] = re[i]! * Math.sqrt(P[i]!); im[i] = im[i]! * Math.sqrt(P[i]!); }
    fft2(re, im, n, n, true);
    const truth = re.map((v) => v / (n * n));
    const r = evaluateOnMap(truth, n, n, P, { pixArcmin: 1, ngal: 30, sigmaE: 0.26, poisson: false, smoothArcmin: 2, seed: 4, margin: 0 });
    const s2 = 0.26 ** 2 / 30;
    const expW = Math.sqrt(P.reduce((a, p) => a + (p * s2) / (p + s2), 0) / (n * n));
    expect(r.noisePerPixel).toBeCloseTo(Math.sqrt(s2), 12);
    expect(Math.abs(r.ks.rmse / Math.sqrt(s2) - 1)).toBeLessThan(0.03);
    expect(Math.abs(r.wiener.rmse / expW - 1)).toBeLessThan(0.05);
    expect(r.wiener.rmse).toBeLessThan(r.ksSmoothed.rmse);
    expect(r.wiener.pearson).toBeGreaterThan(r.ksSmoothed.pearson);
    expect(r.wiener.method).toBe('closed form');
    // Raw KS keeps the noise power: its power exceeds the truth's at small scales; Wiener's falls below.
    const last = r.ell.length - 1;
    expect(r.ks.powerRatio[last]).toBeGreaterThan(2);
    expect(r.wiener.powerRatio[last]).toBeLessThan(1);
    expect(Number.isInteger(r.truePeaks)).toBe(true);
  });
});
