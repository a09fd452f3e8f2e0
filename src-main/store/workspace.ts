// A workspace is a folder: lensdesk.sqlite (WAL, foreign keys, user_version migrations), cutouts/
// (cutout FITS cache), models/ (trained versions), exports/. Default: the user's data directory.
import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync, readSync, realpathSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { join, resolve } from 'node:path';
import { LensDeskError } from '../../src-core/errors';
import { workspaceDiskError } from './disk-error';
import { loadMigrations, migrate, type MigrateResult } from './migrate';

export interface Workspace {
  dir: string;
  dbPath: string;
  db: Database.Database;
  migration: MigrateResult;
  close(): void;
}

export function defaultWorkspaceDir(): string {
  if (process.env.LENSDESK_WORKSPACE) return resolve(process.env.LENSDESK_WORKSPACE);
  const home = homedir();
  if (platform() === 'darwin') return join(home, 'Library', 'Application Support', 'LensDesk', 'workspace');
  const xdg = process.env.XDG_DATA_HOME || join(home, '.local', 'share');
  return join(xdg, 'lensdesk', 'workspace');
}

export function openDatabase(dbPath: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(dbPath, { timeout: 10_000 });
  } catch (e) {
    const msg = (e as Error).message;
    if (/NODE_MODULE_VERSION|was compiled against a different Node/.test(msg)) {
      throw new LensDeskError(
        'NATIVE_ABI',
        `better-sqlite3 was built for a different runtime (${msg.split('\n')[0]}). ` +
          'Under Electron run `npx @electron/rebuild -f -w better-sqlite3`; under Node run `npm rebuild better-sqlite3`.',
      );
    }
    throw new LensDeskError('WORKSPACE_OPEN', `cannot open workspace database ${dbPath}: ${msg}`, { path: dbPath });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL'); // WAL + NORMAL: durable across app crashes, fast commits
  db.pragma('busy_timeout = 10000');
  return db;
}

/**
 * The schema version in a database file's header, read as bytes without opening it with SQLite
 * (which would create -wal/-shm files, and whose WAL pragma rewrites the header): `user_version` is
 * the 4-byte big-endian integer at offset 60 of the 100-byte header, and bytes 18/19 are 1 in
 * rollback-journal mode, 2 in WAL mode (https://www.sqlite.org/fileformat2.html#database_header).
 * Null when there is no database yet (or it is not one; SQLite then says so itself).
 */
export function peekSchemaVersion(dbPath: string): { userVersion: number; wal: boolean } | null {
  if (!existsSync(dbPath)) return null;
  const head = Buffer.alloc(100);
  const fd = openSync(dbPath, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (n < 100 || head.toString('latin1', 0, 16) !== 'SQLite format 3\0') return null;
  return { userVersion: head.readUInt32BE(60), wal: head[18] === 2 };
}

export function openWorkspace(dir = defaultWorkspaceDir()): Workspace {
  const abs = resolve(dir);
  // A workspace from a newer LensDesk is refused before anything touches it: opening it would
  // switch a rollback-journal database to WAL and create files a newer build may not expect. (A WAL
  // database's header can lag its WAL, so migrate() checks again once opened.)
  const known = loadMigrations().length;
  const peek = existsSync(abs) ? peekSchemaVersion(join(realpathSync(abs), 'lensdesk.sqlite')) : null;
  if (peek && peek.userVersion > known) {
    throw new LensDeskError(
      'WORKSPACE_TOO_NEW',
      `This workspace was written by a newer LensDesk (schema v${peek.userVersion}, this build knows v${known}). ` +
        'Update LensDesk to open it; it was left untouched.',
      { path: join(abs, 'lensdesk.sqlite') },
    );
  }
  let dbPath = join(abs, 'lensdesk.sqlite');
  let db: Database.Database | undefined;
  try {
    for (const sub of ['', 'cutouts', 'models', 'exports']) mkdirSync(join(abs, sub), { recursive: true });
    const real = realpathSync(abs);
    dbPath = join(real, 'lensdesk.sqlite');
    db = openDatabase(dbPath);
    const migration = migrate(db, dbPath);
    const open = db;
    return {
      dir: real,
      dbPath,
      db: open,
      migration,
      close: () => {
        if (open.open) open.close();
      },
    };
  } catch (e) {
    try {
      db?.close();
    } catch {
      /* already failing; report the first error */
    }
    throw workspaceDiskError(e, abs, dbPath) ?? e;
  }
}
