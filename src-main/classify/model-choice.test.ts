// Choosing the scoring model among several model folders with synthetic cards (the real bundled
// ones: bundled-choice.test.ts): --model, the workspace's active model, the bundled models; reasons and refusals.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/workspace-fixture';
import { bandMismatch, bundledModelOptions, chooseScoringModel, defaultBundledModel } from './model-choice';

const t = tempDir();
afterAll(() => t.cleanup());
const root = join(t.dir, 'models');
function card(name: string, bands: string[], pixelScale: number, inputSize: number, preset: string, base = root): string {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'card.json'), JSON.stringify({ name, pixelScale, architecture: { bands, inputSize }, trainingSet: { source: { simulator: { preset } } } }));
  return dir;
}
const lsst = card('m-lsst', ['g', 'r', 'i', 'z'], 0.2, 45, 'lsst');
const challenge = card('m-challenge', ['u', 'g', 'r', 'i'], 0.2, 101, 'challenge');
const des = card('m-des', ['g', 'r', 'i', 'z'], 0.263, 45, 'des');
mkdirSync(join(root, 'not-a-model')); // no card: ignored
const other = card('m-vis', ['VIS'], 0.1, 101, 'euclid', join(t.dir, 'elsewhere')); // a fine-tuned model outside models/
const shape = (bands: string[], pixelScale: number | null, size: number) => ({ bands, pixelScale, width: size, height: size });

describe('chooseScoringModel', () => {
  it('lists the folders with cards, by name', () => {
    expect(bundledModelOptions(root).map((m) => m.name)).toEqual(['m-challenge', 'm-des', 'm-lsst']);
  });
  it('picks by bands and pixel scale among the bundled models', () => {
    expect(chooseScoringModel({ survey: shape(['g', 'r', 'i', 'z'], 0.2, 45), root }).path).toBe(lsst);
    expect(chooseScoringModel({ survey: shape(['g', 'r', 'i', 'z'], 0.26, 45), root }).path).toBe(des);
    const c = chooseScoringModel({ survey: shape(['u', 'g', 'r', 'i', 'z'], 0.2, 101), root });
    expect(c.path).toBe(challenge);
    expect(c.reason).toMatch(/^m-challenge \(challenge\) for cutouts with bands u,g,r,i,z at 0\.2″\/px/);
  });
  it('keeps the active model when it fits, and says why it was passed over when it does not', () => {
    const active = chooseScoringModel({ survey: shape(['VIS'], 0.1, 101), root, active: other });
    expect(active).toEqual({ path: other, reason: expect.stringMatching(/^m-vis \(the workspace's active model\): bands VIS/) });
    const fallback = chooseScoringModel({ survey: shape(['g', 'r', 'i', 'z'], 0.2, 45), root, active: other });
    expect(fallback.path).toBe(lsst);
    expect(fallback.reason).toMatch(/the workspace's active model m-vis does not fit: it needs bands VIS/);
  });
  it('refuses a --model that does not fit, listing the bundled models that would', () => {
    expect(() => chooseScoringModel({ survey: shape(['g', 'r', 'i', 'z'], 0.2, 45), root, explicit: other })).toThrow(
      /--model m-vis cannot score these cutouts: it needs bands VIS, the cutouts have g,r,i,z.*bundled models that fit: m-des \(g,r,i,z\), m-lsst \(g,r,i,z\)/,
    );
    expect(chooseScoringModel({ survey: shape(['g', 'r', 'i', 'z'], 0.2, 45), root, explicit: lsst }).reason).toMatch(/^m-lsst \(given with --model\)/);
  });
  it('without models falls back to the placeholder, and without cutouts to the default survey\'s (lsst) model, not the first by name', () => {
    expect(chooseScoringModel({ survey: shape(['g'], 0.2, 45), root: join(t.dir, 'none') })).toEqual({ path: undefined, reason: expect.stringMatching(/placeholder/) });
    const none = chooseScoringModel({ survey: null, root });
    expect(none.path).toBe(lsst);
    expect(none.reason).toMatch(/^m-lsst \(the default bundled model, trained for lsst; no cutouts/);
    expect(defaultBundledModel(root)?.path).toBe(lsst);
    // No lsst model among them: the first by name.
    const r2 = join(t.dir, 'models2');
    const ch2 = card('m-challenge', ['u', 'g', 'r', 'i'], 0.2, 101, 'challenge', r2);
    card('m-des', ['g', 'r', 'i', 'z'], 0.263, 45, 'des', r2);
    expect(defaultBundledModel(r2)?.path).toBe(ch2);
    expect(defaultBundledModel(join(t.dir, 'none'))).toBeNull();
  });
});

describe('bandMismatch', () => {
  it('says what the cutout has, what the model needs and how to fix it', () => {
    expect(bandMismatch(['g', 'r', 'i', 'z', 'y'], ['g', 'r', 'i', 'z'], 'm')).toBeNull();
    const why = bandMismatch(['band1', 'band2', 'band3', 'band4'], ['g', 'r', 'i', 'z'], 'm-lsst')!;
    expect(why).toMatch(/^the cutout has bands band1,band2,band3,band4, m-lsst needs g,r,i,z \(missing g,r,i,z\)/);
    expect(why).toContain('lensdesk ingest FOLDER --bands g,r,i,z');
    expect(why).toContain('lensdesk score --bands g,r,i,z');
  });
});
