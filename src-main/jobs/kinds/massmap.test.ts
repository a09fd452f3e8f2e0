// The 'massmap' job kind: params checked (schema + prepare), map written into the workspace, resumed
// without recomputing; hybrid runs with the bundled κ prior (posterior mean, std, samples; peaks with the
// posterior S/N).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateJobParams } from '../../../src-core/api/validate';
import { Rng } from '../../../src-core/rng';
import { Repo } from '../../store/repo';
import { openWorkspace } from '../../store/workspace';
import { listMassMaps, massMapOverlay } from '../../api/massmaps';
import { massmapKind, prepareMassMap } from './massmap';
import { resolveImagePath } from '../../api/images';

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-massmap-job-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('massmap job kind', () => {
  it('validates, runs, resumes', async () => {
    const rng = new Rng(3, 3), lines = ['ra,dec,e1,e2'];
    for (let i = 0; i < 4000; i++) lines.push(`${(150 + 0.3 * rng.uniform()).toFixed(6)},${(2 + 0.3 * rng.uniform()).toFixed(6)},${(0.2 * rng.normal()).toFixed(4)},${(0.2 * rng.normal()).toFixed(4)}`);
    const cat = join(dir, 'cat.csv');
    writeFileSync(cat, lines.join('\n') + '\n');
    expect(() => validateJobParams('massmap', { catalog: cat, method: 'ks93', pixArcmin: 1, typo: 1 })).toThrow(/typo/);
    expect(validateJobParams('massmap', { catalog: cat, method: 'wiener', ps: cat, samples: 4 })).toMatchObject({ method: 'wiener', samples: 4 });
    expect(() => prepareMassMap({ catalog: 'relative.csv' })).toThrow(/absolute file path/);
    expect(prepareMassMap({ catalog: cat, method: 'hybrid', samples: 4, levels: 5 })).toMatchObject({ method: 'hybrid', samples: 4, levels: 5 });
    expect(() => prepareMassMap({ catalog: cat, method: 'wiener', prior: dir })).toThrow(/only with method hybrid/);
    expect(() => prepareMassMap({ catalog: cat, method: 'hybrid', prior: 'rel/dir' })).toThrow(/absolute folder path/);
    expect(() => validateJobParams('massmap', { catalog: cat, method: 'hybrid', levels: 1 })).toThrow(/levels/);
    expect(() => prepareMassMap({ catalog: cat, method: 'hybrid', sampler: 'hmc' })).toThrow(/sampler must be one of auto, diffusion, gibbs, pcn, langevin/);
    expect(() => prepareMassMap({ catalog: cat, method: 'ks93', sampler: 'diffusion' })).toThrow(/only with method hybrid/);
    expect(prepareMassMap({ catalog: cat, method: 'hybrid', sampler: 'diffusion' })).toMatchObject({ sampler: 'diffusion' });
    expect(prepareMassMap({ catalog: cat, method: 'wiener' }).ps).toBeUndefined(); // fitted from the data
    expect(() => prepareMassMap({ catalog: cat, method: 'wiener', ps: 'relative.csv' })).toThrow(/absolute file path or 'fit'/);
    const params = prepareMassMap({ catalog: cat, method: 'ks93', pixArcmin: 1, smoothArcmin: 1 });
    const progress: string[] = [];
    const ws = openWorkspace(dir);
    const repo = new Repo(ws.db);
    // Candidates: one inside the field (150.15, 2.15), one far outside.
    const catId = repo.ensureCatalog('lenses', '/x', 'cutouts', null);
    repo.insertSources(catId, [{ row: 0, name: 'inside', ra: 150.15, dec: 2.15 }, { row: 1, name: 'outside', ra: 10, dec: -40 }]);
    const job = repo.createJob('massmap', params);
    const ctx = {
      jobId: job.id, params, repo, workspaceDir: dir,
      progress: (_d: number, _t: number, m?: string) => { progress.push(m ?? ''); },
      cancelled: () => false, checkCancelled: () => {},
    };
    const r = await massmapKind.run(ctx);
    expect(r.galaxies).toBe(4000);
    expect(r.method).toBe('ks93');
    const out = join(dir, 'massmaps', `job-${job.id}.fits`);
    expect(readFileSync(out).subarray(0, 9).toString('latin1')).toBe('SIMPLE  =');
    const t = statSync(out).mtimeMs;
    const again = await massmapKind.run(ctx);
    expect(again.resumed).toBe(true);
    expect(statSync(out).mtimeMs).toBe(t);
    expect(progress).toContain('done');
    // The app's Mass map view loads it through the image protocol (massmaps/ is a served folder).
    expect(resolveImagePath(dir, {} as Repo, `file/massmaps/job-${job.id}.fits`).file).toBe(out);
    // One products row (not two after the resume), with the params and summary the view lists.
    const maps = listMassMaps(ws.db);
    expect(maps).toHaveLength(1);
    expect(maps[0]).toMatchObject({ jobId: job.id, path: `massmaps/job-${job.id}.fits`, params: { method: 'ks93', pixel: 1, samples: 0 } });
    const sm = maps[0]!.summary as { field: number[]; rms: number; peaks: number; peaksFile: string };
    expect(sm.field[0]).toBeGreaterThan(17); // 0.3° field at 1′ pixels
    expect(sm.rms).toBeGreaterThan(0);
    const ov = massMapOverlay(ws.db, dir, maps[0]!.id);
    expect(ov.peaks.length).toBe(sm.peaks);
    expect(readFileSync(join(dir, sm.peaksFile), 'utf8').trim().split('\n').length).toBe(sm.peaks + 1);
    expect(ov.candidates.map((c) => c.name)).toEqual(['inside']);
    expect(() => massMapOverlay(ws.db, dir, 999)).toThrow(/no mass map with id 999/);
    ws.close();
  }, 60000);

  it('runs the hybrid method: MEAN/STD/SAMPLES in the FITS, peaks with the posterior std, a products row', async () => {
    const rng = new Rng(4, 4), lines = ['ra,dec,e1,e2'];
    for (let i = 0; i < 3000; i++) lines.push(`${(150 + 0.15 * rng.uniform()).toFixed(6)},${(2 + 0.15 * rng.uniform()).toFixed(6)},${(0.2 * rng.normal()).toFixed(4)},${(0.2 * rng.normal()).toFixed(4)}`);
    const cat = join(dir, 'cat-hybrid.csv');
    writeFileSync(cat, lines.join('\n') + '\n');
    const params = prepareMassMap(validateJobParams('massmap', { catalog: cat, method: 'hybrid', samples: 3, levels: 3, stepsPerLevel: 1, threads: 1 }) as Record<string, unknown>);
    const ws = openWorkspace(join(dir, 'ws-hybrid'));
    const repo = new Repo(ws.db);
    const job = repo.createJob('massmap', params);
    const labels: string[] = [];
    const ctx = {
      jobId: job.id, params, repo, workspaceDir: join(dir, 'ws-hybrid'),
      progress: (_d: number, _t: number, m?: string) => { labels.push(m ?? ''); },
      cancelled: () => false, checkCancelled: () => {},
    };
    const r = await massmapKind.run(ctx);
    expect(r.method).toBe('hybrid');
    expect(String(r.std)).toMatch(/hybrid-prior posterior std, 3 Gibbs\/diffusion samples/); // masked grid: auto = gibbs
    expect((r.grid as { pixArcmin: number }).pixArcmin).toBeCloseTo(0.29, 6); // the prior's training pixel
    expect(labels).toContain('hybrid sampling');
    const bytes = readFileSync(join(dir, 'ws-hybrid', 'massmaps', `job-${job.id}.fits`)).toString('latin1');
    for (const name of ['KAPPA_E', 'KAPPA_STD', 'MEAN', 'STD', 'SAMPLES']) expect(bytes).toContain(`EXTNAME = '${name}`);
    const maps = listMassMaps(ws.db);
    expect(maps[0]).toMatchObject({ jobId: job.id, params: { method: 'hybrid', samples: 3 } });
    expect(String(maps[0]!.summary.snrFrom)).toMatch(/hybrid-prior posterior std/);
    ws.close();
  }, 120000);
});
