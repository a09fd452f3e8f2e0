// `lensdesk ingest` on a disk that fills up mid-job, through the real CLI process: a file-size
// limit (`ulimit -f 1024`, RLIMIT_FSIZE = 1 MiB: writes past it fail with EFBIG, as writes on a
// full disk fail with ENOSPC) stops the job at the one stamp too big to write. The job fails typed
// (DISK_FULL, naming that file), the CLI exits 2 instead of crashing, the rows before it are kept,
// and with room again the resume adds the rest. The human output names every file left out.
import Database from 'better-sqlite3';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeStamp } from '../../src-core/stamps/format';
import { PROJECT_ROOT } from '../../test/shared';
import { tempDir } from '../../test/workspace-fixture';
import { openWorkspace } from '../store/workspace';

const t = tempDir();
afterAll(() => t.cleanup());
const cli = [process.execPath, '--import', 'tsx', join(PROJECT_ROOT, 'src-main/cli/entry.ts')];

function stamp(n: number, i: number): Uint8Array {
  const planes = [0, 1, 2].map((b) => Float32Array.from({ length: n * n }, (_, k) => Math.sin(k + i + b)));
  return encodeStamp({ width: n, height: n, bands: ['g', 'r', 'i'], planes, ra: 20 + i * 1e-3, dec: 1 });
}

describe.skipIf(process.platform === 'win32')('ingest on a disk that fills up (CLI)', () => {
  it('fails the job with DISK_FULL naming the file, exits 2, keeps the rows before it; the resume completes', { timeout: 300_000 }, () => {
    const folder = join(t.dir, 'in');
    mkdirSync(folder);
    for (let i = 0; i < 12; i++) writeFileSync(join(folder, `s${String(i).padStart(2, '0')}.fits`), stamp(11, i));
    writeFileSync(join(folder, 'zz-big.fits'), stamp(300, 99)); // 300×300×3 float32 = 1.08 MB stamp
    writeFileSync(join(folder, 'bad.fits'), 'not FITS');
    execFileSync('mkfifo', [join(folder, 'pipe.fits')]);
    const ws = join(t.dir, 'ws');
    const limited = spawnSync('bash', ['-c', 'ulimit -f 1024; exec "$@"', 'bash', ...cli, 'ingest', folder, '--workspace', ws], {
      cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 100_000,
    });
    expect(limited.status, limited.stderr).toBe(2);
    expect(limited.stderr).not.toContain('internal error');
    expect(limited.stderr).toMatch(/failed: disk full: cannot write file .*cutouts\/in\/12\.fits \(or the file-size limit was reached\) \[EFBIG\]/);

    const db = new Database(join(ws, 'lensdesk.sqlite'), { readonly: true });
    const names = db.prepare('SELECT name FROM sources ORDER BY name').pluck().all();
    const job = db.prepare('SELECT id, state, error FROM jobs').get() as { id: number; state: string; error: string };
    db.close();
    expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `s${String(i).padStart(2, '0')}`));
    expect(job.state).toBe('failed');
    expect(JSON.parse(job.error)).toMatchObject({ name: 'DiskError', code: 'DISK_FULL', details: { cause: 'EFBIG' } });

    const resumed = spawnSync(process.execPath, [...cli.slice(1), 'jobs', 'resume', String(job.id), '--workspace', ws], {
      cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 100_000,
    });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/done: .*files=14 added=1 skipped=12 failed=1 notIngested=1/);
    expect(resumed.stdout).toMatch(/^ {2}failed {2}bad\.fits: FITS_/m);
    expect(resumed.stdout).toMatch(/^ {2}skipped pipe\.fits: a FIFO \(named pipe\), not a regular file$/m);
    const db2 = new Database(join(ws, 'lensdesk.sqlite'), { readonly: true });
    expect(db2.prepare('SELECT COUNT(*) FROM sources').pluck().get()).toBe(13);
    expect(db2.prepare('SELECT COUNT(DISTINCT name) FROM sources').pluck().get()).toBe(13);
    db2.close();
  });

  it('the workspace database cannot grow (files capped at 100 KiB): typed disk error, exit 2, committed batches kept; resume adds each file once', { timeout: 300_000 }, () => {
    const folder = join(t.dir, 'many');
    mkdirSync(folder);
    const N = 200;
    for (let i = 0; i < N; i++) writeFileSync(join(folder, `m${String(i).padStart(3, '0')}.fits`), stamp(9, i));
    const ws = join(t.dir, 'ws-db');
    openWorkspace(ws).close(); // made while there was room
    const limited = spawnSync('bash', ['-c', 'ulimit -f 100; exec "$@"', 'bash', ...cli, 'ingest', folder, '--workspace', ws], {
      cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 100_000,
    });
    expect(limited.status, limited.stderr).toBe(2);
    expect(limited.stderr).not.toContain('internal error');
    // SQLite reports a write cut short by the limit as SQLITE_FULL or SQLITE_IOERR_WRITE (EFBIG).
    expect(limited.stderr).toMatch(/disk (full|error): cannot write the workspace database .*lensdesk\.sqlite \[SQLITE_(FULL|IOERR\w*)\]/);
    const db = new Database(join(ws, 'lensdesk.sqlite'), { readonly: true });
    const kept = db.prepare('SELECT COUNT(*) FROM sources').pluck().get() as number;
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    expect(kept).toBeLessThan(N);
    expect(kept % 64).toBe(0); // whole batches: a transaction commits or not at all

    const again = spawnSync(process.execPath, [...cli.slice(1), 'ingest', folder, '--json', '--workspace', ws], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 100_000 });
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ files: N, added: N - kept, skipped: kept, failed: 0 });
    const db2 = new Database(join(ws, 'lensdesk.sqlite'), { readonly: true });
    expect(db2.prepare('SELECT COUNT(DISTINCT name) FROM sources').pluck().get()).toBe(N);
    expect(db2.prepare('SELECT COUNT(*) FROM sources').pluck().get()).toBe(N);
    db2.close();
  });
});
