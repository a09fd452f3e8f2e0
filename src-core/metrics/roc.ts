// ROC-based metrics for lens finders (Metcalf et al. 2019, Strong Gravitational Lens Finding
// Challenge; Lanusse et al. 2018 for TPR0/TPR10). Conventions, as scikit-learn's
// roc_curve(drop_intermediate=False):
//  - sort by descending score; all examples with the same score enter together (one ROC point per
//    distinct score), so ties never favour either class;
//  - the curve starts at (0, 0) with threshold +Infinity;
//  - AUROC is the trapezoid area under that curve = Mann–Whitney U/(n₊n₋) with ties counted ½.
// TPR0 / TPR10: the brief says "TPR at the highest threshold admitting no / fewer than 10 false
// positives". Read literally the highest such threshold is +∞ (TPR 0), so the working definition
// (as in the challenge papers) is the largest TPR reached while the false-positive count stays
// below the bound, i.e. the lowest such threshold: TPR0 = max TPR with FP = 0, TPR10 = max TPR with
// FP < 10. A positive tied with the best-scoring negative therefore does not count towards TPR0.
import { InputError } from '../errors';

export type Label = number | boolean;

export interface RocCurve {
  /** Score thresholds, descending; element 0 is +Infinity. Point i counts scores ≥ thresholds[i]. */
  thresholds: Float64Array;
  /** Cumulative true / false positives at each threshold. */
  tps: Float64Array;
  fps: Float64Array;
  tpr: Float64Array;
  fpr: Float64Array;
  nPositive: number;
  nNegative: number;
}

function isPositive(l: Label, i: number): boolean {
  if (l === true || l === 1) return true;
  if (l === false || l === 0) return false;
  throw new InputError('METRICS_LABEL', `label at index ${i} is ${String(l)}; labels must be 0/1 or true/false`, { row: i, field: 'label' });
}

/** Checks inputs and returns indices sorted by descending score (stable). */
function sortedByScore(labels: ArrayLike<Label>, scores: ArrayLike<number>): { order: Uint32Array; pos: Uint8Array } {
  if (labels.length !== scores.length)
    throw new InputError('METRICS_LENGTH', `labels (${labels.length}) and scores (${scores.length}) differ in length`);
  const n = labels.length;
  const pos = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    pos[i] = isPositive(labels[i]!, i) ? 1 : 0;
    if (Number.isNaN(scores[i]!)) throw new InputError('METRICS_SCORE', `score at index ${i} is NaN`, { row: i, field: 'score' });
  }
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return { order, pos };
}

export function rocCurve(labels: ArrayLike<Label>, scores: ArrayLike<number>): RocCurve {
  const { order, pos } = sortedByScore(labels, scores);
  const n = order.length;
  let nPositive = 0;
  for (let i = 0; i < n; i++) nPositive += pos[i]!;
  const nNegative = n - nPositive;
  if (nPositive === 0 || nNegative === 0)
    throw new InputError('METRICS_ONE_CLASS', `ROC needs at least one positive and one negative (got ${nPositive} positive, ${nNegative} negative)`);
  const th = [Infinity];
  const tp = [0];
  const fp = [0];
  let t = 0;
  let f = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (pos[i]) t++;
    else f++;
    // close a point at the last example of each run of equal scores
    if (k === n - 1 || scores[order[k + 1]!]! !== scores[i]!) {
      th.push(scores[i]!);
      tp.push(t);
      fp.push(f);
    }
  }
  const tps = Float64Array.from(tp);
  const fps = Float64Array.from(fp);
  return {
    thresholds: Float64Array.from(th),
    tps,
    fps,
    tpr: tps.map((v) => v / nPositive),
    fpr: fps.map((v) => v / nNegative),
    nPositive,
    nNegative,
  };
}

/**
 * Trapezoid area under the ROC curve (= Mann–Whitney AUC with ties ½). Summed on the integer
 * counts (ΔFP·(TP_i + TP_{i−1}), exact below 2⁵³) and divided once, so hand-countable cases come
 * out exact (0.5, not 0.49999999999999994).
 */
export function aurocFromCurve(c: RocCurve): number {
  let twiceU = 0;
  for (let i = 1; i < c.fps.length; i++) twiceU += (c.fps[i]! - c.fps[i - 1]!) * (c.tps[i]! + c.tps[i - 1]!);
  return twiceU / (2 * c.nPositive * c.nNegative);
}

export function auroc(labels: ArrayLike<Label>, scores: ArrayLike<number>): number {
  return aurocFromCurve(rocCurve(labels, scores));
}

/** Largest TPR among ROC points with fewer than `maxFalsePositives` false positives. */
export function tprAtFpBelow(c: RocCurve, maxFalsePositives: number): number {
  let best = 0;
  for (let i = 0; i < c.fps.length; i++) if (c.fps[i]! < maxFalsePositives && c.tpr[i]! > best) best = c.tpr[i]!;
  return best;
}

/** FPR at the first ROC point (descending threshold) whose TPR reaches `tpr` (no interpolation). */
export function fprAtTpr(c: RocCurve, tpr = 0.5): number {
  for (let i = 0; i < c.tpr.length; i++) if (c.tpr[i]! >= tpr) return c.fpr[i]!;
  return 1;
}

/**
 * Fraction of positives among the k highest scores. When the k-th place falls inside a group of
 * tied scores, the group contributes its positive fraction times the places it fills (the
 * expectation over random tie-breaking), so the result never depends on input order.
 */
export function precisionAtK(labels: ArrayLike<Label>, scores: ArrayLike<number>, k: number): number {
  const { order, pos } = sortedByScore(labels, scores);
  const n = order.length;
  if (!(Number.isInteger(k) && k >= 1 && k <= n)) throw new InputError('METRICS_K', `k must be an integer in 1..${n}, got ${k}`, { field: 'k' });
  let hits = 0;
  let start = 0;
  while (start < k) {
    let end = start;
    let groupPos = 0;
    while (end < n && scores[order[end]!]! === scores[order[start]!]!) groupPos += pos[order[end++]!]!;
    const take = Math.min(end, k) - start;
    hits += (groupPos * take) / (end - start);
    start = end;
  }
  return hits / k;
}

export interface RocSummary {
  n: number;
  nPositive: number;
  nNegative: number;
  auroc: number;
  tpr0: number;
  tpr10: number;
  fprAtTpr50: number;
}

export function rocSummary(labels: ArrayLike<Label>, scores: ArrayLike<number>): RocSummary {
  const c = rocCurve(labels, scores);
  return {
    n: labels.length,
    nPositive: c.nPositive,
    nNegative: c.nNegative,
    auroc: aurocFromCurve(c),
    tpr0: tprAtFpBelow(c, 1),
    tpr10: tprAtFpBelow(c, 10),
    fprAtTpr50: fprAtTpr(c, 0.5),
  };
}
