import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, tempWorkspaces } from '../../test/workspace-fixture';
import { loadMigrations, migrate } from './migrate';
import { Repo } from './repo';
import { openWorkspace } from './workspace';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));
const ws = tempWorkspaces();
function seed(repo: Repo, n = 3): number[] {
  const cat = repo.ensureCatalog('c', '/x', 'cutouts', null);
  repo.insertSources(cat, Array.from({ length: n }, (_, i) => ({ row: i, name: `s${i}`, ra: 10 + i, dec: -5 })));
  return repo.db.prepare('SELECT id FROM sources ORDER BY id').pluck().all() as number[];
}

describe('migrations', () => {
  const all = loadMigrations();
  it('from an empty database reach the latest version with WAL and foreign keys on', () => {
    const w = ws();
    expect(w.db.pragma('user_version', { simple: true })).toBe(all.length);
    expect(w.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(w.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(w.migration).toMatchObject({ from: 0, to: all.length, backup: null });
  });

  it.each(all.slice(0, -1).map((m) => m.version))('from version %i keep data and take a backup first', (v) => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const path = join(t.dir, 'lensdesk.sqlite');
    const db = new Database(path);
    migrate(db, path, all.slice(0, v));
    db.prepare("INSERT INTO catalogs(name, origin) VALUES ('old', '/o')").run();
    db.prepare("INSERT INTO sources(catalog_id, row, name, ra, dec) VALUES (1, 0, 'kept', 1, 2)").run();
    db.close();
    const w = openWorkspace(t.dir);
    cleanups.unshift(() => w.close());
    expect(w.migration.from).toBe(v);
    expect(w.migration.to).toBe(all.length);
    expect(w.migration.backup && existsSync(w.migration.backup)).toBeTruthy();
    expect(w.db.prepare('SELECT name FROM sources').pluck().get()).toBe('kept');
    // The backup is the old schema with the old data.
    const b = new Database(w.migration.backup!, { readonly: true });
    expect(b.pragma('user_version', { simple: true })).toBe(v);
    expect(b.prepare('SELECT COUNT(*) FROM sources').pluck().get()).toBe(1);
    b.close();
  });

  it('refuse a workspace written by a newer version, without touching it', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const db = new Database(join(t.dir, 'lensdesk.sqlite'));
    db.pragma('user_version = 999');
    db.close();
    expect(() => openWorkspace(t.dir)).toThrow(/newer LensDesk/);
    expect(readdirSync(t.dir).filter((f) => f.endsWith('.bak'))).toEqual([]);
  });
});

describe('label history', () => {
  it('never loses a grade: regrading appends, undo restores, rows cannot be changed or deleted', () => {
    const w = ws();
    const repo = new Repo(w.db);
    const [a, b] = seed(repo);
    const me = repo.ensureReviewer('ann');
    const other = repo.ensureReviewer('bob');
    repo.addLabel(me.id, { sourceId: a!, grade: 3, tags: ['ring'], comment: '' });
    repo.addLabel(me.id, { sourceId: a!, grade: 1, tags: [], comment: 'on second look' });
    repo.addLabel(other.id, { sourceId: a!, grade: 2, tags: [], comment: '' });
    repo.addLabel(me.id, { sourceId: b!, grade: 0, tags: [], comment: '' });
    expect(repo.labelHistory(a!).map((h) => h.grade)).toEqual([3, 1, 2]);
    // Undo my last grade (b: X) then the one before (a: C → A).
    expect(repo.undoLastLabel(me.id)).toEqual({ sourceId: b, restored: null });
    expect(repo.undoLastLabel(me.id)).toEqual({ sourceId: a, restored: 3 });
    const current = w.db.prepare('SELECT source_id, reviewer_id, grade FROM current_labels ORDER BY source_id, reviewer_id').all();
    expect(current).toEqual([
      { source_id: a, reviewer_id: me.id, grade: 3 },
      { source_id: a, reviewer_id: other.id, grade: 2 },
      { source_id: b, reviewer_id: me.id, grade: null },
    ]);
    expect(w.db.prepare('SELECT COUNT(*) FROM labels').pluck().get()).toBe(6);
    expect(() => w.db.prepare('UPDATE labels SET grade = 0').run()).toThrow(/append-only/);
    expect(() => w.db.prepare('DELETE FROM labels').run()).toThrow(/append-only/);
    // Consensus in the grid: my A and bob's B.
    const list = repo.listCandidates({ sort: 'consensus', order: 'desc', offset: 0, limit: 10, filter: {} }, me.id);
    expect(list.rows[0]).toMatchObject({ sourceId: a, myGrade: 3, consensus: { n: 2, mean: 2.5, spread: 1, disagreement: false } });
  });

  it('filters hide what I graded and find disagreements', () => {
    const w = ws();
    const repo = new Repo(w.db);
    const [a, b, c] = seed(repo);
    const me = repo.ensureReviewer('ann');
    const other = repo.ensureReviewer('bob');
    repo.addLabel(me.id, { sourceId: a!, grade: 3, tags: [], comment: '' });
    repo.addLabel(other.id, { sourceId: a!, grade: 0, tags: [], comment: '' });
    repo.addLabel(other.id, { sourceId: b!, grade: 2, tags: [], comment: '' });
    const q = (filter: object) =>
      repo.listCandidates({ sort: 'name', order: 'asc', offset: 0, limit: 10, filter }, me.id).rows.map((r) => r.sourceId);
    expect(q({ graded: 'notMine' })).toEqual([b, c]);
    expect(q({ graded: 'mine' })).toEqual([a]);
    expect(q({ disagreement: true })).toEqual([a]);
  });
});

describe('concurrent writers', () => {
  it('two processes appending labels at once corrupt nothing and lose nothing', async () => {
    const w = ws();
    const repo = new Repo(w.db);
    const ids = seed(repo, 5);
    w.close();
    const N = 300;
    const script = `
      const Database = require('better-sqlite3');
      const db = new Database(process.argv[1], { timeout: 20000 });
      db.pragma('journal_mode = WAL'); db.pragma('busy_timeout = 20000');
      const rid = db.prepare("INSERT OR IGNORE INTO reviewers(name) VALUES (?)").run(process.argv[2]) && db.prepare('SELECT id FROM reviewers WHERE name = ?').pluck().get(process.argv[2]);
      const ins = db.prepare("INSERT INTO labels(uid, reviewer_id, source_id, grade) VALUES (?, ?, ?, ?)");
      const ids = ${JSON.stringify(ids)};
      for (let i = 0; i < ${N}; i++) ins.run(process.argv[2] + '-' + i, rid, ids[i % ids.length], i % 4);
      db.close();`;
    const run = (name: string) =>
      new Promise<number>((resolve, reject) => {
        const p = spawn(process.execPath, ['-e', script, w.dbPath, name], { stdio: 'inherit', cwd: process.cwd() });
        const t = setTimeout(() => p.kill('SIGKILL'), 60_000);
        p.on('exit', (code) => (clearTimeout(t), resolve(code ?? 1)));
        p.on('error', reject);
      });
    expect(await Promise.all([run('p1'), run('p2')])).toEqual([0, 0]);
    const db = new Database(w.dbPath, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare('SELECT COUNT(*) FROM labels').pluck().get()).toBe(2 * N);
    expect(db.prepare('SELECT COUNT(DISTINCT uid) FROM labels').pluck().get()).toBe(2 * N);
    db.close();
  });
});
