// Key/value settings of a workspace (settings table): reviewer, active model, preferences.
import type Database from 'better-sqlite3';
import type { Row } from './rows';

export function getSetting(db: Database.Database, key: string): string | null {
  const r = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as Row | undefined;
  return r ? String(r.value) : null;
}

export function setSetting(db: Database.Database, key: string, value: string): void {
  db.prepare('INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}
