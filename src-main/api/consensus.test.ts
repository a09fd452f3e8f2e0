// The consensus view's agreement line from a workspace: one reviewer alone gets a reason, not
// "0 candidates graded by 0 reviewers"; with overlap, κ counts every candidate graded by ≥ 2.
import { describe, expect, it } from 'vitest';
import { fleissKappaFromRatings } from '../../src-core/metrics/agreement';
import { tempWorkspaces } from '../../test/workspace-fixture';
import { Repo } from '../store/repo';
import { consensusSummary } from './consensus';

const newWorkspace = tempWorkspaces();

function seeded(n: number) {
  const repo = new Repo(newWorkspace().db);
  const cat = repo.ensureCatalog('c', '/c', 'cutouts', null);
  repo.insertSources(cat, Array.from({ length: n }, (_, r) => ({ row: r, name: `J${r}`, ra: r, dec: 0 })));
  const ids = repo.db.prepare('SELECT id FROM sources ORDER BY row').pluck().all() as number[];
  const grade = (who: string, i: number, g: number) => repo.addLabel(repo.ensureReviewer(who).id, { sourceId: ids[i]!, grade: g, tags: [], comment: '' }, 'grade', null);
  return { repo, grade };
}

describe("consensus summary: Fleiss' κ", () => {
  it('one reviewer who graded 30: says κ needs two reviewers per candidate', () => {
    const { repo, grade } = seeded(30);
    for (let i = 0; i < 30; i++) grade('alice', i, i % 4);
    const k = consensusSummary(repo, 10).kappa;
    expect(k).toMatchObject({ value: null, subjects: 0, graded: 30, reviewers: 1 });
    expect(k.summary).toBe("Fleiss' κ needs ≥ 2 reviewers per candidate (30 graded by 1 reviewer)");
  });

  it('counts every candidate graded by two or more reviewers, with different numbers of reviewers', () => {
    const { repo, grade } = seeded(6);
    const g: Record<string, number[]> = { alice: [3, 3, 0, 1, 2, 2], bob: [3, 2, 0, 1], carol: [3, 2] };
    for (const [who, gs] of Object.entries(g)) gs.forEach((v, i) => grade(who, i, v));
    const k = consensusSummary(repo, 10).kappa;
    expect(k).toMatchObject({ subjects: 4, minRaters: 2, maxRaters: 3, graded: 6, reviewers: 3 });
    expect(k.summary).toMatch(/^Fleiss' κ -?\d\.\d{3} \(4 candidates graded by 2–3 reviewers; 2 more graded by 1 reviewer\)$/);
    // Dropping carol leaves 4 candidates with 2 raters each: plain Fleiss (1971) must agree.
    const { repo: r2, grade: g2 } = seeded(6);
    for (const who of ['alice', 'bob']) g[who]!.forEach((v, i) => g2(who, i, v));
    const k2 = consensusSummary(r2, 10).kappa;
    expect(k2.value).toBeCloseTo(fleissKappaFromRatings([0, 1, 2, 3].map((i) => [g.alice![i]!, g.bob![i]!])), 12);
    expect(k2.subjects).toBe(4);
  });
});
