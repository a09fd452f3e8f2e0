import { describe, expect, it } from 'vitest';
import { cardBreakdowns } from '../src-renderer/features/models/breakdown';

describe('card breakdowns for the models view', () => {
  it('reads heldOutEvaluations.<name>.breakdown into class and θE rows with the goals', () => {
    const card = {
      heldOutEvaluations: {
        hard: {
          command: 'lensdesk evaluate --hard', n: 10, auroc: 0.9, tpr10: 0.5,
          breakdown: {
            tpr10Threshold: 0.8,
            negatives: { ring: { n: 4, above50: 0.5, atTpr10: 0.25 }, spiral: { n: 1, above50: 0, atTpr10: 0 } },
            thetaE: [{ lo: 0.5, hi: 1, n: 3, above50: 1 / 3, atTpr10: 0 }, { lo: 1, hi: 1.5, n: 2, above50: 1, atTpr10: 0.5 }],
            sources: { quasar: { n: 2, above50: 0.5, atTpr10: 0.5 } },
          },
        },
        old: { n: 5 },
      },
    };
    const [b, ...rest] = cardBreakdowns(card);
    expect(rest).toHaveLength(0);
    expect(b!.name).toBe('hard');
    expect(b!.negatives.map((r) => [r.label, r.goal ?? null])).toEqual([['ring', '≤ 10 %'], ['spiral', null]]);
    expect(b!.lenses.map((r) => r.label)).toEqual(['θE 0.5–1″', 'θE 1–1.5″', 'source: quasar']);
    expect(b!.lenses[0]!.goal).toBe('≥ 60 % at < 10 FP');
    expect(b!.lenses[1]!.goal).toBeUndefined();
  });
  it('cards without breakdowns give none', () => {
    expect(cardBreakdowns({})).toEqual([]);
    expect(cardBreakdowns({ heldOutEvaluations: 3 })).toEqual([]);
  });
});
