// `lensdesk evaluate` on a tiny model (random CMUDeepLens weights, 25×25 g,r,i,z) and a 12-cutout
// simulated set written as `lensdesk simulate` chunk files; `train --set` reads the same chunks.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD_FORMAT, type ModelCard } from '../../../src-core/classify/card';
import { buildCmuDeepLens, countTrainableParams } from '../../../src-core/classify/model';
import { DEFAULT_RECIPE } from '../../../src-core/classify/train';
import { encodeSimulationFits } from '../../../src-core/lens/fits-cube';
import { simulateRange } from '../../../src-core/lens/simulate';
import { tempDir } from '../../../test/workspace-fixture';
import { selectBackend } from '../../backend/select';
import { saveModelDir } from '../../classify/model-files';
import { readSimChunk } from '../../classify/sim-set';
import type { CliIO } from '../command';
import { evaluateCommand } from './evaluate';
import { metricsCommand } from './metrics';
import { trainCommand } from './train';

const t = tempDir('lensdesk-evaluate-');
const BANDS = ['g', 'r', 'i', 'z'];
const CFG = { preset: 'lsst', bands: BANDS, size: 25 };
const SEED = 11;
const modelDir = join(t.dir, 'model');
const setDir = join(t.dir, 'set');

function io(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [], stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s), progress: () => undefined, signal: new AbortController().signal };
}

beforeAll(async () => {
  await selectBackend({ order: ['wasm'] });
  const model = buildCmuDeepLens({ size: 25, bands: 4, seed: 2 });
  const card: ModelCard = {
    format: CARD_FORMAT,
    name: 'tiny-eval',
    architecture: { name: 'CMUDeepLens', reference: 'test', inputSize: 25, bands: BANDS, trainableParams: countTrainableParams(model), output: 'logit' },
    pixelScale: 0.2,
    normalisation: { policy: 'asinh', bands: BANDS, scale: [30, 30, 30, 30], noiseMultiple: 3, fittedOn: 0 },
    trainingSet: { description: 'none', source: { simulator: CFG, seed: 10, count: 100 }, nTrain: 0, nValidation: 0, positiveFraction: 0 },
    training: { ...DEFAULT_RECIPE, backend: 'wasm' },
    metrics: { best: null, history: [], stoppedEarly: false },
    createdAt: '2026-01-01T00:00:00.000Z',
    software: {},
  };
  await saveModelDir(modelDir, model, card);
  model.dispose();
  mkdirSync(setDir, { recursive: true });
  for (const start of [0, 6]) {
    const b = simulateRange(CFG, SEED, start, 6);
    writeFileSync(join(setDir, `cutouts-${start}-${start + 5}.fits`), encodeSimulationFits(b));
  }
  writeFileSync(join(setDir, 'simulate.json'), JSON.stringify({ format: 'lensdesk-simulate/1', seed: SEED, n: 12, chunk: 6, config: CFG }));
});
afterAll(() => {
  t.cleanup();
  tf.disposeVariables();
});

describe('lensdesk evaluate', () => {
  it('reads chunk files exactly as simulated (pixels, band names, labels)', () => {
    const c = readSimChunk(join(setDir, 'cutouts-6-11.fits'));
    const b = simulateRange(CFG, SEED, 6, 6);
    expect(c).toMatchObject({ start: 6, count: 6, size: 25, bands: BANDS });
    expect(c.images).toEqual(b.images);
    expect(c.labels).toEqual(b.truths.map((x) => (x.is_lens ? 1 : 0)));
  });

  it('--set and --simulate give the same scores for the same cutouts; metrics agree with lensdesk metrics', { timeout: 60_000 }, async () => {
    const labels = simulateRange(CFG, SEED, 0, 12).truths.map((x) => (x.is_lens ? 1 : 0));
    expect(new Set(labels).size).toBe(2); // precondition: both classes present
    const a = io();
    const csvA = join(t.dir, 'a.csv');
    const plots = join(t.dir, 'plots');
    expect(await evaluateCommand.run(['--model', modelDir, '--set', setDir, '--json', '--roc', '--plots', plots, '--scores-csv', csvA, '--k', '1,5'], a)).toBe(0);
    const ra = JSON.parse(a.stdout[0]!);
    expect(ra).toMatchObject({ n: 12, nPositive: labels.filter(Boolean).length, set: { kind: 'set', seed: SEED, heldOut: true } });
    expect(Object.keys(ra.precisionAtK)).toEqual(['1', '5']);
    expect(ra.roc.fpr.at(-1)).toBe(1);
    expect(readFileSync(join(plots, 'roc.svg'), 'utf8')).toMatch(/^<svg[\s\S]*TPR0[\s\S]*<\/svg>/);
    expect(existsSync(join(plots, 'reliability.svg'))).toBe(true);
    const csvRows = readFileSync(csvA, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    expect(csvRows.map((r) => r[0])).toEqual(labels);

    const m = io();
    await metricsCommand.run(['--scores', csvA, '--json'], m);
    const rm = JSON.parse(m.stdout[0]!);
    for (const k of ['auroc', 'tpr0', 'tpr10', 'fprAtTpr50'] as const) expect(ra[k]).toBe(rm[k]);

    const b = io();
    const csvB = join(t.dir, 'b.csv');
    expect(await evaluateCommand.run(['--model', modelDir, '--simulate', 'lsst', '--count', '12', '--seed', String(SEED), '--json', '--scores-csv', csvB], b)).toBe(0);
    const rb = JSON.parse(b.stdout[0]!);
    expect(rb.set).toMatchObject({ kind: 'simulate', seed: SEED, heldOut: true });
    expect(readFileSync(csvB, 'utf8')).toBe(readFileSync(csvA, 'utf8'));

    // the training seed is flagged as not held out
    const c = io();
    await evaluateCommand.run(['--model', modelDir, '--simulate', 'lsst', '--count', '4', '--seed', '10', '--json'], c);
    expect(JSON.parse(c.stdout[0]!).set.heldOut).toBe(false);
    expect(c.stderr.join('\n')).toMatch(/not held out/);
    await expect(evaluateCommand.run(['--model', modelDir], io())).rejects.toThrow(/--set DIR or --simulate/);
  });

  it('breakdown: --set (TRUTH_JSON) and --simulate agree; --hard --write-card records it in the card', { timeout: 90_000 }, async () => {
    const a = io(), b = io();
    await evaluateCommand.run(['--model', modelDir, '--set', setDir, '--json', '--threads', '1'], a);
    await evaluateCommand.run(['--model', modelDir, '--simulate', 'lsst', '--count', '12', '--seed', String(SEED), '--json', '--threads', '1'], b);
    const ba = JSON.parse(a.stdout[0]!).breakdown, bb = JSON.parse(b.stdout[0]!).breakdown;
    expect(ba).toEqual(bb);
    const truths = simulateRange(CFG, SEED, 0, 12).truths;
    const kinds = truths.filter((x) => !x.is_lens).map((x) => String(x.kind));
    for (const k of new Set(kinds)) expect(ba.negatives[k].n).toBe(kinds.filter((x) => x === k).length);

    const h = io();
    expect(await evaluateCommand.run(['--model', modelDir, '--simulate', 'lsst', '--hard', '--count', '16', '--json', '--write-card', '--threads', '1'], h)).toBe(0);
    const rh = JSON.parse(h.stdout[0]!);
    expect(rh.set).toMatchObject({ kind: 'simulate-hard', seed: 9001 });
    const card = JSON.parse(readFileSync(join(modelDir, 'card.json'), 'utf8'));
    expect(card.name).toBe('tiny-eval'); // the rest of the card kept
    expect(card.heldOutEvaluations.hard.breakdown).toEqual(rh.breakdown);
    expect(card.heldOutEvaluations.hard.command).toMatch(/^lensdesk evaluate .*--hard/);
    const nNeg = Object.values(rh.breakdown.negatives as Record<string, { n: number }>).reduce((s, r) => s + r.n, 0);
    expect(nNeg).toBe(rh.nNegative);
    await expect(evaluateCommand.run(['--model', modelDir, '--set', setDir, '--hard'], io())).rejects.toThrow(/--hard goes with --simulate/);
  });

  it('train --set trains on the chunk files', { timeout: 60_000 }, async () => {
    const o = io();
    const out = join(t.dir, 'trained');
    expect(await trainCommand.run(['--set', setDir, '--epochs', '1', '--batch', '4', '--val-fraction', '0.25', '--backend', 'wasm', '--out', out, '--json'], o)).toBe(0);
    const card = JSON.parse(o.stdout.at(-1)!).card as ModelCard;
    expect(card.architecture).toMatchObject({ inputSize: 25, bands: BANDS });
    expect(card.trainingSet.nTrain + card.trainingSet.nValidation).toBe(12);
    expect((card.trainingSet.source as { set: string }).set).toBe(setDir);
    expect(existsSync(join(out, 'weights.bin'))).toBe(true);
    expect(card.name).toBe('trained');
    // --name names the model; without it a trailing slash still gives the folder's name, not ''
    const n = io();
    expect(await trainCommand.run(['--set', setDir, '--epochs', '1', '--batch', '4', '--val-fraction', '0.25', '--backend', 'wasm', '--out', join(t.dir, 'named'), '--name', 'LSST trial 2', '--json'], n)).toBe(0);
    expect((JSON.parse(n.stdout.at(-1)!).card as ModelCard).name).toBe('LSST trial 2');
    expect(JSON.parse(readFileSync(join(t.dir, 'named', 'card.json'), 'utf8')).name).toBe('LSST trial 2');
    const sl = io();
    expect(await trainCommand.run(['--set', setDir, '--epochs', '1', '--batch', '4', '--val-fraction', '0.25', '--backend', 'wasm', '--out', join(t.dir, 'slashed') + '/', '--json'], sl)).toBe(0);
    expect((JSON.parse(sl.stdout.at(-1)!).card as ModelCard).name).toBe('slashed');
    await expect(trainCommand.run(['--set', setDir, '--out', join(t.dir, 'bad'), '--name', '../x'], io())).rejects.toThrow(/--name must be 1–80 letters/);
  });
});
