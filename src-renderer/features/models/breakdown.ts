// Reads the held-out breakdowns a model card carries (card.heldOutEvaluations.<name>, written by
// `lensdesk evaluate --write-card`; src-core/classify/breakdown.ts) into rows for the models view:
// false-positive rate per negative class and true-positive rate per θE bin and source kind, at
// score 0.5 and at the set's < 10 FP threshold. Cards without them give [].
import type { Breakdown, ClassRate } from '../../../src-core/classify/breakdown';

export interface BreakdownRow { label: string; n: number; above50: number; atTpr10: number; goal?: string }

export interface CardBreakdown {
  name: string;
  command: string;
  n: number;
  auroc: number | null;
  tpr10: number | null;
  negatives: BreakdownRow[];
  lenses: BreakdownRow[];
}

/** The issue-18 goals, shown beside the measured rates (null: no goal for that row). */
const GOALS: Record<string, string> = { ring: '≤ 10 %', merger: '≤ 10 %' };

const rows = (m: Record<string, ClassRate> | undefined, prefix = ''): BreakdownRow[] =>
  Object.entries(m ?? {}).map(([k, r]) => ({ label: prefix + k, n: r.n, above50: r.above50, atTpr10: r.atTpr10, ...(GOALS[k] && !prefix ? { goal: GOALS[k] } : {}) }));

export function cardBreakdowns(card: Record<string, unknown>): CardBreakdown[] {
  const evals = card.heldOutEvaluations as Record<string, Record<string, unknown>> | undefined;
  if (!evals || typeof evals !== 'object') return [];
  const out: CardBreakdown[] = [];
  for (const [name, e] of Object.entries(evals)) {
    const b = e?.breakdown as Breakdown | null | undefined;
    if (!b) continue;
    const lenses: BreakdownRow[] = b.thetaE.map((r) => ({
      label: `θE ${r.lo}–${r.hi}″`, n: r.n, above50: r.above50, atTpr10: r.atTpr10,
      ...(r.hi <= 1 ? { goal: '≥ 60 % at < 10 FP' } : {}),
    }));
    out.push({
      name, command: String(e.command ?? ''), n: Number(e.n ?? NaN),
      auroc: typeof e.auroc === 'number' ? e.auroc : null, tpr10: typeof e.tpr10 === 'number' ? e.tpr10 : null,
      negatives: rows(b.negatives), lenses: [...lenses, ...rows(b.sources, 'source: ')],
    });
  }
  return out;
}
