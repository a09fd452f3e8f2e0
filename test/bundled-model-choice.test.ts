// Issue 18, "Bundle both trained models … choose the default by the survey's bands and pixel scale;
// say which model scored what". The real bundled cards: g,r,i,z 45-px 0.2″ cutouts (the demo's
// LSST survey) get cmudeeplens-lsst, u,g,r,i 101-px 0.2″ cutouts (the lens-finding challenge's
// ground layout) get cmudeeplens-challenge; with nothing to match, the demo's lsst model. Then the
// built CLI simulates, ingests and scores a small catalog of each into one workspace, and the
// database must record, per catalog, the model that fits it (each score row names its model).
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Backend } from '../src-main/api/backend';
import { listBundledModels } from '../src-main/api/bundled-models';
import { openWorkspace } from '../src-main/store/workspace';
import { bundledModelOptions, chooseScoringModel, defaultBundledModel } from '../src-main/classify/model-choice';
import { PROJECT_ROOT } from './shared';
import { tempDir } from './workspace-fixture';

const MODELS = join(PROJECT_ROOT, 'models');
const LSST = join(MODELS, 'cmudeeplens-lsst');
const CHALLENGE = join(MODELS, 'cmudeeplens-challenge');
const HAVE = existsSync(join(LSST, 'card.json')) && existsSync(join(CHALLENGE, 'card.json'));
const CLI = join(PROJECT_ROOT, 'out', 'main', 'cli.js');
const t = tempDir('lensdesk-bundled-choice-');
afterAll(() => t.cleanup());
const shape = (bands: string[], pixelScale: number | null, size: number) => ({ bands, pixelScale, width: size, height: size });

describe.skipIf(!HAVE)(`the bundled models are chosen by bands and pixel scale${HAVE ? '' : ' (skipped: models/cmudeeplens-lsst or -challenge missing)'}`, () => {
  it('both are bundled, with the layouts they were trained on', () => {
    const byName = Object.fromEntries(bundledModelOptions(MODELS).map((m) => [m.name, m]));
    expect(byName['cmudeeplens-lsst']).toMatchObject({ bands: ['g', 'r', 'i', 'z'], pixelScale: 0.2, inputSize: 45, preset: 'lsst' });
    expect(byName['cmudeeplens-challenge']).toMatchObject({ bands: ['u', 'g', 'r', 'i'], pixelScale: 0.2, inputSize: 101, preset: 'challenge' });
  });
  it('the models view\'s list (models.bundled) carries both cards with their held-out hard and default-mix evaluations', () => {
    const list = listBundledModels(MODELS);
    for (const name of ['cmudeeplens-lsst', 'cmudeeplens-challenge']) {
      const m = list.find((x) => x.name === name);
      expect(m, name).toBeDefined();
      const evals = m!.card.heldOutEvaluations as Record<string, { auroc: number; breakdown: unknown; set: { heldOut: boolean } }>;
      expect(Object.keys(evals), name).toEqual(expect.arrayContaining(['hard']));
      expect(evals.hard!.auroc).toBeGreaterThan(0.5);
      expect(evals.hard!.breakdown).toBeTruthy();
    }
  });
  it('the API method the models view calls (models.bundled) answers with both', async () => {
    const backend = new Backend(openWorkspace(join(t.dir, 'api-ws')), { mode: 'browser', reviewer: 'tester' });
    try {
      const list = (await backend.call('models.bundled', {})) as { name: string; bands: string[] }[];
      expect(list.map((m) => `${m.name}:${m.bands.join(',')}`)).toEqual(expect.arrayContaining(['cmudeeplens-lsst:g,r,i,z', 'cmudeeplens-challenge:u,g,r,i']));
    } finally {
      await backend.close();
    }
  });
  it('the demo survey (lsst g,r,i,z, 45 px) gets the LSST model; u,g,r,i 101 px gets the challenge model, with the reason', () => {
    const demo = chooseScoringModel({ survey: shape(['g', 'r', 'i', 'z'], 0.2, 45), root: MODELS });
    expect(demo.path).toBe(LSST);
    expect(demo.reason).toMatch(/^cmudeeplens-lsst \(lsst\) for cutouts with bands g,r,i,z at 0\.2″\/px.*cmudeeplens-challenge needs bands u,g,r,i.*missing u/);
    const ch = chooseScoringModel({ survey: shape(['u', 'g', 'r', 'i'], 0.2, 101), root: MODELS });
    expect(ch.path).toBe(CHALLENGE);
    expect(ch.reason).toMatch(/^cmudeeplens-challenge \(challenge\) for cutouts with bands u,g,r,i at 0\.2″\/px.*cmudeeplens-lsst needs bands g,r,i,z.*missing z/);
    // An LSST survey with g,r,i,z at 101 px: only the LSST model has z (centre-cropped to 45).
    expect(chooseScoringModel({ survey: shape(['g', 'r', 'i', 'z'], 0.2, 101), root: MODELS }).path).toBe(LSST);
    // Nothing to match (a fine-tune with no active model, a set not yet scored): the demo's model.
    expect(defaultBundledModel(MODELS)?.path).toBe(LSST);
    expect(chooseScoringModel({ survey: null, root: MODELS }).path).toBe(LSST);
  });
});

function lensdesk(args: string[], timeout = 240_000): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout, env: { ...process.env, CI: '1' } });
  if (r.status !== 0) throw new Error(`lensdesk ${args.join(' ')} → ${r.status ?? r.signal}\n${r.stderr}`);
  return r.stdout;
}

describe.skipIf(!HAVE || !existsSync(CLI))(`simulate → ingest → score two surveys in one workspace with the built CLI${existsSync(CLI) ? '' : ` (skipped: ${CLI} missing, run npm run build)`}`, () => {
  it('each catalog is scored by the model that fits it, and the scores say which', { timeout: 600_000 }, () => {
    const ws = join(t.dir, 'ws');
    const scored: Record<string, { model: string; modelChoice: string; written: number; placeholder: boolean }> = {};
    for (const preset of ['challenge', 'lsst']) {
      const sim = join(t.dir, preset);
      lensdesk(['simulate', '--preset', preset, '--n', '4', '--seed', '7', '--workers', '1', '--out', sim]);
      const ing = JSON.parse(lensdesk(['ingest', sim, '--catalog', `sim-${preset}`, '--workspace', ws, '--json']));
      expect(ing).toMatchObject({ added: 4, failed: 0 });
      scored[preset] = JSON.parse(lensdesk(['score', '--catalog-id', String(ing.catalogId), '--workspace', ws, '--json']));
    }
    expect(scored.challenge).toMatchObject({ placeholder: false, written: 4 });
    expect(scored.challenge!.model).toMatch(/^cmudeeplens-challenge /);
    expect(scored.challenge!.modelChoice).toMatch(/^cmudeeplens-challenge \(challenge\) for cutouts with bands u,g,r,i at 0\.2″\/px/);
    // The workspace's active model (the challenge one, activated by the first score) does not fit g,r,i,z: said so, and lsst scores.
    expect(scored.lsst).toMatchObject({ placeholder: false, written: 4 });
    expect(scored.lsst!.model).toMatch(/^cmudeeplens-lsst /);
    expect(scored.lsst!.modelChoice).toMatch(/^cmudeeplens-lsst \(lsst\) for cutouts with bands g,r,i,z/);

    const db = new Database(join(ws, 'lensdesk.sqlite'), { readonly: true });
    try {
      const rows = db
        .prepare('SELECT c.name AS catalog, m.name AS model, s.probability AS p FROM scores s JOIN sources o ON o.id = s.source_id JOIN catalogs c ON c.id = o.catalog_id JOIN models m ON m.id = s.model_id')
        .all() as { catalog: string; model: string; p: number }[];
      expect(rows).toHaveLength(8);
      for (const r of rows) {
        expect(r.model).toBe(r.catalog === 'sim-challenge' ? 'cmudeeplens-challenge' : 'cmudeeplens-lsst');
        expect(Number.isFinite(r.p) && r.p >= 0 && r.p <= 1).toBe(true);
      }
    } finally {
      db.close();
    }
  });
});
