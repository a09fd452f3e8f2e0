// The hybrid κ prior's training options added for issue 15: the network fed the Gaussian part's posterior mean
// (x̃ + σ²s_G, the Wiener-denoised map) instead of x̃, and extra training draws near one σ (`--sigma-focus`).
// What must hold: the input is that map (checked per Fourier mode); the training graph, fed through the
// residual shift, computes exactly the DSM loss of the total score s_G + r_θ(input(x̃)) that the samplers use;
// the scorer every sampler gets applies the same input; the σ draws stay in range and the focus band.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writePowerTable } from '../../test/power-table';
import { Rng } from '../../src-core/rng';
import { initUnetWeights, unetParams, type UnetConfig } from '../../src-core/score/unet-graph';
import { zigguratNormal } from '../../src-core/lens/ziggurat';
import { createKappaResidualScorer, gaussianScoreFor, kappaNetworkInput, kappaTrainingSet, type KappaResidualCard } from './kappa-training';
import { drawTrainingSigma, SIGMA_FOCUS_FACTOR, shiftForResidual } from './train-prior';
import { createUnetScorer, createUnetTrainer, unetInferenceOnnx } from './unet-engine';

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-kappa-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const powerTable = (): string => writePowerTable(dir);

const S = 16, d = S * S;

describe('hybrid κ prior: Gaussian-mean network input', () => {
  it('is x̃ · P_k/(P_k + σ²) on a Fourier mode, and the mean is kept', () => {
    const k = kappaTrainingSet({ maps: [], heldOutMaps: [], ps: powerTable(), pixArcmin: 1, size: S, crops: 0, lognormal: 2, gaussian: 0, seed: 1, input: 'gaussian-mean' });
    const card = k.residual.card as unknown as KappaResidualCard;
    expect(card.input).toBe('gaussian-mean');
    const input = kappaNetworkInput(card, S)!;
    const P = gaussianScoreFor(card, S, S).P;
    const sigma = 0.05, kx = 3, ky = 2, mode = ky * S + kx;
    const x = Float32Array.from({ length: d }, (_, i) => 0.7 + Math.cos((2 * Math.PI * (kx * (i % S) + ky * Math.floor(i / S))) / S));
    const out = input(x, Float32Array.of(sigma));
    const w = P[mode]! / (P[mode]! + sigma * sigma);
    expect(w).toBeGreaterThan(0.05);
    expect(w).toBeLessThan(0.95);
    for (let i = 0; i < d; i++) expect(out[i]!).toBeCloseTo(0.7 + w * (x[i]! - 0.7), 5);
    // the first models saw x̃ itself: no transform
    expect(kappaNetworkInput({ ...card, input: undefined }, S)).toBeUndefined();
    expect(kappaNetworkInput({ ...card, input: 'noisy' }, S)).toBeUndefined();
  });

  it('the training graph fed through the residual shift computes the DSM loss of s_G + r_θ(input(x̃)), as the samplers score it', async () => {
    const k = kappaTrainingSet({ maps: [], heldOutMaps: [], ps: powerTable(), pixArcmin: 1, size: S, crops: 0, lognormal: 4, gaussian: 0, seed: 2, input: 'gaussian-mean' });
    const cfg: UnetConfig = { size: S, channels: [8, 8, 8], groups: 8, embedFeatures: 8, embedWidth: 16, sigmaData: 0.03 };
    const weights = initUnetWeights(unetParams(cfg), (() => { const r = new Rng(5, 1); return () => r.uniform(); })());
    const n = 3, rng = new Rng(6, 1);
    const x = k.data.images.slice(0, n * d), eps = Float32Array.from({ length: n * d }, () => zigguratNormal(rng)), sigma = Float32Array.of(0.01, 0.05, 0.2);
    const xNoisy = x.map((v, i) => v + sigma[Math.floor(i / d)]! * eps[i]!);
    const xs = Float32Array.from(x), es = Float32Array.from(eps);
    shiftForResidual(k.residual, xs, es, sigma, d);
    const trainer = await createUnetTrainer(cfg, weights, { threads: 1 });
    const scorer = await createKappaResidualScorer({ card: { config: cfg, residualOf: k.residual.card }, weights }, S, 1);
    const plain = await createUnetScorer(unetInferenceOnnx(cfg, weights), S, { threads: 1 });
    try {
      const { perImage } = await trainer.lossAndGrads(xs, es, sigma);
      const r = await scorer.score(xNoisy, sigma);
      const sG = gaussianScoreFor(k.residual.card as unknown as KappaResidualCard, S, S), g = new Float64Array(d);
      for (let b = 0; b < n; b++) {
        const s = sigma[b]!;
        sG.score(xNoisy.subarray(b * d, (b + 1) * d), s, g);
        let l = 0;
        for (let i = 0; i < d; i++) l += (eps[b * d + i]! + s * (g[i]! + r[b * d + i]!)) ** 2;
        expect(perImage[b]!).toBeCloseTo(l / d, 3);
      }
      // the residual scorer feeds the Gaussian mean, not x̃: it differs from the plain network on x̃ …
      const onNoisy = await plain.score(xNoisy, sigma);
      expect(Math.max(...onNoisy.map((v, i) => Math.abs(v - r[i]!)))).toBeGreaterThan(1e-3);
      // … and equals the plain network on the transformed map
      const onMean = await plain.score(kappaNetworkInput(k.residual.card as unknown as KappaResidualCard, S)!(xNoisy, sigma), sigma);
      for (let i = 0; i < n * d; i += 37) expect(onMean[i]!).toBeCloseTo(r[i]!, 4);
    } finally {
      await trainer.dispose();
      await scorer.dispose();
      await plain.dispose();
    }
  }, 120_000);
});

describe('training σ draws (--sigma-focus)', () => {
  it('are log-uniform over the range without a focus, and put the focus fraction within its band', () => {
    const rng = new Rng(9, 1), n = 20000, lo = 0.003, hi = 0.3;
    let below = 0;
    for (let i = 0; i < n; i++) {
      const s = drawTrainingSigma(rng, lo, hi);
      expect(s).toBeGreaterThanOrEqual(lo);
      expect(s).toBeLessThanOrEqual(hi);
      if (s < 0.03) below++; // log-uniform: half of the draws below the geometric middle
    }
    expect(Math.abs(below / n - 0.5)).toBeLessThan(0.02);
    const focus = { sigma: 0.164, fraction: 0.5 };
    let inBand = 0;
    for (let i = 0; i < n; i++) {
      const s = drawTrainingSigma(rng, lo, hi, focus);
      if (s >= focus.sigma / SIGMA_FOCUS_FACTOR && s <= focus.sigma * SIGMA_FOCUS_FACTOR) inBand++;
    }
    // the focus half, plus the log-uniform half's own share of the band (ln 2.25 / ln 100 = 17.6 %)
    const expected = 0.5 + 0.5 * Math.log(SIGMA_FOCUS_FACTOR ** 2) / Math.log(hi / lo);
    expect(Math.abs(inBand / n - expected)).toBeLessThan(0.02);
  });
});
