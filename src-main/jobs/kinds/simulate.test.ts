// The 'simulate' job into a workspace: a set lands as a catalog with truth; the same job again (resume)
// adds nothing; another set under a name already taken is refused, naming the field, and the first set
// is left as it was.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src-core/errors';
import { Repo } from '../../store/repo';
import { fileWorkspace } from '../../../test/workspace-fixture';
import { jobContext } from '../../../test/job-context';
import { simulateKind } from './simulate';
import { bundledFlowVae } from '../../generative/posterior';

const ws = fileWorkspace();
const repo = new Repo(ws.db);
const ctx = <P>(params: P) => jobContext(repo, ws.dir, params);

describe('simulate job', () => {
  it('makes a catalog, resumes without duplicates, and refuses a taken name with other settings', async () => {
    const a = simulateKind.prepare({ name: 'Practice', count: 6, seed: 5, preset: 'lsst' }, ws.dir);
    await simulateKind.run(ctx(a));
    const count = () => ws.db.prepare("SELECT COUNT(*) FROM sources s JOIN catalogs c ON c.id = s.catalog_id WHERE c.name = 'Practice'").pluck().get();
    expect(count()).toBe(6);
    await simulateKind.run(ctx(a));
    expect(count()).toBe(6);
    const b = simulateKind.prepare({ name: 'Practice', count: 6, seed: 6, preset: 'lsst' }, ws.dir);
    const err = await simulateKind.run(ctx(b)).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).details).toMatchObject({ field: 'params.name' });
    expect(String((err as Error).message)).toMatch(/Practice.*already exists/);
    expect(count()).toBe(6);
  }, 60_000);

  it('makes lensed quasars when asked (the Simulate dialog\'s "lensed quasars" field)', async () => {
    const p = simulateKind.prepare({ name: 'Quasars', count: 8, seed: 3, preset: 'lsst', lensFraction: 1, quasarFraction: 1 }, ws.dir);
    await simulateKind.run(ctx(p));
    const truths = (ws.db.prepare("SELECT s.truth FROM sources s JOIN catalogs c ON c.id = s.catalog_id WHERE c.name = 'Quasars'").pluck().all() as string[]).map((t) => JSON.parse(t) as { src_kind?: string });
    expect(truths).toHaveLength(8);
    expect(truths.every((t) => t.src_kind === 'quasar')).toBe(true);
  }, 60_000);

  it.skipIf(!bundledFlowVae())('sources: flowvae draws the lensed sources from the bundled Flow-VAE (the Simulate dialog\'s "sources" field)', async () => {
    expect(() => simulateKind.prepare({ name: 'x', count: 2, sources: 'sersic' }, ws.dir)).toThrow(/sources must be 'profiles', 'flowvae' or 'flowvae:MODEL_DIR'/);
    expect(() => simulateKind.prepare({ name: 'x', count: 2, sources: 'flowvae:/nonexistent/model' }, ws.dir)).toThrow(/no Flow-VAE model at \/nonexistent\/model/);
    expect(() => simulateKind.prepare({ name: 'x', count: 2, sources: 'flowvae', sourceStamps: ws.dir }, ws.dir)).toThrow(/not both/);
    expect(simulateKind.prepare({ name: 'x', count: 2, sources: 'profiles' }, ws.dir)).not.toHaveProperty('flowvae');
    const p = simulateKind.prepare({ name: 'FlowVAE', count: 4, seed: 2, preset: 'lsst', lensFraction: 1, sources: 'flowvae', flowvaeCount: 5 }, ws.dir);
    expect(p).toMatchObject({ flowvae: { count: 5, fraction: 1 } });
    await simulateKind.run(ctx(p));
    const truths = (ws.db.prepare("SELECT s.truth FROM sources s JOIN catalogs c ON c.id = s.catalog_id WHERE c.name = 'FlowVAE'").pluck().all() as string[]).map((t) => JSON.parse(t) as { src_kind?: string; src_stamp?: string });
    expect(truths).toHaveLength(4);
    expect(truths.every((t) => t.src_kind === 'stamp' && /^flowvae:flowvae-lsst-32\[\d\]$/.test(t.src_stamp ?? ''))).toBe(true);
    const origin = ws.db.prepare("SELECT origin FROM catalogs WHERE name = 'FlowVAE'").pluck().get() as string;
    expect(origin).toMatch(/flowvae:[0-9a-f]{16}:[0-9a-f]{16}:2:5/);
  }, 120_000);
});
