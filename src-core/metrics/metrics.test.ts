// Metrics against independent values: hand-worked cases, brute force in the test (AUROC by counting
// all positive/negative pairs, ROC by scanning every threshold), a published Fleiss example, and a
// separate NumPy implementation run with Debian's /usr/bin/python3 (scikit-learn is not installed
// there; the NumPy code below re-derives each metric from its definition, not from our code).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { calibrationCurve } from './calibration';
import { cohenKappa, fleissKappa, fleissKappaFromRatings, fleissKappaVaryingRaters, kappaSummaryLine } from './agreement';
import { auroc, fprAtTpr, precisionAtK, rocCurve, rocSummary, tprAtFpBelow } from './roc';

function bruteAuroc(y: number[], s: number[]): number {
  let u = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++)
    for (let j = 0; j < y.length; j++)
      if (y[i] === 1 && y[j] === 0) {
        pairs++;
        u += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
      }
  return u / pairs;
}

function dataset(seed: number, n: number, decimals: number) {
  const rng = new Rng(seed, 0);
  const y: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < n; i++) {
    const pos = rng.uniform() < 0.3 ? 1 : 0;
    y.push(pos);
    const raw = 1 / (1 + Math.exp(-(rng.normal() + 1.5 * pos - 0.7)));
    s.push(Number(raw.toFixed(decimals)));
  }
  return { y, s };
}

describe('ROC metrics: hand-worked', () => {
  const y = [1, 0, 1, 0, 1];
  const s = [0.9, 0.9, 0.5, 0.3, 0.3];
  it('curve groups ties and starts at (0,0) with +Inf', () => {
    const c = rocCurve(y, s);
    expect(Array.from(c.thresholds)).toEqual([Infinity, 0.9, 0.5, 0.3]);
    expect(Array.from(c.tps)).toEqual([0, 1, 2, 3]);
    expect(Array.from(c.fps)).toEqual([0, 1, 1, 2]);
  });
  it('AUROC, TPR0, TPR10, FPR@TPR0.5, precision@k', () => {
    // U = 1.5 + 1 + 0.5 = 3 of 6 pairs
    expect(auroc(y, s)).toBeCloseTo(0.5, 15);
    const c = rocCurve(y, s);
    expect(tprAtFpBelow(c, 1)).toBe(0); // the top-scoring positive ties with a negative
    expect(tprAtFpBelow(c, 10)).toBe(1);
    expect(fprAtTpr(c, 0.5)).toBe(0.5); // TPR reaches 2/3 at threshold 0.5 with 1 FP of 2
    expect(precisionAtK(y, s, 1)).toBe(0.5); // top group {pos, neg} fills one place: expectation ½
    expect(precisionAtK(y, s, 3)).toBeCloseTo(2 / 3, 15);
    expect(precisionAtK(y, s, 4)).toBeCloseTo((2 + 0.5) / 4, 15);
  });
  it('perfect and inverted rankers', () => {
    expect(rocSummary([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toMatchObject({ auroc: 1, tpr0: 1, tpr10: 1, fprAtTpr50: 0 });
    expect(auroc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
  });
  it('clear InputErrors', () => {
    expect(() => auroc([1, 1], [0.2, 0.3])).toThrow(/at least one positive and one negative/);
    expect(() => auroc([1, 2], [0.2, 0.3])).toThrow(/label at index 1/);
    expect(() => auroc([1, 0], [0.2, NaN])).toThrow(/score at index 1 is NaN/);
  });
});

describe.each([
  ['continuous scores', 11, 400, 6],
  ['tie-heavy scores (1 decimal)', 12, 400, 1],
])('ROC metrics vs brute force: %s', (_n, seed, n, dec) => {
  const { y, s } = dataset(seed, n, dec);
  it('AUROC equals the pair count (Mann–Whitney)', () => {
    expect(Math.abs(auroc(y, s) - bruteAuroc(y, s))).toBeLessThan(1e-12);
  });
  it('each ROC point equals a direct count at its threshold; TPR0/TPR10 by scanning', () => {
    const c = rocCurve(y, s);
    const P = y.filter((v) => v === 1).length;
    const distinct = [...new Set(s)].sort((a, b) => b - a);
    expect(c.thresholds.length).toBe(distinct.length + 1);
    let best0 = 0;
    let best10 = 0;
    distinct.forEach((t, i) => {
      const tp = y.filter((v, j) => v === 1 && s[j]! >= t).length;
      const fp = y.filter((v, j) => v === 0 && s[j]! >= t).length;
      expect([c.thresholds[i + 1], c.tps[i + 1], c.fps[i + 1]]).toEqual([t, tp, fp]);
      if (fp === 0) best0 = Math.max(best0, tp / P);
      if (fp < 10) best10 = Math.max(best10, tp / P);
    });
    expect(tprAtFpBelow(c, 1)).toBe(best0);
    expect(tprAtFpBelow(c, 10)).toBe(best10);
  });
  it('precision@k does not depend on input order', () => {
    const idx = y.map((_, i) => i).reverse();
    for (const k of [1, 10, 50, 100]) expect(precisionAtK(idx.map((i) => y[i]!), idx.map((i) => s[i]!), k)).toBeCloseTo(precisionAtK(y, s, k), 12);
  });
});

describe("Fleiss' and Cohen's kappa", () => {
  it("reproduces the worked example (10 subjects, 5 categories, 14 raters: κ = 0.210)", () => {
    // Fleiss (1971)-style worked example as tabulated in the Wikipedia article on Fleiss' kappa:
    // column totals 20, 28, 39, 21, 32; P̄ = 0.378, P_e = 0.213, κ = 0.210.
    const t = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    expect(fleissKappa(t)).toBeCloseTo(0.21, 3);
  });
  it('perfect agreement → 1; from raw ratings; Cohen on a 2×2 textbook case', () => {
    expect(fleissKappaFromRatings([['lens', 'lens', 'lens'], ['no', 'no', 'no'], ['lens', 'lens', 'lens']])).toBe(1);
    // Cohen: 50 items, agree on 20 yes + 15 no; rater A yes 25, B yes 30 → p_o=0.7, p_e=0.5·0.6+0.5·0.4=0.5 → κ=0.4
    const a = [...Array(20).fill('y'), ...Array(5).fill('y'), ...Array(10).fill('n'), ...Array(15).fill('n')];
    const b = [...Array(20).fill('y'), ...Array(5).fill('n'), ...Array(10).fill('y'), ...Array(15).fill('n')];
    expect(cohenKappa(a, b)).toBeCloseTo(0.4, 12);
    expect(() => fleissKappa([[1, 2], [1, 1]])).toThrow(/same number of raters/);
  });
  it('varying raters per subject: hand-worked case, equal raters reduce to Fleiss, single ratings left out', () => {
    // [A,A], [A,B,B], [B,B,B]: p_a = (1 + 1/3 + 1)/3 = 7/9; π_A = (1 + 1/3 + 0)/3 = 4/9, π_B = 5/9;
    // p_e = 41/81; κ = (63 − 41)/(81 − 41) = 22/40 = 0.55.
    const r = fleissKappaVaryingRaters([['A', 'A'], ['A', 'B', 'B'], ['B', 'B', 'B'], ['A']]);
    expect(r.kappa).toBeCloseTo(0.55, 12);
    expect(r).toMatchObject({ subjects: 3, minRaters: 2, maxRaters: 3 });
    const equal = [['a', 'b', 'b'], ['a', 'a', 'a'], ['b', 'c', 'c'], ['c', 'c', 'a']];
    expect(fleissKappaVaryingRaters(equal).kappa).toBeCloseTo(fleissKappaFromRatings(equal), 12);
    expect(fleissKappaVaryingRaters([[3], [2], [1]])).toEqual({ kappa: null, subjects: 0, minRaters: 0, maxRaters: 0 });
  });
  it('says what κ was computed over, or why there is none', () => {
    const base = { value: null, subjects: 0, minRaters: 0, maxRaters: 0 };
    expect(kappaSummaryLine({ ...base, graded: 30, reviewers: 1 })).toBe("Fleiss' κ needs ≥ 2 reviewers per candidate (30 graded by 1 reviewer)");
    expect(kappaSummaryLine({ ...base, graded: 0, reviewers: 0 })).toBe("Fleiss' κ needs ≥ 2 reviewers per candidate (nothing graded yet)");
    expect(kappaSummaryLine({ ...base, graded: 12, reviewers: 2 })).toBe("Fleiss' κ needs ≥ 2 reviewers per candidate (12 graded each by 1 of 2 reviewers)");
    expect(kappaSummaryLine({ value: 0.4123, subjects: 10, minRaters: 2, maxRaters: 3, graded: 30, reviewers: 3 })).toBe("Fleiss' κ 0.412 (10 candidates graded by 2–3 reviewers; 20 more graded by 1 reviewer)");
    expect(kappaSummaryLine({ value: null, subjects: 4, minRaters: 2, maxRaters: 2, graded: 4, reviewers: 2 })).toMatch(/undefined: every grade falls in one category \(4 candidates graded by 2 reviewers\)/);
  });
});

const PY = '/usr/bin/python3';
const hasNumpy = existsSync(PY) && (() => { try { execFileSync(PY, ['-c', 'import numpy'], { stdio: 'ignore' }); return true; } catch { return false; } })();

const NUMPY_REF = String.raw`
import json, sys
import numpy as np
d = json.load(sys.stdin)
y = np.array(d['y']); s = np.array(d['s']); k = d['k']
P = y.sum(); N = len(y) - P
th = np.unique(s)[::-1]
tps = np.array([((s >= t) & (y == 1)).sum() for t in th]); fps = np.array([((s >= t) & (y == 0)).sum() for t in th])
tpr = np.r_[0, tps / P]; fpr = np.r_[0, fps / N]; fpsa = np.r_[0, fps]
auc = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
# Mann-Whitney from average ranks
order = np.argsort(s, kind='mergesort'); r = np.empty(len(s)); ss = s[order]
i = 0
while i < len(ss):
    j = i
    while j + 1 < len(ss) and ss[j + 1] == ss[i]: j += 1
    r[order[i:j + 1]] = (i + j) / 2 + 1; i = j + 1
mw = (r[y == 1].sum() - P * (P + 1) / 2) / (P * N)
out = dict(auc=auc, mw=float(mw), tpr0=float(tpr[fpsa == 0].max()), tpr10=float(tpr[fpsa < 10].max()),
           fpr50=float(fpr[np.argmax(tpr >= 0.5)]))
# precision at k with ties shared
prec = []
for kk in k:
    above = s > np.sort(s)[::-1][kk - 1]; tie = s == np.sort(s)[::-1][kk - 1]
    prec.append(float((y[above].sum() + (kk - above.sum()) * y[tie].mean()) / kk))
out['prec'] = prec
# reliability curve, uniform bins (sklearn's calibration_curve convention)
p = d['p']; p = np.array(p); edges = np.linspace(0, 1, d['nbins'] + 1)
ids = np.searchsorted(edges[1:-1], p)
cnt = np.bincount(ids, minlength=d['nbins']); sp = np.bincount(ids, weights=p, minlength=d['nbins']); sy = np.bincount(ids, weights=y, minlength=d['nbins'])
nz = cnt > 0
out['cal_pred'] = (sp[nz] / cnt[nz]).tolist(); out['cal_true'] = (sy[nz] / cnt[nz]).tolist(); out['brier'] = float(np.mean((p - y) ** 2))
qe = np.percentile(p, np.linspace(0, 100, d['nbins'] + 1)); qi = np.searchsorted(qe[1:-1], p)
qc = np.bincount(qi, minlength=d['nbins']); qs = np.bincount(qi, weights=y, minlength=d['nbins'])
out['calq_true'] = (qs[qc > 0] / qc[qc > 0]).tolist()
# Fleiss kappa
m = np.array(d['m'], dtype=float); n = m.sum(1)[0]
Pi = ((m ** 2).sum(1) - n) / (n * (n - 1)); pj = m.sum(0) / m.sum()
out['fleiss'] = float((Pi.mean() - (pj ** 2).sum()) / (1 - (pj ** 2).sum()))
print(json.dumps(out))
`;

describe.skipIf(!hasNumpy)(`metrics vs an independent NumPy implementation (${hasNumpy ? PY : 'skipped: /usr/bin/python3 with numpy not found'})`, () => {
  it.each([
    ['continuous', 21, 6],
    ['tie-heavy', 22, 1],
  ])('%s', (_n, seed, dec) => {
    const { y, s } = dataset(seed, 500, dec);
    const rng = new Rng(seed, 5);
    const m = Array.from({ length: 40 }, () => {
      const row = [0, 0, 0, 0];
      for (let r = 0; r < 6; r++) row[Math.min(3, Math.floor(rng.uniform() * rng.uniform() * 5))]!++;
      return row;
    });
    const k = [1, 10, 25, 100];
    const ref = JSON.parse(execFileSync(PY, ['-c', NUMPY_REF], { input: JSON.stringify({ y, s, k, p: s, nbins: 10, m }) }).toString());
    const sum = rocSummary(y, s);
    expect(Math.abs(sum.auroc - ref.auc)).toBeLessThan(1e-12);
    expect(Math.abs(sum.auroc - ref.mw)).toBeLessThan(1e-12);
    expect(sum.tpr0).toBeCloseTo(ref.tpr0, 14);
    expect(sum.tpr10).toBeCloseTo(ref.tpr10, 14);
    expect(sum.fprAtTpr50).toBeCloseTo(ref.fpr50, 14);
    k.forEach((kk, i) => expect(precisionAtK(y, s, kk)).toBeCloseTo(ref.prec[i], 12));
    const cal = calibrationCurve(y, s, { nBins: 10 });
    expect(cal.bins.length).toBe(ref.cal_pred.length);
    cal.bins.forEach((b, i) => {
      expect(b.meanPredicted).toBeCloseTo(ref.cal_pred[i], 12);
      expect(b.fractionPositive).toBeCloseTo(ref.cal_true[i], 12);
    });
    expect(cal.brier).toBeCloseTo(ref.brier, 12);
    const calq = calibrationCurve(y, s, { nBins: 10, strategy: 'quantile' });
    expect(calq.bins.map((b) => b.fractionPositive).length).toBe(ref.calq_true.length);
    calq.bins.forEach((b, i) => expect(b.fractionPositive).toBeCloseTo(ref.calq_true[i], 12));
    expect(fleissKappa(m)).toBeCloseTo(ref.fleiss, 12);
  });
});
