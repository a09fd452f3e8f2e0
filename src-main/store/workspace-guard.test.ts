// Opening a workspace that must not be changed, or cannot be: one written by a newer LensDesk in
// rollback-journal mode is refused before anything touches it (no WAL conversion, no -wal/-shm, no
// sub-folders), and on a disk that takes no more bytes (RLIMIT_FSIZE = 0 via `ulimit -f 0`, which
// makes every file-extending write fail as on a full disk) start-up says that the disk holding the
// workspace is full instead of "internal error".
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LensDeskError } from '../../src-core/errors';
import { PROJECT_ROOT } from '../../test/shared';
import { tempDir } from '../../test/workspace-fixture';
import { loadMigrations } from './migrate';
import { openWorkspace, peekSchemaVersion } from './workspace';

const t = tempDir();
afterAll(() => t.cleanup());
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('workspace guard', () => {
  it('refuses a newer rollback-journal workspace without changing a byte or creating a file', () => {
    const dir = join(t.dir, 'newer');
    mkdirSync(dir);
    const dbPath = join(dir, 'lensdesk.sqlite');
    const db = new Database(dbPath); // journal_mode stays 'delete' (rollback journal)
    db.exec('CREATE TABLE future (x INTEGER); INSERT INTO future VALUES (42);');
    const newer = loadMigrations().length + 7;
    db.pragma(`user_version = ${newer}`);
    expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
    db.close();
    const old = new Date(2020, 0, 1);
    utimesSync(dbPath, old, old);
    const before = { hash: sha(dbPath), mtime: statSync(dbPath).mtimeMs };
    expect(peekSchemaVersion(dbPath)).toEqual({ userVersion: newer, wal: false });

    let caught: unknown;
    try {
      openWorkspace(dir).close();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LensDeskError);
    expect((caught as LensDeskError).code).toBe('WORKSPACE_TOO_NEW');
    expect((caught as Error).message).toContain(`schema v${newer}`);
    expect(sha(dbPath)).toBe(before.hash);
    expect(statSync(dbPath).mtimeMs).toBe(before.mtime);
    expect(readdirSync(dir)).toEqual(['lensdesk.sqlite']); // no -wal, -shm, -journal, cutouts/ …
  });

  it.skipIf(process.platform === 'win32')('start-up on a disk that takes no more bytes says the disk holding the workspace is full', () => {
    const ws = join(t.dir, 'ws');
    openWorkspace(ws).close(); // a workspace made while there was room
    const cli = [process.execPath, '--import', 'tsx', join(PROJECT_ROOT, 'src-main/cli/entry.ts'), 'jobs', '--workspace', ws];
    const r = spawnSync('bash', ['-c', 'ulimit -f 0; exec "$@"', 'bash', ...cli], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/DiskError \[DISK_(FULL|IO)\]: cannot open the workspace .*: the disk holding the workspace is full/);
    expect(r.stderr).toContain(ws);
    expect(r.stderr).not.toContain('internal error');
  });
});
