// A workspace is a folder: lensdesk.sqlite (WAL, foreign keys, user_version migrations), cutouts/
// (cutout FITS cache), models/ (trained versions), exports/. Default: the user's data directory.
import Database from 'better-sqlite3';
import { mkdirSync, realpathSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { join, resolve } from 'node:path';
import { LensDeskError } from '../../src-core/errors';
import { migrate, type MigrateResult } from './migrate';

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

export function openWorkspace(dir = defaultWorkspaceDir()): Workspace {
  const abs = resolve(dir);
  for (const sub of ['', 'cutouts', 'models', 'exports']) mkdirSync(join(abs, sub), { recursive: true });
  const real = realpathSync(abs);
  const dbPath = join(real, 'lensdesk.sqlite');
  const db = openDatabase(dbPath);
  let migration: MigrateResult;
  try {
    migration = migrate(db, dbPath);
  } catch (e) {
    db.close();
    throw e;
  }
  return {
    dir: real,
    dbPath,
    db,
    migration,
    close: () => {
      if (db.open) db.close();
    },
  };
}
