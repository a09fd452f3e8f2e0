// Issue 19: sets simulated from the app reused the demo's names and RA/Dec (454 sources, 254 distinct
// names) and were left unscored. The demo and two sets (one with the demo's own seed) in one
// workspace: every name and every position is distinct, each set lies on its own sky patch, and a new
// set started through the job system chains a score job with the model that scored the demo.
import { describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../src-core/api/contract';
import { Backend } from '../../api/backend';
import { openWorkspace } from '../../store/workspace';
import { PATCH_RADIUS_DEG } from '../../../src-core/lens/sky-patch';
import { Repo } from '../../store/repo';
import { fileWorkspace } from '../../../test/workspace-fixture';
import { jobContext } from '../../../test/job-context';
import { demoKind } from './demo';
import { simulateKind } from './simulate';

const ws = fileWorkspace();
const repo = new Repo(ws.db);
const ctx = <P>(params: P) => jobContext(repo, ws.dir, params);

interface Src { id: number; name: string; ra: number; dec: number; catalog: string }

describe('simulated sets in one workspace', () => {
  it('get unique names and positions on separate patches, and are scored like the demo', async () => {
    const demo = demoKind.prepare({ count: 12 }, ws.dir);
    await demoKind.run(ctx(demo));
    const modelId = repo.activeModelId();
    expect(modelId).not.toBeNull();
    const a = simulateKind.prepare({ name: 'Practice A', count: 12, seed: demo.seed, preset: 'lsst' }, ws.dir); // the demo's seed
    const b = simulateKind.prepare({ name: 'Practice B', count: 12, seed: 7, preset: 'lsst' }, ws.dir);
    // Practice A through the job system (worker thread, then the chained score job); B directly.
    const backend = new Backend(openWorkspace(ws.dir), { mode: 'browser', reviewer: 'alice' });
    let ra: Record<string, unknown>;
    let score: JobInfo;
    try {
      const job = (await backend.call('jobs.start', { kind: 'simulate', params: { name: 'Practice A', count: 12, seed: demo.seed, preset: 'lsst' } })) as JobInfo;
      const done = await backend.jobs.wait(job.id);
      expect(done.state, JSON.stringify(done.error)).toBe('done');
      ra = done.result!;
      const chained = backend.repo.listJobs(10).find((j) => j.kind === 'score' && (j.params as { catalogId?: number }).catalogId === ra.catalogId);
      expect(chained, 'a score job chained for the new set').toBeDefined();
      score = await backend.jobs.wait(chained!.id);
    } finally {
      await backend.close();
    }
    expect(ra.next).toEqual({ kind: 'score', params: { catalogId: ra.catalogId, activate: false } });
    expect(score.state, JSON.stringify(score.error)).toBe('done');
    expect(score.result).toMatchObject({ modelId, written: 12 });
    expect(a.name).toBe('Practice A');
    await simulateKind.run(ctx(b));

    const rows = ws.db
      .prepare('SELECT s.id, s.name, s.ra, s.dec, c.name AS catalog FROM sources s JOIN catalogs c ON c.id = s.catalog_id')
      .all() as Src[];
    expect(rows).toHaveLength(36);
    expect(new Set(rows.map((r) => r.name)).size).toBe(36);
    // distinct to well under a stamp (45 px × 0.2″ = 9″): no two sources within 1″
    for (let i = 0; i < rows.length; i++)
      for (let j = i + 1; j < rows.length; j++) {
        const d = Math.hypot((rows[i]!.ra - rows[j]!.ra) * Math.cos((rows[i]!.dec * Math.PI) / 180), rows[i]!.dec - rows[j]!.dec) * 3600;
        expect(d, `${rows[i]!.name} vs ${rows[j]!.name}`).toBeGreaterThan(1);
      }
    // each set's bounding box is disjoint from the others' (its own patch)
    const box = (cat: string) => {
      const r = rows.filter((x) => x.catalog === cat);
      return { lo: Math.min(...r.map((x) => x.ra)), hi: Math.max(...r.map((x) => x.ra)) };
    };
    const boxes = ['Demo survey (simulated)', 'Practice A', 'Practice B'].map(box).sort((x, y) => x.lo - y.lo);
    for (let k = 1; k < boxes.length; k++) expect(boxes[k]!.lo).toBeGreaterThan(boxes[k - 1]!.hi);
    for (const r of rows) expect(Math.abs(r.dec - 2.2)).toBeLessThanOrEqual(PATCH_RADIUS_DEG);
    expect(rows.filter((r) => r.catalog === 'Practice A').every((r) => r.name.startsWith('Practice A s'))).toBe(true);

    // the new set is scored by the model that scored the demo, which stays the active one
    const aIds = rows.filter((r) => r.catalog === 'Practice A').map((r) => r.id);
    const n = ws.db.prepare('SELECT COUNT(*) FROM scores WHERE model_id = ? AND source_id IN (SELECT value FROM json_each(?))').pluck().get(modelId, JSON.stringify(aIds));
    expect(n).toBe(12);
    expect(repo.activeModelId()).toBe(modelId);

    // resuming a set keeps its patch and adds nothing
    await simulateKind.run(ctx(a));
    const again = ws.db.prepare("SELECT s.ra FROM sources s JOIN catalogs c ON c.id = s.catalog_id WHERE c.name = 'Practice A' ORDER BY s.id").pluck().all();
    expect(again).toEqual(rows.filter((r) => r.catalog === 'Practice A').map((r) => r.ra));
  }, 120_000);
});
