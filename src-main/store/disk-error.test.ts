// A full disk, for real: SQLite's max_page_count makes the database refuse to grow with a genuine
// SQLITE_FULL, and /dev/full makes every write fail with ENOSPC (Linux), so the typed DISK_FULL
// errors are checked against what SQLite and the kernel actually report.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/workspace-fixture';
import { writeFileAtomic } from '../stamps/stamp-file';
import { DiskError, diskErrorKind, jobDiskError, toDiskError } from './disk-error';

const t = tempDir();
afterAll(() => t.cleanup());

describe('disk errors', () => {
  it('turns a real SQLITE_FULL (max_page_count) into DISK_FULL naming the database and the free space', () => {
    const path = join(t.dir, 'full.sqlite');
    const db = new Database(path);
    db.exec('CREATE TABLE t (x BLOB)');
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`);
    let caught: unknown;
    try {
      for (let i = 0; i < 100; i++) db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(4096));
    } catch (e) {
      caught = e;
    }
    db.close();
    expect((caught as { code?: string }).code).toBe('SQLITE_FULL');
    expect(diskErrorKind(caught)).toBe('full');
    const d = toDiskError(caught, path)!;
    expect(d).toBeInstanceOf(DiskError);
    expect(d.code).toBe('DISK_FULL');
    expect(d.message).toContain(`disk full: cannot write ${path}`);
    expect(d.message).toMatch(/\d+\.\d MB free on the disk holding it, free at least 16\.0 MB needed/);
    expect(d.details.cause).toBe('SQLITE_FULL');
    expect(toDiskError(new Error('other'), path)).toBeNull();
    expect(diskErrorKind({ code: 'SQLITE_IOERR_WRITE' })).toBe('io');
    expect(diskErrorKind({ code: 'SQLITE_CONSTRAINT' })).toBeNull();
  });

  it.skipIf(!existsSync('/dev/full'))('an atomic file write on a full device fails typed, names the file, leaves no temp file', () => {
    const dir = join(t.dir, 'out');
    mkdirSync(dir);
    const target = join(dir, 'a.fits');
    // The temp file writeFileAtomic opens is a link to /dev/full: every write() gives ENOSPC.
    symlinkSync('/dev/full', `${target}.tmp-${process.pid}`);
    let caught: unknown;
    try {
      writeFileAtomic(target, new Uint8Array(2880 * 3));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DiskError);
    const d = caught as DiskError;
    expect(d.code).toBe('DISK_FULL');
    expect(d.details).toMatchObject({ path: target, cause: 'ENOSPC', needBytes: 8640 });
    expect(d.message).toContain(`disk full: cannot write file ${target} [ENOSPC]`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a job error names the database for SQLite codes, else the file the errno error carries', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/ws/models/v2/model.onnx' });
    expect(jobDiskError(enospc, '/ws/lensdesk.sqlite', '/ws')?.message).toContain('disk full: cannot write file /ws/models/v2/model.onnx [ENOSPC]');
    const noPath = Object.assign(new Error('EDQUOT'), { code: 'EDQUOT' });
    expect(jobDiskError(noPath, '/ws/lensdesk.sqlite', '/ws')?.message).toContain('cannot write a file under /ws [EDQUOT]');
    const io = Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
    const d = jobDiskError(io, '/ws/lensdesk.sqlite', '/ws')!;
    expect(d.code).toBe('DISK_IO');
    expect(d.message).toContain('disk error: cannot write the workspace database /ws/lensdesk.sqlite [SQLITE_IOERR_WRITE]');
    expect(jobDiskError(Object.assign(new Error('x'), { code: 'ENOENT', path: '/a' }), null, '/ws')).toBeNull();
  });
});
