// One evaluation report of a lens finder on a labelled set (Metcalf et al. 2019 metrics, definitions
// in docs/metrics.md): AUROC, TPR0, TPR10, FPR at TPR 0.5, precision at the top k, the ROC curve
// (thinned for plotting) and a reliability curve. Shared by the fine-tune job, the models view and
// `lensdesk evaluate`, so the three report the same numbers.
import { calibrationCurve, precisionAtK, rocCurve, rocSummary, type CalibrationCurve, type RocSummary } from '../metrics/index';

export interface EvaluationReport extends RocSummary {
  precisionAtK: Record<string, number>;
  /** null when a score lies outside [0, 1]. */
  calibration: CalibrationCurve | null;
  /** ROC points (fpr, tpr ascending; threshold null for +∞), at most `maxPoints` (+ the ends). */
  roc: { fpr: number[]; tpr: number[]; thresholds: (number | null)[] };
}

/** Keeps at most ~maxPoints of a curve, always the first and last point. */
export function thinCurve(n: number, maxPoints: number): number[] {
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const step = (n - 1) / (maxPoints - 1);
  const out: number[] = [];
  for (let k = 0; k < maxPoints; k++) out.push(Math.round(k * step));
  return [...new Set(out)];
}

export function evaluationReport(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  opts: { k?: number[]; bins?: number; maxRocPoints?: number } = {},
): EvaluationReport {
  const summary = rocSummary(labels, scores);
  const curve = rocCurve(labels, scores);
  const keep = thinCurve(curve.fpr.length, opts.maxRocPoints ?? 400);
  const pk: Record<string, number> = {};
  for (const k of opts.k ?? [10, 50, 100]) if (k <= labels.length) pk[String(k)] = precisionAtK(labels, scores, k);
  let inUnit = true;
  for (let i = 0; i < scores.length; i++) if (!(scores[i]! >= 0 && scores[i]! <= 1)) inUnit = false;
  return {
    ...summary,
    precisionAtK: pk,
    calibration: inUnit ? calibrationCurve(labels, scores, { nBins: opts.bins ?? 10 }) : null,
    roc: {
      fpr: keep.map((i) => curve.fpr[i]!),
      tpr: keep.map((i) => curve.tpr[i]!),
      thresholds: keep.map((i) => (Number.isFinite(curve.thresholds[i]!) ? curve.thresholds[i]! : null)),
    },
  };
}
