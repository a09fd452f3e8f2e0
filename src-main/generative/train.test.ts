import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src-core/rng';
import { simulatedTrainingData } from './data';
import { loadFlowVae } from './load';
import { readFlowVaeModel } from './model-files';
import { sampleGalaxies } from './sample';
import { reobserve } from './reobserve';
import { writeFits } from '../../src-core/fits/writer';
import { writeFileSync } from 'node:fs';
import { trainFlowVae, type VaeTrainOptions } from './train';

const dir = mkdtempSync(join(tmpdir(), 'flowvae-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 16×16 stamps, 9-px PSF on the 32×32 decoder grid, a handful of steps: the mechanics, not the quality
const data = simulatedTrainingData({ preset: 'lsst', size: 16, count: 24, psfSize: 9, seed: 3, truthCount: 20 });
const base = (out: string, steps: number): VaeTrainOptions => ({ data, likelihood: 'psf', beta: 1, latent: 4, batch: 4, out, steps, learningRate: 1e-3, seed: 5, threads: 1, resume: false, checkpointEvery: 2 });

describe('Flow-VAE training run', () => {
  it('writes a model folder whose card has the ELBO per epoch and the moments test, and loads back', async () => {
    const out = join(dir, 'a');
    const card = await trainFlowVae(base(out, 12));
    for (const f of ['encoder.onnx', 'decoder.onnx', 'weights.bin', 'latent.json', 'card.json', 'README.md']) expect(existsSync(join(out, f)), f).toBe(true);
    // 24 stamps / 4 per step = 6 steps per epoch → 2 epochs in 12 steps
    expect(card.elboPerEpoch.map((e) => e.step)).toEqual([6, 12]);
    expect(card.momentsTest).toBeDefined();
    expect((card.momentsTest as { n: { truth: number } }).n.truth).toBeGreaterThan(15);
    expect(JSON.parse(readFileSync(join(out, 'latent.json'), 'utf8')).kind).toBe('realnvp') // the default second stage: the 'Flow' of Flow-VAE;
    const m = await loadFlowVae(out, { threads: 1 });
    try {
      expect(m.latentDim).toBe(4);
      expect(m.size).toBe(32);
      expect(m.pixelScale).toBeCloseTo(0.1, 12);
      const g = await m.decode(m.sampleLatent(3, new Rng(1, 1)), 3);
      expect(g.length).toBe(3 * 32 * 32);
      expect(g.every(Number.isFinite)).toBe(true);
    } finally {
      await m.dispose();
    }
  }, 120_000);

  it('a cancelled run resumes to the weights of an uninterrupted one', async () => {
    const straight = join(dir, 'straight'), split = join(dir, 'split');
    await trainFlowVae(base(straight, 6));
    const ac = new AbortController();
    await expect(trainFlowVae({ ...base(split, 6), signal: ac.signal, onProgress: (s) => { if (s === 3) ac.abort(); } })).rejects.toThrow(/stopped at step 3\/6.*--resume/);
    expect(existsSync(join(split, 'checkpoint.json'))).toBe(true);
    await expect(trainFlowVae(base(split, 6))).rejects.toThrow(/holds a checkpoint/);
    await trainFlowVae({ ...base(split, 6), resume: true });
    const a = readFlowVaeModel(straight).weights, b = readFlowVaeModel(split).weights;
    for (const [k, w] of a) expect(Array.from(b.get(k)!), k).toEqual(Array.from(w));
    await expect(trainFlowVae({ ...base(split, 6), resume: true, beta: 0.5 })).rejects.toThrow(/other options/);
  }, 120_000);

  it('samples render at another preset with its pixel scale, PSF and noise', async () => {
    const out = join(dir, 's.fits');
    const r = await sampleGalaxies({ model: join(dir, 'a'), n: 5, preset: 'euclid', seed: 1, noise: true, threads: 1, out });
    // 32 decoder pixels of 0.1″ = 3.2″ → 32 Euclid pixels of 0.1″, made odd
    expect(r.target.size).toBe(33);
    expect(r.target.pixelScale).toBe(0.1);
    expect(readFileSync(out).length % 2880).toBe(0);
  }, 60_000);

  it('re-observes a stamp at another preset, and refuses one at another pixel scale', async () => {
    const stamp = join(dir, 'stamp.fits'), wrong = join(dir, 'wrong.fits'), out = join(dir, 'reobs.fits');
    writeFileSync(stamp, writeFits([{ kind: 'image', shape: [16, 16], data: data.stamps.slice(0, 256), cards: [{ keyword: 'PIXSCALE', value: 0.2 }] }]));
    writeFileSync(wrong, writeFits([{ kind: 'image', shape: [16, 16], data: data.stamps.slice(0, 256), cards: [{ keyword: 'PIXSCALE', value: 0.263 }] }]));
    const r = await reobserve({ model: join(dir, 'a'), stamp, preset: 'euclid', seed: 1, out, threads: 1, sigma: data.sigma[0]! });
    expect(r.size).toBe(33);
    expect(r.sigma).toBe(data.sigma[0]!);
    expect(readFileSync(out).length % 2880).toBe(0);
    await expect(reobserve({ model: join(dir, 'a'), stamp: wrong, preset: 'euclid', seed: 1, out, threads: 1 })).rejects.toThrow(/wrong.fits: pixel scale 0.263″ differs/);
  }, 60_000);
});
