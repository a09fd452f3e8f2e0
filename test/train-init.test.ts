// `lensdesk train --init MODEL --hard-mix` (issue 18): fine-tunes the bundled finder on the hard set's
// mix drawn with the training seed. The built CLI runs one tiny epoch; the card must name its parent,
// keep the parent's input normalisation and record the hard mix; other bands start a transferred
// copy (lineage.transfer); another pixel scale and the held-out hard set's seed are refused.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HARD_SET_SEED } from '../src-core/lens/hard-set';
import { PROJECT_ROOT } from './shared';
import { tempDir } from './workspace-fixture';

const CLI = join(PROJECT_ROOT, 'out', 'main', 'cli.js');
const BUNDLED = join(PROJECT_ROOT, 'models', 'cmudeeplens-lsst');
const t = tempDir('lensdesk-train-init-');
afterAll(() => t.cleanup());

const train = (args: string[]) => spawnSync(process.execPath, [CLI, 'train', '--simulate', 'lsst', ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 240_000, env: { ...process.env, CI: '1' } });

describe.skipIf(!existsSync(CLI))(`lensdesk train --init${existsSync(CLI) ? '' : ` (skipped: ${CLI} missing, run npm run build)`}`, () => {
  it('fine-tunes the bundled model on the hard mix, keeping its normalisation and naming its parent', { timeout: 300_000 }, () => {
    const out = join(t.dir, 'ft');
    const r = train(['--hard-mix', '--init', BUNDLED, '--count', '24', '--epochs', '1', '--batch', '8', '--val-fraction', '0.25', '--engine', 'onnxruntime', '--backend', 'wasm', '--out', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const card = JSON.parse(readFileSync(join(out, 'card.json'), 'utf8'));
    const parent = JSON.parse(readFileSync(join(BUNDLED, 'card.json'), 'utf8'));
    expect(card.lineage.parent.name).toBe('cmudeeplens-lsst');
    expect(card.normalisation).toEqual(parent.normalisation);
    expect(card.trainingSet.source.simulator).toMatchObject({ hardness: 1, quasarFraction: 0.25 });
    expect(card.trainingSet.source.seed).not.toBe(HARD_SET_SEED);
  });
  it('starts a model for other bands from the bundled one (weights by band name, normalisation refitted), and refuses another pixel scale and the hard set\'s own seed', { timeout: 300_000 }, () => {
    const out = join(t.dir, 'gri');
    const r = train(['--bands', 'g,r,i', '--init', BUNDLED, '--count', '16', '--epochs', '1', '--batch', '8', '--val-fraction', '0.25', '--engine', 'onnxruntime', '--backend', 'wasm', '--out', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/starting from .*cmudeeplens-lsst \(bands g,r,i,z → g,r,i, 45 → 45 px; input normalisation refitted\)/);
    const card = JSON.parse(readFileSync(join(out, 'card.json'), 'utf8'));
    expect(card.architecture.bands).toEqual(['g', 'r', 'i']);
    expect(card.normalisation.bands).toEqual(['g', 'r', 'i']);
    expect(card.lineage.parent.name).toBe('cmudeeplens-lsst');
    expect(card.lineage.transfer.bands).toMatchObject({ from: ['g', 'r', 'i', 'z'], to: ['g', 'r', 'i'], startedFrom: { g: 'g', r: 'r', i: 'i' }, borrowed: [] });
    const a = spawnSync(process.execPath, [CLI, 'train', '--simulate', 'des', '--init', BUNDLED, '--count', '8', '--out', join(t.dir, 'x')], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 240_000, env: { ...process.env, CI: '1' } });
    expect(a.status).not.toBe(0);
    expect(a.stderr).toMatch(/--init .*pixel scale 0\.2″ vs the data's 0\.263″/);
    const b = train(['--hard-mix', '--seed', String(HARD_SET_SEED), '--count', '8', '--out', join(t.dir, 'y')]);
    expect(b.status).not.toBe(0);
    expect(b.stderr).toMatch(new RegExp(`--seed ${HARD_SET_SEED}`));
  });
});
