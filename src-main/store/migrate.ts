// Applies db/migrations/NNNN-*.sql in order, tracked by PRAGMA user_version. Before migrating an
// existing database a backup copy is taken (VACUUM INTO), so a failed migration loses nothing.
import type Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LensDeskError } from '../../src-core/errors';
import { migrationsDir } from '../util/paths';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = migrationsDir()): Migration[] {
  const files = readdirSync(dir).filter((f) => /^\d{4}-.*\.sql$/.test(f)).sort();
  const out = files.map((f) => ({
    version: Number(f.slice(0, 4)),
    name: f,
    sql: readFileSync(join(dir, f), 'utf8'),
  }));
  out.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration numbering gap at ${m.name}: expected ${i + 1}`);
  });
  return out;
}

export interface MigrateResult {
  from: number;
  to: number;
  backup: string | null;
}

/**
 * Brings `db` to the latest version. `dbPath` is used to name the backup
 * (`<db>.v<from>.bak`); pass null for in-memory databases.
 */
export function migrate(db: Database.Database, dbPath: string | null, migrations = loadMigrations()): MigrateResult {
  const from = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (from > latest) {
    throw new LensDeskError(
      'WORKSPACE_TOO_NEW',
      `This workspace was written by a newer LensDesk (schema v${from}, this build knows v${latest}). Update LensDesk to open it.`,
      { path: dbPath ?? ':memory:' },
    );
  }
  if (from === latest) return { from, to: from, backup: null };
  let backup: string | null = null;
  if (from > 0 && dbPath) {
    backup = `${dbPath}.v${from}-${Date.now()}.bak`;
    db.exec(`VACUUM INTO '${backup.replace(/'/g, "''")}'`);
  }
  for (const m of migrations.slice(from)) {
    // Each migration and its version bump commit together or not at all.
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return { from, to: latest, backup };
}
