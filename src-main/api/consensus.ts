// Consensus across reviewers: Fleiss' kappa, SWAP posteriors and per-reviewer skill learned from
// practice items (sources with simulation truth), and the items with their grades side by side.
import type { ConsensusSummary } from '../../src-core/api/contract';
import { fleissKappaVaryingRaters, kappaSummaryLine } from '../../src-core/metrics/agreement';
import { swap, SWAP_DEFAULTS } from '../../src-core/review/swap';
import type { Repo } from '../store/repo';

export function consensusSummary(repo: Repo, limit: number, practiceIsTruth = true): ConsensusSummary {
  const grades = repo.currentGrades();
  const byItem = new Map<number, { name: string; grades: Record<string, number>; truth: boolean | undefined }>();
  const graded = new Map<string, number>();
  for (const g of grades) {
    let it = byItem.get(g.sourceId);
    if (!it) byItem.set(g.sourceId, (it = { name: g.name, grades: {}, truth: g.truth }));
    it.grades[g.reviewer] = g.grade;
    graded.set(g.reviewer, (graded.get(g.reviewer) ?? 0) + 1);
  }
  const result = swap(
    grades.map((g) => ({ reviewer: g.reviewer, item: g.sourceId, grade: g.grade, truth: practiceIsTruth ? g.truth : undefined })),
  );
  // Fleiss' kappa over every candidate graded by ≥ 2 reviewers (raters per candidate may differ).
  const ratings = [...byItem.values()].map((it) => Object.values(it.grades));
  const fk = fleissKappaVaryingRaters(ratings);
  const k = {
    value: fk.kappa !== null && Number.isFinite(fk.kappa) ? fk.kappa : null,
    subjects: fk.subjects,
    minRaters: fk.minRaters,
    maxRaters: fk.maxRaters,
    graded: byItem.size,
    reviewers: graded.size,
  };
  const items = [...byItem.entries()].map(([sourceId, it]) => {
    const g = Object.values(it.grades);
    const mean = g.reduce((a, b) => a + b, 0) / g.length;
    return {
      sourceId,
      name: it.name,
      grades: it.grades,
      mean,
      spread: Math.max(...g) - Math.min(...g),
      pLens: result.posterior.get(sourceId) ?? null,
      status: (it.truth !== undefined && practiceIsTruth ? 'practice' : (result.status.get(sourceId) ?? 'active')) as ConsensusSummary['items'][number]['status'],
    };
  });
  items.sort((a, b) => b.spread - a.spread || b.mean - a.mean);
  const counts = { lens: 0, dud: 0, active: 0 };
  for (const s of result.status.values()) counts[s]++;
  return {
    reviewers: [...result.agents.values()].map((a) => ({
      name: a.reviewer,
      graded: graded.get(a.reviewer) ?? 0,
      practiceLenses: a.nLens,
      practiceDuds: a.nDud,
      pL: a.pL,
      pD: a.pD,
      skill: a.skill,
    })),
    kappa: { ...k, summary: kappaSummaryLine(k) },
    swap: { ...counts, prior: SWAP_DEFAULTS.prior },
    items: items.slice(0, limit),
  };
}
