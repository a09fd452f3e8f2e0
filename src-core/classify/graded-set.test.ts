// Grades → labels (mapping, weights, reviewer votes) and the stratified held-out split.
import { describe, expect, it } from 'vitest';
import { evaluationReport, thinCurve } from './evaluation';
import { gradedSet, parseMapping, splitGraded } from './graded-set';

describe('gradedSet', () => {
  it('maps A/B → lens, X → non-lens, ignores C, and votes across reviewers', () => {
    const g = gradedSet([
      { sourceId: 1, grade: 3 }, // A
      { sourceId: 2, grade: 2 }, // B
      { sourceId: 3, grade: 1 }, // C only: ignored
      { sourceId: 4, grade: 0 }, // X
      { sourceId: 5, grade: 3 }, { sourceId: 5, grade: 0 }, // tie: conflict
      { sourceId: 6, grade: 3 }, { sourceId: 6, grade: 2 }, { sourceId: 6, grade: 0 }, // 2 lens votes vs 1
    ]);
    expect(g.items.map((i) => [i.sourceId, i.label, i.votes])).toEqual([[1, 1, 1], [2, 1, 1], [4, 0, 1], [6, 1, 3]]);
    expect(g.counts).toEqual({ sources: 6, lens: 3, nonLens: 1, ignored: 1, conflicts: 1, grades: 8 });
  });

  it('uses a custom mapping and weights (weights decide votes and become sample weights)', () => {
    const { mapping, weights } = parseMapping({ B: null, C: 0 }, { A: 2, X: 0.5 });
    const g = gradedSet([{ sourceId: 1, grade: 2 }, { sourceId: 2, grade: 1 }, { sourceId: 3, grade: 3 }, { sourceId: 3, grade: 0 }, { sourceId: 3, grade: 0 }], mapping, weights);
    // source 3: A (w 2) against two X (w 0.5 each): Σw·y/Σw = 2/3 → lens, weight 2
    expect(g.items).toEqual([
      { sourceId: 2, label: 0, weight: 1, votes: 1 },
      { sourceId: 3, label: 1, weight: 2, votes: 3 },
    ]);
    expect(() => parseMapping({ A: 2 }, undefined)).toThrow(/mapping.A/);
    expect(() => parseMapping(undefined, { B: -1 })).toThrow(/weights.B/);
  });
});

describe('splitGraded', () => {
  const items = Array.from({ length: 60 }, (_, i) => ({ sourceId: i + 1, label: (i < 20 ? 1 : 0) as 0 | 1, weight: 1, votes: 1 }));
  it('holds out ceil(25 %) of each class, deterministically, disjoint from training', () => {
    const a = splitGraded(items);
    const b = splitGraded([...items].reverse());
    expect(a.heldOut).toBe(true);
    expect(a.test.filter((i) => i.label === 1)).toHaveLength(5);
    expect(a.test.filter((i) => i.label === 0)).toHaveLength(10);
    expect(new Set(a.test.map((i) => i.sourceId))).toEqual(new Set(b.test.map((i) => i.sourceId)));
    const train = new Set(a.train.map((i) => i.sourceId));
    expect(a.test.some((i) => train.has(i.sourceId))).toBe(false);
    expect(a.train.length + a.test.length).toBe(60);
  });
  it('evaluates in-sample when a class is too small', () => {
    const s = splitGraded(items.slice(11)); // 9 lenses
    expect(s.heldOut).toBe(false);
    expect(s.test).toBe(s.train);
  });
});

describe('evaluationReport', () => {
  it('matches a hand-worked example and thins long curves keeping the ends', () => {
    // scores 0.9(+) 0.8(−) 0.7(+) 0.1(−): pairs (+,−) won 3 of 4 → AUROC 0.75; TPR0 = 0.5
    const r = evaluationReport([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], { k: [1, 2, 9] });
    expect(r.auroc).toBe(0.75);
    expect(r.tpr0).toBe(0.5);
    expect(r.precisionAtK).toEqual({ '1': 1, '2': 0.5 });
    expect(r.roc.thresholds[0]).toBeNull();
    expect(r.roc.fpr.at(-1)).toBe(1);
    expect(r.calibration?.bins.reduce((s, b) => s + b.count, 0)).toBe(4);
    expect(evaluationReport([1, 0], [2, -1]).calibration).toBeNull();
    const k = thinCurve(1000, 10);
    expect(k[0]).toBe(0);
    expect(k.at(-1)).toBe(999);
    expect(k.length).toBe(10);
  });
});
