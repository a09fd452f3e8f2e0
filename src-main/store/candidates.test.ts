// candidates.list against a reference computed in plain TypeScript from the same data: every sort
// key in both orders, the filters, pages that straddle the scored/unscored boundary, and a second
// model's scores. Guards the late-materialised, index-walking query in Repo.listCandidates.
import { afterAll, describe, expect, it } from 'vitest';
import { SORT_KEYS, type CandidateFilter, type SortKey } from '../../src-core/api/contract';
import { Rng } from '../../src-core/rng';
import { tempDir } from '../../test/workspace-fixture';
import { Repo } from './repo';
import { openWorkspace } from './workspace';

const t = tempDir();
const ws = openWorkspace(t.dir);
const repo = new Repo(ws.db);
afterAll(() => (ws.close(), t.cleanup()));

const N = 150;
const rng = new Rng(3, 0);
const cat = repo.ensureCatalog('c', '/x', 'cutouts', null);
repo.insertSources(cat, Array.from({ length: N }, (_, i) => ({ row: i, name: `S${String((i * 37) % N).padStart(3, '0')}`, ra: rng.uniform() * 360, dec: rng.uniform() * 10, extra: { mag: Math.round(rng.uniform() * 50) / 10 } })));
const ids = ws.db.prepare('SELECT id FROM sources ORDER BY id').pluck().all() as number[];
const m1 = repo.ensureModel('m', '1', 'placeholder', null, {});
const m2 = repo.ensureModel('m', '2', 'placeholder', null, {});
// Model 1 scores 2/3 of the sources (with ties), model 2 a different third.
const score1 = new Map<number, number>();
ids.forEach((id, i) => i % 3 !== 2 && score1.set(id, Math.round(rng.uniform() * 20) / 20));
const score2 = new Map<number, number>();
ids.forEach((id, i) => i % 3 === 0 && score2.set(id, rng.uniform()));
repo.writeScores(m1, null, [...score1].map(([sourceId, probability]) => ({ sourceId, probability })));
repo.writeScores(m2, null, [...score2].map(([sourceId, probability]) => ({ sourceId, probability })));
ws.db.prepare("INSERT INTO settings(key, value) VALUES ('active_model_id', ?)").run(String(m1));
const me = repo.ensureReviewer('me').id;
const others = [repo.ensureReviewer('o1').id, repo.ensureReviewer('o2').id];
const grades = new Map<number, Map<number, number | null>>(); // reviewer → source → current grade
const tags = new Map<number, string[]>(); // my tags
for (const r of [me, ...others]) {
  grades.set(r, new Map());
  for (let k = 0; k < 70; k++) {
    const id = ids[Math.floor(rng.uniform() * N)]!;
    const g = rng.uniform() < 0.1 ? null : Math.floor(rng.uniform() * 4);
    const tg = r === me && rng.uniform() < 0.3 ? ['ring'] : [];
    repo.addLabel(r, { sourceId: id, grade: g, tags: tg, comment: '' });
    grades.get(r)!.set(id, g);
    if (r === me) tags.set(id, tg);
  }
}

function reference(sort: SortKey, order: 'asc' | 'desc', filter: CandidateFilter, model = m1, column = 'mag'): number[] {
  const scores = model === m1 ? score1 : score2;
  const rows = ids.map((id) => {
    const gs = [...grades.values()].map((m) => m.get(id)).filter((g): g is number => g !== undefined && g !== null);
    const s = ws.db.prepare('SELECT name, ra, dec, extra, shuffle_key FROM sources WHERE id = ?').get(id) as { name: string; ra: number; dec: number; extra: string; shuffle_key: number };
    return {
      id, ...s, mag: JSON.parse(s.extra).mag as number,
      score: scores.get(id) ?? null,
      mine: grades.get(me)!.get(id) ?? null,
      mean: gs.length ? gs.reduce((a, b) => a + b, 0) / gs.length : null,
      spread: gs.length ? Math.max(...gs) - Math.min(...gs) : null,
      random: Number((BigInt(s.shuffle_key) * 1103515245n + BigInt(me) * 2654435761n) % 2147483647n),
    };
  });
  const f = rows.filter((r) =>
    (filter.minScore === undefined || (r.score !== null && r.score >= filter.minScore)) &&
    (filter.graded !== 'notMine' || r.mine === null) && (filter.graded !== 'mine' || r.mine !== null) &&
    (!filter.disagreement || (r.spread ?? 0) >= 2) &&
    (filter.minConsensus === undefined || (r.mean !== null && r.mean >= filter.minConsensus)) &&
    (filter.tag === undefined || (tags.get(r.id) ?? []).includes(filter.tag)) &&
    (filter.scoredBy === undefined || (filter.scoredBy === m1 ? score1 : score2).has(r.id)));
  const key: Record<SortKey, (r: (typeof f)[number]) => number | string | null> = {
    score: (r) => r.score, name: (r) => r.name, ra: (r) => r.ra, dec: (r) => r.dec, grade: (r) => r.mine,
    consensus: (r) => r.mean, spread: (r) => r.spread, random: (r) => r.random, column: (r) => (column === 'mag' ? r.mag : null),
  };
  const sgn = order === 'asc' ? 1 : -1;
  return f
    .sort((a, b) => {
      const x = key[sort](a), y = key[sort](b);
      if (x !== y) {
        if (x === null) return 1; // NULLS LAST either way
        if (y === null) return -1;
        return (x < y ? -1 : 1) * sgn;
      }
      // Ties by id ascending, except the score sort ascending (it walks the index backwards).
      return sort === 'score' && order === 'asc' && x !== null ? b.id - a.id : a.id - b.id;
    })
    .map((r) => r.id);
}

const list = (sort: SortKey, order: 'asc' | 'desc', filter: CandidateFilter, offset: number, limit: number, modelId?: number) =>
  repo.listCandidates({ sort, order, offset, limit, filter, ...(modelId ? { modelId } : {}), ...(sort === 'column' ? { column: 'mag' } : {}) }, me);

describe('candidates.list matches a reference ordering', () => {
  const filters: CandidateFilter[] = [{}, { graded: 'notMine' }, { graded: 'mine' }, { minScore: 0.5 }, { disagreement: true }, { minConsensus: 2 }, { tag: 'ring' }, { scoredBy: m2 }];
  for (const sort of SORT_KEYS)
    for (const order of ['desc', 'asc'] as const)
      it(`${sort} ${order}`, () => {
        for (const filter of filters) {
          const ref = reference(sort, order, filter);
          // Pages of 7 (straddling the scored / unscored boundary) and one page of everything.
          const paged: number[] = [];
          let total = -1;
          for (let off = 0; off < ref.length + 7; off += 7) {
            const r = list(sort, order, filter, off, 7);
            total = r.total;
            paged.push(...r.rows.map((x) => x.sourceId));
          }
          expect(total, JSON.stringify(filter)).toBe(ref.length);
          expect(paged, JSON.stringify(filter)).toEqual(ref);
        }
      });
  it('score of another model version (modelId) and its rows carry that score', () => {
    const ref = reference('score', 'desc', {}, m2);
    const r = list('score', 'desc', {}, 0, 1000, m2);
    expect(r.rows.map((x) => x.sourceId)).toEqual(ref);
    for (const row of r.rows) expect(row.score).toBe(score2.get(row.sourceId) ?? null);
  });
  it('rows carry my grade, my tags and the consensus of current grades', () => {
    const r = list('name', 'asc', {}, 0, 1000);
    for (const row of r.rows) {
      expect(row.myGrade).toBe(grades.get(me)!.get(row.sourceId) ?? null);
      expect(row.tags).toEqual(tags.get(row.sourceId) ?? []);
      const gs = [...grades.values()].map((m) => m.get(row.sourceId)).filter((g) => g !== undefined && g !== null);
      expect(row.consensus.n).toBe(gs.length);
    }
  });
});
