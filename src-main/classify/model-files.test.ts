import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD_FORMAT, type ModelCard } from '../../src-core/classify/card';
import { buildCmuDeepLens, lensProbabilities } from '../../src-core/classify/model';
import { DEFAULT_RECIPE } from '../../src-core/classify/train';
import { Rng } from '../../src-core/rng';
import { loadModelDir, saveModelDir } from './model-files';
import { loadCmuDeepLensScorer, stampsToInput } from './network-scorer';

const card = (size: number): ModelCard => ({
  format: CARD_FORMAT,
  name: 'test',
  architecture: { name: 'CMUDeepLens', reference: 'Lanusse et al. 2018', inputSize: size, bands: ['g', 'r'], trainableParams: 0, output: 'logit' },
  pixelScale: 0.2,
  normalisation: { policy: 'standardise', bands: ['g', 'r'], mean: [1, 2], std: [2, 4], clip: null, fittedOn: 1 },
  trainingSet: { description: 'none', source: {}, nTrain: 0, nValidation: 0, positiveFraction: 0 },
  training: { ...DEFAULT_RECIPE, backend: 'cpu' },
  metrics: { best: null, history: [], stoppedEarly: false },
  createdAt: '2026-11-25T00:00:00Z',
  software: {},
});

describe('model directory: model.json + weights.bin + card.json', () => {
  let dir: string;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'lensdesk-model-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('round-trips weights and card, in the standard tfjs layers format', async () => {
    const size = 16;
    const m = buildCmuDeepLens({ size, bands: 2, seed: 3 });
    await saveModelDir(join(dir, 'm'), m, card(size));
    const json = JSON.parse(await readFile(join(dir, 'm', 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const bytes = (await readFile(join(dir, 'm', 'weights.bin'))).length;
    expect(bytes).toBe(4 * m.getWeights().reduce((n, w) => n + w.size, 0));
    const { model, card: c } = await loadModelDir(join(dir, 'm'));
    expect(c.normalisation).toMatchObject({ std: [2, 4] });
    const x = tf.randomNormal([2, size, size, 2]) as tf.Tensor4D;
    const a = lensProbabilities(m, x).dataSync();
    const b = lensProbabilities(model, x).dataSync();
    expect([...b]).toEqual([...a]);
  });

  it('scores stamps through the card: band order by name, centre crop, normalisation; ORT = tfjs', async () => {
    const size = 16;
    const m = buildCmuDeepLens({ size, bands: 2, seed: 5 });
    await saveModelDir(join(dir, 's'), m, card(size));
    const rng = new Rng(1, 2);
    const plane = () => Float32Array.from({ length: 18 * 18 }, () => 2 + 3 * rng.normal());
    // stamp bands in the other order and 2 px larger: the scorer must reorder and crop
    const stamps = [0, 1].map(() => ({ width: 18, height: 18, bands: ['r', 'g'], planes: [plane(), plane()] }));
    const x = stampsToInput(stamps, card(size));
    // pixel (0,0) of stamp 0, band g = plane 1 at (1,1), normalised with mean 1, std 2
    expect(x[0]).toBeCloseTo((stamps[0].planes[1][1 * 18 + 1] - 1) / 2, 6);
    expect(x[1]).toBeCloseTo((stamps[0].planes[0][1 * 18 + 1] - 2) / 4, 6);
    const scorer = await loadCmuDeepLensScorer(join(dir, 's'));
    const p = await scorer.score(stamps);
    const ref = lensProbabilities(m, tf.tensor4d(x, [2, size, size, 2])).dataSync();
    for (let i = 0; i < 2; i++) expect(Math.abs(p[i] - ref[i])).toBeLessThan(1e-5);
    expect(() => stampsToInput([{ width: 15, height: 15, bands: ['g', 'r'], planes: [plane(), plane()] }], card(size))).toThrow(/centre-cropped/);
    expect(() => stampsToInput([{ width: 16, height: 16, bands: ['g', 'i'], planes: [plane(), plane()] }], card(size))).toThrow(/needs g,r/);
    await scorer.dispose();
  });
});
