import { describe, expect, it } from 'vitest';
import { Rng } from '../../src-core/rng';
import { zigguratNormal } from '../../src-core/lens/ziggurat';
import { initUnetWeights, peerUnetConfig, unetParams, type UnetConfig } from '../../src-core/score/unet-graph';
import { createUnetScorer, createUnetTrainer, unetInferenceOnnx } from './unet-engine';

const tiny: UnetConfig = { size: 8, channels: [4, 8, 8], groups: 2, embedFeatures: 4, embedWidth: 8, sigmaData: 0.3 };

function batch(cfg: UnetConfig, n: number, rng: Rng) {
  const d = cfg.size * cfg.size;
  const x = new Float32Array(n * d), eps = new Float32Array(n * d), sigma = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // a Gaussian blob at a random place: structured data the net can learn
    const cx = rng.range(2, cfg.size - 2), cy = rng.range(2, cfg.size - 2), w = rng.range(1, 2);
    for (let r = 0; r < cfg.size; r++) for (let c = 0; c < cfg.size; c++) x[i * d + r * cfg.size + c] = Math.exp(-((r - cy) ** 2 + (c - cx) ** 2) / (2 * w * w));
    sigma[i] = 0.05 * (20 ** rng.uniform());
  }
  for (let i = 0; i < eps.length; i++) eps[i] = zigguratNormal(rng);
  return { x, eps, sigma };
}

describe('score U-Net training graph', () => {
  it('has the PyTorch peer network\'s parameter count (32/64/128, GroupNorm 8, 32→128 σ embedding)', () => {
    // Counted from the peer's modules (score_prior_torch.py), independently of the graph builder.
    const E = 128;
    const res = (ci: number, co: number) => 2 * ci + (9 * ci * co + co) + (E * co + co) + 2 * co + (9 * co * co + co) + (ci !== co ? ci * co + co : 0);
    const expected = (32 * E + E) + (E * E + E) + (9 * 32 + 32) + res(32, 32) + res(32, 64) + res(64, 128) + res(128, 128) + res(192, 64) + res(96, 32) + (2 * 32 + 9 * 32 + 1);
    const count = unetParams(peerUnetConfig(0.2)).reduce((s, p) => s + p.dims.reduce((a, b) => a * b, 1), 0);
    expect(count).toBe(expected);
  });

  it('gradients match central finite differences on a tiny instance', async () => {
    const rng = new Rng(13, 1);
    const weights = initUnetWeights(unetParams(tiny), () => rng.uniform());
    // non-trivial norm affine parameters so their gradients are exercised off the identity
    for (const [name, w] of weights) if (/\.(n1|n2|0)\.(weight|bias)$/.test(name)) for (let i = 0; i < w.length; i++) w[i] += 0.3 * (rng.uniform() - 0.5);
    const trainer = await createUnetTrainer(tiny, weights, { threads: 1 });
    try {
      const { x, eps, sigma } = batch(tiny, 3, rng);
      const { grads } = await trainer.lossAndGrads(x, eps, sigma);
      let checked = 0;
      for (const p of trainer.params) {
        // directional derivative along a random unit direction of this tensor
        const w = weights.get(p.name)!, g = grads.get(p.name)!;
        const dir = Float32Array.from(w, () => zigguratNormal(rng));
        const norm = Math.hypot(...dir);
        for (let i = 0; i < dir.length; i++) dir[i] /= norm;
        let analytic = 0;
        for (let i = 0; i < w.length; i++) analytic += g[i] * dir[i];
        const h = 2e-3, orig = Float32Array.from(w);
        for (let i = 0; i < w.length; i++) w[i] = orig[i] + h * dir[i];
        const lp = (await trainer.lossAndGrads(x, eps, sigma)).loss;
        for (let i = 0; i < w.length; i++) w[i] = orig[i] - h * dir[i];
        const lm = (await trainer.lossAndGrads(x, eps, sigma)).loss;
        w.set(orig);
        const fd = (lp - lm) / (2 * h);
        expect(Math.abs(fd - analytic), `${p.name}: fd ${fd} vs analytic ${analytic}`).toBeLessThan(0.03 * Math.abs(analytic) + 2e-4);
        checked++;
      }
      expect(checked).toBe(trainer.params.length);
    } finally {
      await trainer.dispose();
    }
  }, 60_000);

  it('the inference graph gives the network the training loss sees', async () => {
    const rng = new Rng(13, 2);
    const weights = initUnetWeights(unetParams(tiny), () => rng.uniform());
    const trainer = await createUnetTrainer(tiny, weights, { threads: 1 });
    const scorer = await createUnetScorer(unetInferenceOnnx(tiny, weights), tiny.size, { threads: 1 });
    try {
      const { x, eps, sigma } = batch(tiny, 4, rng);
      const { perImage } = await trainer.lossAndGrads(x, eps, sigma);
      const d = tiny.size ** 2;
      const xn = Float32Array.from(x, (v, i) => v + sigma[Math.floor(i / d)] * eps[i]);
      const s = await scorer.score(xn, sigma);
      for (let b = 0; b < 4; b++) {
        let l = 0;
        for (let i = 0; i < d; i++) l += (sigma[b] * s[b * d + i] + eps[b * d + i]) ** 2;
        expect(l / d).toBeCloseTo(perImage[b], 4);
      }
    } finally {
      await trainer.dispose();
      await scorer.dispose();
    }
  }, 30_000);

  it('Adam on the training graph lowers the DSM loss', async () => {
    const rng = new Rng(13, 3);
    const weights = initUnetWeights(unetParams(tiny), () => rng.uniform());
    const trainer = await createUnetTrainer(tiny, weights, { threads: 1 });
    try {
      // a fixed evaluation batch, so the comparison is not noise from fresh draws
      const evalBatch = batch(tiny, 64, new Rng(13, 4));
      const before = (await trainer.lossAndGrads(evalBatch.x, evalBatch.eps, evalBatch.sigma)).loss;
      for (let t = 0; t < 150; t++) {
        const b = batch(tiny, 16, rng);
        await trainer.step(b.x, b.eps, b.sigma, 3e-3);
      }
      const after = (await trainer.lossAndGrads(evalBatch.x, evalBatch.eps, evalBatch.sigma)).loss;
      expect(after).toBeLessThan(0.8 * before);
    } finally {
      await trainer.dispose();
    }
  }, 60_000);
});
