// The job manager on a full disk, in this process (as the CLI and the browser-mode server run it):
// its own connection refuses to grow (SQLite's max_page_count, a real SQLITE_FULL) when the ingest
// job's result is recorded. Before, that SqliteError was thrown from the worker's message handler
// and ended the process; now the job fails with DISK_FULL and the manager goes on.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeStamp } from '../../src-core/stamps/format';
import { tempDir } from '../../test/workspace-fixture';
import { Repo } from '../store/repo';
import { openWorkspace } from '../store/workspace';
import { JobManager } from './manager';

const t = tempDir();
afterAll(() => t.cleanup());

describe('job manager on a full disk', () => {
  it('fails the job with DISK_FULL when its result cannot be recorded, keeps what the job saved, stays usable', { timeout: 60_000 }, async () => {
    const dir = join(t.dir, 'cutouts');
    mkdirSync(dir);
    const planes = [Float32Array.from({ length: 81 }, (_, k) => k)];
    for (let i = 0; i < 20; i++) writeFileSync(join(dir, `s${String(i).padStart(2, '0')}.fits`), encodeStamp({ width: 9, height: 9, bands: ['g'], planes, ra: i, dec: 0 }));
    // 60 unreadable files with long names: the job's result (their names and errors, ~10 kB) needs
    // new overflow pages in the jobs table, which the capped connection cannot allocate.
    for (let i = 0; i < 60; i++) writeFileSync(join(dir, `zz-broken-${'x'.repeat(80)}-${i}.fits`), 'not FITS at all');
    const ws = openWorkspace(join(t.dir, 'ws'));
    const repo = new Repo(ws.db);
    const jm = new JobManager(repo, ws.dir);
    try {
      const job = jm.start('ingest', { folder: dir, catalog: 'c' });
      ws.db.pragma(`max_page_count = ${ws.db.pragma('page_count', { simple: true }) as number}`);
      const final = await jm.wait(job.id);
      expect(final.state).toBe('failed');
      expect(final.error?.code).toBe('DISK_FULL');
      expect(final.error?.message).toContain('disk full: cannot write the workspace database');
      expect(final.error?.message).toContain(ws.dbPath);
      // Nothing the worker committed is lost, and the manager still answers (a read, a new job).
      expect(ws.db.prepare('SELECT COUNT(*) FROM sources').pluck().get()).toBe(20);
      ws.db.pragma('max_page_count = 1073741823');
      const again = await jm.wait(jm.resume(job.id).id);
      expect(again.state, JSON.stringify(again.error)).toBe('done');
      expect(again.result).toMatchObject({ added: 0, skipped: 20, failed: 60 });
      expect(repo.getJob(job.id).state).toBe('done');
    } finally {
      await jm.shutdown();
      ws.close();
    }
  });
});
