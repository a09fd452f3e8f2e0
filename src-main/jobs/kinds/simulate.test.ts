// The 'simulate' job into a workspace: a set lands as a catalog with truth; the same job again (resume)
// adds nothing; another set under a name already taken is refused, naming the field, and the first set
// is left as it was.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src-core/errors';
import { Repo } from '../../store/repo';
import { fileWorkspace } from '../../../test/workspace-fixture';
import { jobContext } from '../../../test/job-context';
import { simulateKind } from './simulate';

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
});
