// `train --inject-into`: real cutouts (here a simulated non-lens chunk written as `lensdesk simulate`
// does) give untouched negatives and injected positives; a few training steps run end to end and
// the card records where the backgrounds came from and how sources were injected.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawInjection, DEFAULT_INJECTION } from '../../src-core/classify/inject';
import type { ModelCard } from '../../src-core/classify/card';
import { encodeSimulationFits } from '../../src-core/lens/fits-cube';
import { writeFits } from '../../src-core/fits';
import { simulateRange } from '../../src-core/lens/simulate';
import { Rng } from '../../src-core/rng';
import { tempDir } from '../../test/workspace-fixture';
import { selectBackend } from '../backend/select';
import type { CliIO } from '../cli/command';
import { trainCommand } from '../cli/commands/train';
import { runIngest } from '../../test/ingest-run';
import { openWorkspace } from '../store/workspace';
import { injectedTrainingData, listInjectSource } from './inject-data';

const t = tempDir('lensdesk-inject-');
const BANDS = ['g', 'r', 'i', 'z'];
const dir = join(t.dir, 'cutouts');
const SIZE = 25;
const batch = () => simulateRange({ preset: 'lsst', bands: BANDS, size: 31, lensFraction: 0 }, 5, 0, 6);

function io(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [], stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s), progress: () => undefined, signal: new AbortController().signal };
}

beforeAll(async () => {
  await selectBackend({ order: ['wasm'] });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cutouts-0-5.fits'), encodeSimulationFits(batch()));
});
afterAll(() => {
  t.cleanup();
  tf.disposeVariables();
});

describe('train --inject-into', () => {
  it('negatives are the cutouts untouched (centre crop); positives add exactly the drawn injection', async () => {
    const o = { ...DEFAULT_INJECTION, preset: 'lsst', bands: BANDS, size: SIZE, seed: 3, limit: Infinity };
    const data = injectedTrainingData(dir, o);
    expect(data.nCutouts).toBe(6);
    const b = batch();
    const plane = 31 * 31, n = SIZE * SIZE, off = 3;
    const crop = (k: number, band: number) => {
      const out = new Float32Array(n);
      for (let j = 0; j < SIZE; j++) for (let i = 0; i < SIZE; i++) out[j * SIZE + i] = b.images[(k * 4 + band) * plane + (j + off) * 31 + i + off]!;
      return out;
    };
    for await (const chunk of data.epoch(0)) {
      expect(chunk.labels).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
      for (let k = 0; k < 6; k++) {
        const planes = BANDS.map((_, band) => crop(k, band));
        const inj = drawInjection(planes, o, new Rng(3, k));
        for (let band = 0; band < 4; band++) {
          let sumAdded = 0;
          for (let p = 0; p < n; p++) {
            const neg = chunk.images[((2 * k) * n + p) * 4 + band]!, pos = chunk.images[((2 * k + 1) * n + p) * 4 + band]!;
            expect(neg).toBe(planes[band]![p]!);
            sumAdded += pos - neg;
          }
          expect(Math.abs(sumAdded / Number(inj.truth[`injected_flux_${BANDS[band]}`]) - 1)).toBeLessThan(1e-3);
        }
      }
    }
  });

  it('a workspace gives its stamp cutouts (optionally one catalog); an unknown catalog is refused', async () => {
    const wsDir = join(t.dir, 'ws');
    const ws = openWorkspace(wsDir);
    try {
      await runIngest(ws, { folder: dir, catalog: 'sim' });
    } finally {
      ws.close();
    }
    const all = listInjectSource(wsDir);
    expect(all.kind).toBe('workspace');
    expect(all.files).toHaveLength(6); // ingest writes one stamp file per cutout
    expect(listInjectSource(wsDir, 'sim').files).toEqual(all.files);
    expect(() => listInjectSource(wsDir, 'nope')).toThrow(/no catalog named 'nope'/);
    const data = injectedTrainingData(wsDir, { ...DEFAULT_INJECTION, preset: 'lsst', bands: BANDS, size: SIZE, seed: 3, limit: 4 });
    expect(data.nCutouts).toBe(4);
    expect((data.source as { kind: string }).kind).toBe('workspace');
  });

  it('trains a few steps end to end; the card documents the injected training set', { timeout: 240_000 }, async () => {
    const o = io();
    const out = join(t.dir, 'model');
    // Real-galaxy sources for half the injected galaxies: one stamp file (0.03″ pixels).
    const stamps = join(t.dir, 'galaxy-stamps');
    mkdirSync(stamps, { recursive: true });
    const g = Float32Array.from({ length: 41 * 41 }, (_, i) => Math.exp(-0.5 * (((i % 41) - 20) ** 2 / 30 + (Math.floor(i / 41) - 20) ** 2 / 8)));
    writeFileSync(join(stamps, 'gal.fits'), writeFits([{ kind: 'image', shape: [41, 41], data: g, cards: [{ keyword: 'PIXSCALE', value: 0.03 }] }]));
    const code = await trainCommand.run(['--inject-into', dir, '--size', String(SIZE), '--epochs', '1', '--batch', '4', '--val-fraction', '0.25', '--patience', '0', '--backend', 'wasm', '--out', out, '--json',
      '--source-stamps', stamps, '--source-stamp-fraction', '0.5'], o);
    expect(code).toBe(0);
    const card = JSON.parse(o.stdout.at(-1)!).card as ModelCard;
    expect(card.architecture.inputSize).toBe(SIZE);
    expect(card.trainingSet.nTrain + card.trainingSet.nValidation).toBe(12);
    expect(card.trainingSet.positiveFraction).toBeGreaterThan(0);
    const src = card.trainingSet.source as Record<string, unknown>;
    expect(src).toMatchObject({ injectInto: dir, kind: 'folder', nCutouts: 6, preset: 'lsst', quasarFraction: DEFAULT_INJECTION.quasarFraction, seed: 1 });
    expect(String(src.method)).toMatch(/negatives = the same cutouts untouched/);
    expect(card.trainingSet.description).toMatch(/injected \(50 % of galaxy sources from 1 real galaxy stamps\)/);
    expect(src.sourceStamps).toMatchObject({ stamps: 1, fraction: 0.5, path: stamps });
    await expect(trainCommand.run(['--simulate', 'lsst', '--source-stamps', stamps], io())).rejects.toThrow(/go with --inject-into/);
    await expect(trainCommand.run(['--inject-into', dir, '--simulate', 'lsst'], io())).rejects.toThrow(/one of --simulate/);
  });
});
