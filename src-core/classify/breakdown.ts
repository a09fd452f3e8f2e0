// Where a lens finder fails: false-positive rate per class of negative (ring, merger, spiral, …)
// and true-positive rate per Einstein-radius bin and per source kind (galaxy, quasar), on one
// labelled set. Two operating points: the fixed threshold 0.5 (what a reviewer sees as "lens"), and
// the TPR10 threshold of the whole set — the lowest score threshold with fewer than 10 false
// positives (Lanusse et al. 2018; metrics/roc.ts) — so that "TPR at < 10 FP for θE < 1″" is the
// fraction of those lenses scored at or above it. It equals TPR10 computed on those lenses and all
// the negatives, because the negatives (and so the threshold) are the same.
import { rocCurve } from '../metrics/roc';

export interface ClassRate {
  n: number;
  /** Fraction scored > 0.5 (negatives: false-positive rate; lenses: true-positive rate). */
  above50: number;
  /** Fraction scored ≥ the set's TPR10 threshold. */
  atTpr10: number;
}

export interface BinRate extends ClassRate {
  /** θE bin [lo, hi), arcsec. */
  lo: number;
  hi: number;
}

export interface Breakdown {
  /** Lowest threshold with < 10 false positives in the whole set (null: never reached). */
  tpr10Threshold: number | null;
  /** Per negative class (the simulator's `kind`, or 'unknown'). */
  negatives: Record<string, ClassRate>;
  /** Per θE bin of the lenses (lenses without θE are left out). */
  thetaE: BinRate[];
  /** Per source kind of the lenses ('sersic', 'stamp', 'quasar', …; 'galaxy' when unrecorded). */
  sources: Record<string, ClassRate>;
}

export interface BreakdownItem {
  label: number;
  score: number;
  /** Negative class (kind), for non-lenses. */
  kind?: string;
  thetaE?: number;
  sourceKind?: string;
}

function rate(scores: number[], t10: number | null): ClassRate {
  const n = scores.length;
  const above = scores.filter((s) => s > 0.5).length;
  const at = t10 === null ? 0 : scores.filter((s) => s >= t10).length;
  return { n, above50: n ? above / n : NaN, atTpr10: n ? at / n : NaN };
}

export function finderBreakdown(items: BreakdownItem[], thetaEBins: readonly number[]): Breakdown {
  const labels = items.map((x) => (x.label ? 1 : 0));
  const scores = items.map((x) => x.score);
  const c = rocCurve(labels, scores);
  let t10: number | null = null;
  for (let i = 1; i < c.fps.length; i++) if (c.fps[i]! < 10) t10 = c.thresholds[i]!;
  const group = (keep: (x: BreakdownItem) => boolean, key: (x: BreakdownItem) => string) => {
    const m = new Map<string, number[]>();
    for (const x of items) if (keep(x)) m.set(key(x), [...(m.get(key(x)) ?? []), x.score]);
    return Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, s]) => [k, rate(s, t10)]));
  };
  const negatives = group((x) => !x.label, (x) => x.kind || 'unknown');
  const sources = group((x) => !!x.label, (x) => x.sourceKind || 'galaxy');
  const thetaE: BinRate[] = [];
  for (let b = 0; b + 1 < thetaEBins.length; b++) {
    const lo = thetaEBins[b]!, hi = thetaEBins[b + 1]!;
    const s = items.filter((x) => x.label && x.thetaE !== undefined && x.thetaE >= lo && (x.thetaE < hi || (b + 2 === thetaEBins.length && x.thetaE <= hi))).map((x) => x.score);
    thetaE.push({ lo, hi, ...rate(s, t10) });
  }
  return { tpr10Threshold: t10, negatives, thetaE, sources };
}

/** The breakdown item of a simulator truth record (TRUTH table row or simulateRange truth). */
export function breakdownItem(truth: Record<string, number | string>, score: number): BreakdownItem {
  const label = Number(truth.is_lens) ? 1 : 0;
  const te = Number(truth.theta_E);
  return {
    label, score,
    ...(label ? {} : { kind: String(truth.kind ?? 'unknown') }),
    ...(label && Number.isFinite(te) ? { thetaE: te } : {}),
    ...(label ? { sourceKind: String(truth.src_kind || 'sersic') } : {}),
  };
}
