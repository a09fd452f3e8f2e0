import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../test/shared';
import { Rng } from '../../src-core/rng';
import { zigguratNormal } from '../../src-core/lens/ziggurat';
import { initUnetWeights } from '../../src-core/score/unet-graph';
import { decoderSide, vaeParams, type VaeConfig } from '../../src-core/generative/vae-graph';
import { gaussianPsf, observe } from '../../src-core/generative/observe';
import { createVaeCoder, createVaeTrainer, DECODE_BATCH, type VaeBatch } from './vae-engine';
import { readFlowVaeModel } from './model-files';

const BUNDLED = join(PROJECT_ROOT, 'models', 'generative', 'flowvae-lsst-32');

const tiny = (likelihood: 'psf' | 'plain'): VaeConfig => ({
  size: 8, likelihood, latent: 3, enc: [3, 4, 4], dec: likelihood === 'psf' ? [4, 3, 3, 2] : [4, 3, 2], psfSize: 5, batch: 3, beta: 0.7, fluxScale: 1,
});

function batchFor(cfg: VaeConfig, rng: Rng, zeroEps = false): VaeBatch {
  const { size: S, batch: B, latent: L, psfSize: K } = cfg;
  const x = new Float32Array(B * S * S), w = new Float32Array(B * S * S), logSigma = new Float32Array(B);
  for (let b = 0; b < B; b++) {
    const cx = rng.range(3, 5), cy = rng.range(3, 5), s = rng.range(0.8, 2);
    for (let i = 0; i < S * S; i++) x[b * S * S + i] = Math.exp(-(((i % S) - cx) ** 2 + (Math.floor(i / S) - cy) ** 2) / (2 * s * s)) + 0.1 * zigguratNormal(rng);
    const sig = rng.range(0.1, 0.3);
    logSigma[b] = Math.log(sig);
    for (let i = 0; i < S * S; i++) w[b * S * S + i] = i % 7 === 0 ? 0 : 1 / (sig * sig); // a few masked pixels
  }
  const eps = Float32Array.from({ length: B * L }, () => (zeroEps ? 0 : zigguratNormal(rng)));
  const psf = new Float32Array(B * K * K);
  // Gaussian + a random lopsided part: a flipped kernel (correlation instead of convolution) would show
  for (let b = 0; b < B; b++) {
    const g = gaussianPsf(1.5 + b, K);
    let sum = 0;
    for (let i = 0; i < K * K; i++) sum += g[i] = g[i]! + (i < K * 2 ? 0.1 * rng.uniform() : 0);
    for (let i = 0; i < K * K; i++) psf[b * K * K + i] = g[i]! / sum;
  }
  return { x, w, logSigma, eps, psf };
}

it('softplus decoder output: gradients match central differences and decoded light is positive', async () => {
  const cfg: VaeConfig = { ...tiny('psf'), output: 'softplus' };
  const rng = new Rng(23, 1);
  const weights = initUnetWeights(vaeParams(cfg), () => rng.uniform());
  const trainer = await createVaeTrainer(cfg, weights, { threads: 1 });
  const coder = await createVaeCoder(cfg, weights, { threads: 1 });
  try {
    const b = batchFor(cfg, rng);
    const { grads } = await trainer.lossAndGrads(b);
    for (const name of ['dec.out.weight', 'dec.out.bias', 'dec.c0.weight', 'enc.mu.weight']) {
      const w = weights.get(name)!, g = grads.get(name)!;
      const i = w.length >> 1, orig = w[i]!, h = 3e-3;
      w[i] = orig + h;
      const lp = (await trainer.lossAndGrads(b)).loss;
      w[i] = orig - h;
      const lm = (await trainer.lossAndGrads(b)).loss;
      w[i] = orig;
      const fd = (lp - lm) / (2 * h);
      expect(Math.abs(fd - g[i]!), `${name}[${i}]: fd ${fd} vs analytic ${g[i]}`).toBeLessThan(0.03 * Math.abs(fd) + 0.02);
    }
    const img = await coder.decode(Float32Array.from({ length: 2 * cfg.latent }, () => 3 * zigguratNormal(rng)), 2);
    expect(Math.min(...img)).toBeGreaterThan(0);
  } finally {
    await trainer.dispose();
    await coder.dispose();
  }
}, 60_000);

describe('Flow-VAE training graph', () => {
  for (const likelihood of ['psf', 'plain'] as const)
    it(`${likelihood} likelihood: every parameter's gradient of the β-ELBO matches central differences`, async () => {
      const cfg = tiny(likelihood);
      const rng = new Rng(21, likelihood === 'psf' ? 1 : 2);
      const weights = initUnetWeights(vaeParams(cfg), () => rng.uniform());
      const trainer = await createVaeTrainer(cfg, weights, { threads: 1 });
      try {
        const b = batchFor(cfg, rng);
        const { grads } = await trainer.lossAndGrads(b);
        for (const p of trainer.params) {
          const w = weights.get(p.name)!, g = grads.get(p.name)!;
          const dir = Float32Array.from(w, () => zigguratNormal(rng));
          const norm = Math.hypot(...dir);
          let analytic = 0;
          for (let i = 0; i < w.length; i++) analytic += (g[i]! * dir[i]!) / norm;
          const h = 3e-3, orig = Float32Array.from(w);
          for (let i = 0; i < w.length; i++) w[i] = orig[i]! + (h * dir[i]!) / norm;
          const lp = (await trainer.lossAndGrads(b)).loss;
          for (let i = 0; i < w.length; i++) w[i] = orig[i]! - (h * dir[i]!) / norm;
          const lm = (await trainer.lossAndGrads(b)).loss;
          w.set(orig);
          const fd = (lp - lm) / (2 * h);
          expect(Math.abs(fd - analytic), `${p.name}: fd ${fd} vs analytic ${analytic}`).toBeLessThan(0.03 * Math.abs(analytic) + 0.02);
        }
      } finally {
        await trainer.dispose();
      }
    }, 60_000);

  for (const likelihood of ['psf', 'plain'] as const)
    it(`${likelihood}: encoder/decoder graphs and the plain-code observation give the training loss (ε = 0)`, async () => {
      const cfg = tiny(likelihood);
      const rng = new Rng(22, 1);
      const weights = initUnetWeights(vaeParams(cfg), () => rng.uniform());
      const b = batchFor(cfg, rng, true);
      const trainer = await createVaeTrainer(cfg, weights, { threads: 1 });
      const coder = await createVaeCoder(cfg, weights, { threads: 1 });
      try {
        const { rec, kl, loss } = await trainer.lossAndGrads(b);
        const { mu, logvar } = await coder.encode(b.x, b.logSigma);
        const g = await coder.decode(mu, cfg.batch);
        const { size: S, latent: L, psfSize: K } = cfg, D = decoderSide(cfg);
        let total = 0;
        for (let n = 0; n < cfg.batch; n++) {
          const gi = g.subarray(n * D * D, (n + 1) * D * D);
          const m = likelihood === 'psf' ? observe(gi, D, b.psf!.subarray(n * K * K, (n + 1) * K * K), K) : gi;
          let r = 0;
          for (let i = 0; i < S * S; i++) r += 0.5 * b.w[n * S * S + i]! * (b.x[n * S * S + i]! - m[i]!) ** 2;
          let k = 0;
          for (let d = 0; d < L; d++) k += 0.5 * (mu[n * L + d]! ** 2 + Math.exp(logvar[n * L + d]!) - 1 - logvar[n * L + d]!);
          expect(rec[n]).toBeCloseTo(r, 1);
          expect(Math.abs(kl[n]! - k)).toBeLessThan(1e-4 * (1 + k));
          total += r + cfg.beta * k;
        }
        expect(Math.abs(loss - total / cfg.batch)).toBeLessThan(1e-4 * total);
      } finally {
        await trainer.dispose();
        await coder.dispose();
      }
    }, 30_000);

  it('the bundled decoder gives the same images whatever the decode batch (bit for bit)', async () => {
    // `galaxy sample` decodes DECODE_BATCH codes per call; the output must not depend on that choice
    const { card, weights } = readFlowVaeModel(BUNDLED);
    const rng = new Rng(5, 3);
    const n = 40, z = Float32Array.from({ length: n * card.config.latent }, () => zigguratNormal(rng));
    const outs: Float32Array[] = [];
    for (const decodeBatch of [256, DECODE_BATCH, 7]) {
      const coder = await createVaeCoder(card.config, weights, { threads: 1, decodeBatch });
      try {
        outs.push(await coder.decode(z, n));
      } finally {
        await coder.dispose();
      }
    }
    let peak = 0;
    for (const v of outs[0]!) peak = Math.max(peak, Math.abs(v));
    expect(peak).toBeGreaterThan(0);
    for (const o of outs.slice(1)) expect(o).toEqual(outs[0]);
  }, 30_000);
});
