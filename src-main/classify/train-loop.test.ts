// End-to-end training loop on the wasm backend with file checkpoints: a tiny learnable problem,
// then a run killed after epoch 1 and resumed must reproduce the uninterrupted run exactly.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabelledBatch, TrainingData } from '../../src-core/classify/train';
import { trainCmuDeepLens } from '../../src-core/classify/train';
import { Rng } from '../../src-core/rng';
import { selectBackend } from '../backend/select';
import { FileCheckpointStore } from './model-files';
import { ortTrainEngine } from './ort-train-engine';

const SIZE = 16;
const BANDS = 2;
const N = 40;

/** Noise cutouts; lenses (odd ids) carry a bright ring of radius 4 px in band 0. */
function toyData(): TrainingData {
  const make = (id: number) => {
    const rng = new Rng(99, id);
    const img = Float32Array.from({ length: SIZE * SIZE * BANDS }, () => rng.normal());
    if (id % 2) {
      for (let i = 0; i < SIZE; i++)
        for (let j = 0; j < SIZE; j++) if (Math.abs(Math.hypot(i - 7.5, j - 7.5) - 4) < 1) img[(i * SIZE + j) * BANDS] += 3;
    }
    return img;
  };
  return {
    size: SIZE,
    bands: ['g', 'r'],
    pixelScale: 0.2,
    description: 'toy rings',
    source: { test: true },
    async *epoch(): AsyncIterable<LabelledBatch> {
      for (let start = 0; start < N; start += 10) {
        const images = new Float32Array(10 * SIZE * SIZE * BANDS);
        const labels: number[] = [];
        for (let k = 0; k < 10; k++) {
          images.set(make(start + k), k * SIZE * SIZE * BANDS);
          labels.push((start + k) % 2);
        }
        yield { images, labels };
      }
    },
  };
}

const recipe = { epochs: 2, batchSize: 8, validationFraction: 0.25, seed: 4, earlyStoppingPatience: null, posWeight: 1 };

describe('trainCmuDeepLens on wasm with checkpoints', () => {
  let dir: string;
  beforeAll(async () => {
    await selectBackend({ order: ['wasm'] });
    dir = await mkdtemp(join(tmpdir(), 'lensdesk-train-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    tf.disposeVariables();
  });

  it('trains, checkpoints every epoch, and resumes a killed run to the same result', async () => {
    const full = await trainCmuDeepLens(toyData(), { recipe, store: new FileCheckpointStore(join(dir, 'a')), shuffleBuffer: 16 });
    expect(full.state.history).toHaveLength(2);
    expect(full.state.counts.nTrain + full.state.counts.nValidation).toBe(N);
    expect(full.state.counts.nValidation).toBeGreaterThan(0);
    expect(full.state.history[1].valLoss).not.toBeNull();
    expect((await readdir(join(dir, 'a'))).sort()).toEqual(['best', 'last']);

    // kill after epoch 1 (abort), then resume from the file checkpoint
    const ac = { aborted: false };
    const store = new FileCheckpointStore(join(dir, 'b'));
    await expect(
      trainCmuDeepLens(toyData(), { recipe, store, shuffleBuffer: 16, signal: ac, onEpoch: () => (ac.aborted = true) }),
    ).rejects.toThrow(/cancelled/);
    const resumed = await trainCmuDeepLens(toyData(), { recipe, store, shuffleBuffer: 16, resume: true });
    expect(resumed.state.history).toHaveLength(2);
    expect(resumed.state.history[0].trainLoss).toBe(full.state.history[0].trainLoss);
    expect(Math.abs(resumed.state.history[1].trainLoss / full.state.history[1].trainLoss - 1)).toBeLessThan(1e-6);
    expect(Math.abs(resumed.state.history[1].valLoss! / full.state.history[1].valLoss! - 1)).toBeLessThan(1e-6);
    full.model.dispose();
    resumed.model.dispose();
  });

  it('a cancel mid-epoch saves the steps made so far; the resumed run ends where the uninterrupted one does', async () => {
    const full = await trainCmuDeepLens(toyData(), { recipe, store: new FileCheckpointStore(join(dir, 'e')), shuffleBuffer: 16 });
    const ac = { aborted: false };
    const store = new FileCheckpointStore(join(dir, 'f'));
    await expect(
      trainCmuDeepLens(toyData(), { recipe, store, shuffleBuffer: 16, signal: ac, onStep: (p) => void (p.epoch === 1 && p.step === 2 && (ac.aborted = true)) }),
    ).rejects.toThrow(/cancelled in epoch 2/);
    const saved = await store.load('last');
    expect(saved!.state.epoch).toBe(1);
    expect(saved!.state.partial).toMatchObject({ epoch: 1, step: 2 });
    const steps: string[] = [];
    const resumed = await trainCmuDeepLens(toyData(), { recipe, store, shuffleBuffer: 16, resume: true, onStep: (p) => void steps.push(`${p.epoch}:${p.step}`) });
    expect(steps[0]).toBe('1:3'); // the two steps made before the cancel are not made again
    expect(resumed.state.history[0].trainLoss).toBe(full.state.history[0].trainLoss);
    expect(Math.abs(resumed.state.history[1].trainLoss / full.state.history[1].trainLoss - 1)).toBeLessThan(1e-6);
    expect(Math.abs(resumed.state.history[1].valLoss! / full.state.history[1].valLoss! - 1)).toBeLessThan(1e-6);
    expect(resumed.state.partial).toBeUndefined();
    full.model.dispose();
    resumed.model.dispose();
  });

  it('does the same on the onnxruntime engine: a killed run resumes from file checkpoints to the same result', async () => {
    const engine = ortTrainEngine({ threads: 1 }); // one thread: summation order fixed, results repeatable
    const full = await trainCmuDeepLens(toyData(), { recipe, engine, store: new FileCheckpointStore(join(dir, 'c')), shuffleBuffer: 16 });
    expect(full.state.recipe.backend).toBe('onnxruntime-cpu (1 thread)');
    expect(full.state.history).toHaveLength(2);
    expect(full.state.history[1].valLoss).not.toBeNull();
    const ac = { aborted: false };
    const store = new FileCheckpointStore(join(dir, 'd'));
    await expect(
      trainCmuDeepLens(toyData(), { recipe, engine, store, shuffleBuffer: 16, signal: ac, onEpoch: () => (ac.aborted = true) }),
    ).rejects.toThrow(/cancelled/);
    const resumed = await trainCmuDeepLens(toyData(), { recipe, engine, store, shuffleBuffer: 16, resume: true });
    expect(resumed.state.history[0].trainLoss).toBe(full.state.history[0].trainLoss);
    // epoch 2 starts from weights, Adam moments and BN statistics that went through the checkpoint files
    expect(Math.abs(resumed.state.history[1].trainLoss / full.state.history[1].trainLoss - 1)).toBeLessThan(1e-5);
    expect(Math.abs(resumed.state.history[1].valLoss! / full.state.history[1].valLoss! - 1)).toBeLessThan(1e-5);
    full.model.dispose();
    resumed.model.dispose();
  });
});
