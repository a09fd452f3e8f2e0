// The 'massmap' job kind: params checked (schema + prepare), map written into the workspace, resumed
// without recomputing, hybrid refused with the not-implemented message.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateJobParams } from '../../../src-core/api/validate';
import { Rng } from '../../../src-core/rng';
import type { Repo } from '../../store/repo';
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
    expect(() => prepareMassMap({ catalog: cat, method: 'hybrid' })).toThrow(/not implemented yet \(needs the learned score prior of issue 13\)/);
    expect(() => prepareMassMap({ catalog: cat, method: 'wiener' })).toThrow(/needs ps/);
    const params = prepareMassMap({ catalog: cat, method: 'ks93', pixArcmin: 1, smoothArcmin: 1 });
    const progress: string[] = [];
    const ctx = {
      jobId: 7, params, repo: {} as Repo, workspaceDir: dir,
      progress: (_d: number, _t: number, m?: string) => { progress.push(m ?? ''); },
      cancelled: () => false, checkCancelled: () => {},
    };
    const r = await massmapKind.run(ctx);
    expect(r.galaxies).toBe(4000);
    expect(r.method).toBe('ks93');
    const out = join(dir, 'massmaps', 'job-7.fits');
    expect(readFileSync(out).subarray(0, 9).toString('latin1')).toBe('SIMPLE  =');
    const t = statSync(out).mtimeMs;
    const again = await massmapKind.run(ctx);
    expect(again.resumed).toBe(true);
    expect(statSync(out).mtimeMs).toBe(t);
    expect(progress).toContain('done');
    // The app's Mass map view loads it through the image protocol (massmaps/ is a served folder).
    expect(resolveImagePath(dir, {} as Repo, 'file/massmaps/job-7.fits').file).toBe(out);
  }, 60000);
});
