import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../src-core/errors';
import { readScoreModel } from './model-files';
import { simulatedImages, trainScorePrior, type PriorTrainOptions } from './train-prior';
import { createUnetScorer } from './unet-engine';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'lensdesk-prior-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const base = (out: string): PriorTrainOptions => ({
  data: simulatedImages('galaxies', 16, 32, 5), size: 16, out, steps: 6, batch: 4, sigmas: [0.01, 4, 3],
  learningRate: 1e-3, seed: 5, threads: 1, resume: false, checkpointEvery: 100, evalImages: 8,
});

describe('prior train (score U-Net)', () => {
  it('writes a model folder whose ONNX, weights and card agree; an interrupted run resumes to the same weights', async () => {
    const full = tmp();
    const card = await trainScorePrior(base(full));
    expect(card.sigmaLadder).toHaveLength(3);
    expect(card.sigmaLadder[0]).toBeCloseTo(4, 10);
    expect(card.sigmaLadder[2]).toBeCloseTo(0.01, 10);
    for (const r of card.lossPerSigma) {
      expect(r.gaussianFloor).toBeGreaterThan(0);
      expect(r.gaussianFloor).toBeLessThan(1);
      expect(Number.isFinite(r.loss)).toBe(true);
    }
    // the floor falls with σ (Σ c_k/(c_k + σ²))
    expect(card.lossPerSigma[0]!.gaussianFloor).toBeLessThan(card.lossPerSigma[2]!.gaussianFloor);
    const model = readScoreModel(full);
    expect(model.card.steps).toBe(6);

    // interrupted after 2 steps (abort while step 3 is pending), then resumed
    const part = tmp();
    const ac = new AbortController();
    await expect(trainScorePrior({ ...base(part), signal: ac.signal, onProgress: (s) => { if (s === 2) ac.abort(); } })).rejects.toBeInstanceOf(CancelledError);
    await trainScorePrior({ ...base(part), resume: true });
    const resumed = readScoreModel(part);
    for (const [name, w] of model.weights) expect(Array.from(resumed.weights.get(name)!), name).toEqual(Array.from(w));

    // the stored ONNX scores with the stored weights: same output as a graph rebuilt from weights.bin
    const s1 = await createUnetScorer(model.onnx, 16, { threads: 1 });
    const s2 = await createUnetScorer(resumed.onnx, 16, { threads: 1 });
    try {
      const x = Float32Array.from({ length: 2 * 256 }, (_, i) => Math.sin(i));
      const sig = Float32Array.of(0.1, 1);
      expect(Array.from(await s2.score(x, sig))).toEqual(Array.from(await s1.score(x, sig)));
    } finally {
      await s1.dispose();
      await s2.dispose();
    }
  }, 120_000);

  it('a resume may change --steps: stop early (model written at the checkpoint step) or extend with the same stream', async () => {
    const full = tmp();
    await trainScorePrior(base(full));
    const part = tmp();
    const ac = new AbortController();
    await expect(trainScorePrior({ ...base(part), signal: ac.signal, onProgress: (s) => { if (s === 4) ac.abort(); } })).rejects.toBeInstanceOf(CancelledError);
    // finish now: no further step, the card says 4 steps
    const stopped = await trainScorePrior({ ...base(part), resume: true, steps: 2 });
    expect(stopped.steps).toBe(4);
    // extend to the original 6: the same weights as the uninterrupted run (warm-up kept from the first run)
    const extended = await trainScorePrior({ ...base(part), resume: true, steps: 6 });
    expect(extended.steps).toBe(6);
    const a = readScoreModel(full), b = readScoreModel(part);
    for (const [name, w] of a.weights) expect(Array.from(b.weights.get(name)!), name).toEqual(Array.from(w));
  }, 120_000);

  it('refuses to overwrite a checkpoint without --resume, and a resume with other options', async () => {
    const out = tmp();
    const ac = new AbortController();
    ac.abort();
    await expect(trainScorePrior({ ...base(out), signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
    await expect(trainScorePrior(base(out))).rejects.toThrow(/--resume/);
    await expect(trainScorePrior({ ...base(out), resume: true, batch: 3 })).rejects.toThrow(/other options/);
  }, 60_000);

  it('--init fine-tunes from a model at another image side (weights and config carried, card says so)', async () => {
    const first = tmp();
    await trainScorePrior({ ...base(first), steps: 2 });
    const m = readScoreModel(first);
    const init = { dir: first, config: m.card.config, weights: m.weights, steps: m.card.steps };
    // zero steps: the written model is exactly the initial weights, now at side 24
    const same = tmp();
    const c0 = await trainScorePrior({ ...base(same), data: simulatedImages('galaxies', 24, 8, 6), size: 24, steps: 0, init });
    expect(c0.config.size).toBe(24);
    expect(c0.config.sigmaData).toBe(m.card.config.sigmaData);
    expect(c0.initFrom).toEqual({ dir: first, steps: 2 });
    const w0 = readScoreModel(same).weights;
    for (const [name, w] of m.weights) expect(Array.from(w0.get(name)!), name).toEqual(Array.from(w));
    // two steps move the weights away from the initial ones
    const tuned = tmp();
    await trainScorePrior({ ...base(tuned), data: simulatedImages('galaxies', 24, 8, 6), size: 24, steps: 2, init });
    const w2 = readScoreModel(tuned).weights;
    expect(Array.from(w2.get('stem.weight')!)).not.toEqual(Array.from(m.weights.get('stem.weight')!));
    // a model of other widths does not fit
    await expect(trainScorePrior({ ...base(tmp()), steps: 1, init: { ...init, config: { ...m.card.config, channels: [8, 16, 32] } } })).rejects.toThrow(/do not fit/);
  }, 120_000);
});
