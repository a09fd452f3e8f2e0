import { describe, expect, it } from 'vitest';
import { rocCurve, tprAtFpBelow } from '../metrics/roc';
import { breakdownItem, finderBreakdown, type BreakdownItem } from './breakdown';

describe('finder breakdown (per-class FPR, per-θE TPR)', () => {
  it('counts by hand: FPR per class at 0.5, TPR per θE bin at 0.5', () => {
    const items: BreakdownItem[] = [
      { label: 0, score: 0.9, kind: 'ring' }, { label: 0, score: 0.2, kind: 'ring' }, { label: 0, score: 0.6, kind: 'ring' },
      { label: 0, score: 0.1, kind: 'merger' }, { label: 0, score: 0.4, kind: 'merger' },
      { label: 1, score: 0.95, thetaE: 0.7, sourceKind: 'quasar' }, { label: 1, score: 0.3, thetaE: 0.9 },
      { label: 1, score: 0.8, thetaE: 1.2 }, { label: 1, score: 0.7, thetaE: 2.5 },
    ];
    const b = finderBreakdown(items, [0.5, 1, 1.5, 2, 2.5]);
    expect(b.negatives.ring).toEqual({ n: 3, above50: 2 / 3, atTpr10: 1 });
    expect(b.negatives.merger!.above50).toBe(0);
    expect(b.thetaE.map((x) => [x.lo, x.n, x.above50])).toEqual([[0.5, 2, 0.5], [1, 1, 1], [1.5, 0, NaN], [2, 1, 1]]);
    expect(b.sources.quasar).toEqual({ n: 1, above50: 1, atTpr10: 1 });
    expect(b.sources.galaxy!.n).toBe(3);
    // Fewer than 10 negatives in all: every threshold keeps FP < 10, so the threshold is the lowest score.
    expect(b.tpr10Threshold).toBe(0.1);
  });

  it('per-bin TPR at < 10 FP equals TPR10 computed on that bin\'s lenses and all negatives', () => {
    const items: BreakdownItem[] = [];
    let s = 1;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 300; i++) items.push({ label: 0, score: rnd() * 0.8, kind: i % 2 ? 'ring' : 'merger' });
    for (let i = 0; i < 200; i++) items.push({ label: 1, score: 0.3 + 0.7 * rnd(), thetaE: 0.5 + 2 * rnd() });
    const b = finderBreakdown(items, [0.5, 1, 2.5]);
    for (const bin of b.thetaE) {
      const sub = items.filter((x) => !x.label || (x.thetaE! >= bin.lo && x.thetaE! < bin.hi));
      const c = rocCurve(sub.map((x) => x.label), sub.map((x) => x.score));
      expect(bin.atTpr10).toBeCloseTo(tprAtFpBelow(c, 10), 12);
    }
  });

  it('reads simulator truth records', () => {
    expect(breakdownItem({ is_lens: 0, kind: 'edgeon', theta_E: NaN }, 0.3)).toEqual({ label: 0, score: 0.3, kind: 'edgeon' });
    expect(breakdownItem({ is_lens: 1, kind: 'lens', theta_E: 0.9, src_kind: 'quasar' }, 0.7)).toEqual({ label: 1, score: 0.7, thetaE: 0.9, sourceKind: 'quasar' });
  });
});
