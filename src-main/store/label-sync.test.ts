// Label sets merged across machines: export from one workspace, import (twice) into another that
// holds the same catalog under different row ids; nothing duplicated, nothing lost, the current
// grade is the latest in time. Also the CLI end to end (`lensdesk labels export/import --json`).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempWorkspaces } from '../../test/workspace-fixture';
import { exportLabels, importLabels, parseLabelSet } from './label-sync';
import { Repo } from './repo';

const newWorkspace = tempWorkspaces();
function ws() {
  const w = newWorkspace();
  return { w, repo: new Repo(w.db), dir: w.dir };
}
/** The same catalog of n rows; `reverse` inserts rows in the other order so source ids differ. */
function seed(repo: Repo, n: number, reverse = false): Map<number, number> {
  repo.ensureCatalog('other', '/o', 'cutouts', null); // shifts catalog ids too
  const cat = repo.ensureCatalog('DES candidates', '/x', 'cutouts', null);
  const rows = Array.from({ length: n }, (_, i) => i);
  if (reverse) rows.reverse();
  for (const r of rows) repo.insertSources(cat, [{ row: r, name: `J${r}`, ra: r, dec: 0 }]);
  const byRow = new Map<number, number>();
  for (const x of repo.db.prepare('SELECT row, id FROM sources WHERE catalog_id = ?').all(cat) as { row: number; id: number }[]) byRow.set(x.row, x.id);
  return byRow;
}
const current = (repo: Repo) =>
  repo.db
    .prepare("SELECT v.name || ':' || s.row || '=' || IFNULL(l.grade, 'null') FROM current_labels l JOIN reviewers v ON v.id = l.reviewer_id JOIN sources s ON s.id = l.source_id ORDER BY v.name, s.row")
    .pluck()
    .all() as string[];
const count = (repo: Repo) => repo.db.prepare('SELECT COUNT(*) FROM labels').pluck().get() as number;

describe('labels export / import', () => {
  it('merges without duplicating or losing a grade; the latest grade in time is current', () => {
    const a = ws();
    const ida = seed(a.repo, 6);
    const alice = a.repo.ensureReviewer('alice').id;
    const bob = a.repo.ensureReviewer('bob').id;
    const g = (rev: number, row: number, grade: number | null, t: string) =>
      a.repo.addLabel(rev, { sourceId: ida.get(row)!, grade, tags: grade === 3 ? ['ring'] : [], comment: '' }, 'grade', null, undefined, t);
    g(alice, 0, 3, '2026-01-01T10:00:00.000Z');
    g(alice, 1, 2, '2026-01-01T10:00:01.000Z');
    g(alice, 1, 0, '2026-01-01T10:00:02.000Z'); // changed her mind: history keeps both
    g(bob, 0, 2, '2026-01-01T10:00:03.000Z');
    g(bob, 2, 1, '2026-01-01T10:00:04.000Z');
    a.repo.undoLastLabel(bob); // appends an undo row (grade back to none) for row 2
    const set = exportLabels(a.w.db);
    expect(set.labels).toHaveLength(6);
    expect(set.labels.find((l) => l.action === 'undo')?.undoes).toBe(set.labels[4]!.uid);

    const b = ws();
    const idb = seed(b.repo, 6, true);
    expect(idb.get(0)).not.toBe(ida.get(0)); // ids differ: matching must be by catalog + row
    // Carol graded row 3 here; Alice graded row 0 here too, later than on the other machine.
    const carol = b.repo.ensureReviewer('carol').id;
    b.repo.addLabel(carol, { sourceId: idb.get(3)!, grade: 3, tags: [], comment: '' }, 'grade', null, undefined, '2026-01-02T00:00:00.000Z');
    const aliceB = b.repo.ensureReviewer('alice').id;
    b.repo.addLabel(aliceB, { sourceId: idb.get(0)!, grade: 1, tags: [], comment: '' }, 'grade', null, undefined, '2026-01-03T00:00:00.000Z');

    const file = parseLabelSet(JSON.parse(JSON.stringify(set)));
    const r1 = importLabels(b.w.db, file);
    expect(r1).toMatchObject({ read: 6, added: 6, duplicates: 0, unknownSources: [], reviewersCreated: ['bob'] });
    expect(count(b.repo)).toBe(2 + 6);
    const r2 = importLabels(b.w.db, file);
    expect(r2).toMatchObject({ read: 6, added: 0, duplicates: 6 });
    expect(count(b.repo)).toBe(8);
    // Current grades: alice row 0 = her later local C (1), not the older imported A; row 1 = X (0);
    // bob row 0 = B, row 2 undone (null); carol untouched.
    expect(current(b.repo)).toEqual(['alice:0=1', 'alice:1=0', 'bob:0=2', 'bob:2=null', 'carol:3=3']);
    // Every uid from A is present exactly once in B.
    const uids = b.repo.db.prepare('SELECT uid FROM labels').pluck().all() as string[];
    expect(new Set(uids).size).toBe(uids.length);
    for (const l of set.labels) expect(uids).toContain(l.uid);
    // Exporting B back into A adds only B's two local labels.
    const back = importLabels(a.w.db, exportLabels(b.w.db));
    expect(back).toMatchObject({ added: 2, duplicates: 6 });
  });

  it('reports labels of sources the workspace lacks and rejects malformed files', () => {
    const a = ws();
    const ida = seed(a.repo, 2);
    a.repo.addLabel(a.repo.ensureReviewer('x').id, { sourceId: ida.get(1)!, grade: 2, tags: [], comment: '' });
    const set = exportLabels(a.w.db);
    set.labels[0]!.source.row = 99;
    const b = ws();
    seed(b.repo, 2);
    expect(importLabels(b.w.db, set)).toMatchObject({ added: 0, unknownSources: [{ catalog: 'DES candidates', row: 99, n: 1 }] });
    expect(() => parseLabelSet({ format: 'nope' })).toThrow(/not a LensDesk label set/);
    expect(() => parseLabelSet({ ...set, labels: [{ ...set.labels[0], grade: 7 }] })).toThrow(/labels\[0\]\.grade/);
  });

  it('CLI: export from one workspace, import twice into another, exact counts', () => {
    const a = ws();
    const ida = seed(a.repo, 4);
    const rev = a.repo.ensureReviewer('dana').id;
    for (const [row, grade] of [[0, 3], [1, 2], [2, 0]] as const) a.repo.addLabel(rev, { sourceId: ida.get(row)!, grade, tags: [], comment: '' });
    const b = ws();
    seed(b.repo, 4, true);
    const out = join(a.dir, 'labels.json');
    const cli = (...args: string[]) =>
      execFileSync(process.execPath, ['--import', 'tsx', join(process.cwd(), 'src-main/cli/entry.ts'), 'labels', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    // The CLI opens the workspace itself: close ours first (WAL allows it, but keep it simple).
    expect(JSON.parse(cli('export', '--out', out, '--workspace', a.dir, '--json'))).toMatchObject({ labels: 3 });
    expect(JSON.parse(cli('import', out, '--workspace', b.dir, '--json'))).toMatchObject({ read: 3, added: 3, duplicates: 0 });
    expect(JSON.parse(cli('import', out, '--workspace', b.dir, '--json'))).toMatchObject({ read: 3, added: 0, duplicates: 3 });
    expect(count(b.repo)).toBe(3);
    expect(current(b.repo)).toEqual(['dana:0=3', 'dana:1=2', 'dana:2=0']);
    writeFileSync(out, '{"format":"lensdesk-labels","version":9,"labels":[]}');
    expect(() => cli('import', out, '--workspace', b.dir)).toThrow();
  }, 30_000);
});
