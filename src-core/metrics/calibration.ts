// Reliability (calibration) curve: for predicted probabilities binned on [0, 1], the observed
// fraction of positives against the mean predicted probability (Niculescu-Mizil & Caruana 2005),
// with the same binning as scikit-learn's calibration_curve: 'uniform' edges linspace(0, 1, n+1) or
// 'quantile' edges at percentiles of the predictions; a value equal to an inner edge falls in the
// lower bin (numpy searchsorted, side 'left'); empty bins are dropped. Also the Brier score and the
// expected calibration error ECE = Σ_b (n_b/N)·|frac_pos_b − mean_pred_b|.
import { InputError } from '../errors';
import { percentileOfSorted } from '../image/interval';
import type { Label } from './roc';

export interface CalibrationBin {
  lower: number;
  upper: number;
  count: number;
  meanPredicted: number;
  fractionPositive: number;
}

export interface CalibrationCurve {
  bins: CalibrationBin[];
  brier: number;
  ece: number;
}

export function calibrationCurve(
  labels: ArrayLike<Label>,
  probs: ArrayLike<number>,
  opts: { nBins?: number; strategy?: 'uniform' | 'quantile' } = {},
): CalibrationCurve {
  const nBins = opts.nBins ?? 10;
  const n = labels.length;
  if (probs.length !== n) throw new InputError('METRICS_LENGTH', `labels (${n}) and probabilities (${probs.length}) differ in length`);
  if (n === 0) throw new InputError('METRICS_EMPTY', 'calibration curve of no examples');
  if (!(Number.isInteger(nBins) && nBins >= 1)) throw new InputError('METRICS_BINS', `nBins must be a positive integer, got ${nBins}`);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = probs[i]!;
    if (!(p >= 0 && p <= 1)) throw new InputError('METRICS_PROB', `probability at index ${i} is ${p}, outside [0, 1]`, { row: i, field: 'score' });
    const l = labels[i]!;
    if (l !== 0 && l !== 1 && l !== true && l !== false) throw new InputError('METRICS_LABEL', `label at index ${i} is ${String(l)}`, { row: i, field: 'label' });
    y[i] = l === true || l === 1 ? 1 : 0;
  }
  let edges: number[];
  // numpy.linspace(0, 1, n + 1) computes i·(1/n) (so 3·0.1 = 0.30000000000000004), last = 1 exactly.
  if ((opts.strategy ?? 'uniform') === 'uniform') edges = Array.from({ length: nBins + 1 }, (_, i) => (i === nBins ? 1 : i * (1 / nBins)));
  else {
    const sorted = Float64Array.from(probs).sort();
    edges = Array.from({ length: nBins + 1 }, (_, i) => percentileOfSorted(sorted, (100 * i) / nBins));
  }
  const inner = edges.slice(1, -1);
  const cnt = new Float64Array(nBins);
  const sumP = new Float64Array(nBins);
  const sumY = new Float64Array(nBins);
  let brier = 0;
  for (let i = 0; i < n; i++) {
    const p = probs[i]!;
    let b = 0; // searchsorted(inner, p, 'left'): number of inner edges strictly below p
    while (b < inner.length && inner[b]! < p) b++;
    cnt[b]!++;
    sumP[b]! += p;
    sumY[b]! += y[i]!;
    brier += (p - y[i]!) ** 2;
  }
  const bins: CalibrationBin[] = [];
  let ece = 0;
  for (let b = 0; b < nBins; b++) {
    if (cnt[b] === 0) continue;
    const meanPredicted = sumP[b]! / cnt[b]!;
    const fractionPositive = sumY[b]! / cnt[b]!;
    bins.push({ lower: edges[b]!, upper: edges[b + 1]!, count: cnt[b]!, meanPredicted, fractionPositive });
    ece += (cnt[b]! / n) * Math.abs(fractionPositive - meanPredicted);
  }
  return { bins, brier: brier / n, ece };
}
