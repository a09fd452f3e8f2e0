import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { swap, type Classification } from './swap';

describe('SWAP aggregation', () => {
  it('learns each reviewer’s confusion matrix from practice items', () => {
    const cls: Classification[] = [];
    const rng = new Rng(1);
    // "good" is right 90 % of the time on lenses and 95 % on duds; "random" guesses.
    for (let i = 0; i < 400; i++) {
      const truth = i % 2 === 0;
      const good = truth ? (rng.uniform() < 0.9 ? 3 : 0) : rng.uniform() < 0.95 ? 0 : 3;
      cls.push({ reviewer: 'good', item: -i - 1, grade: good, truth });
      cls.push({ reviewer: 'random', item: -i - 1, grade: rng.uniform() < 0.5 ? 3 : 0, truth });
    }
    const r = swap(cls);
    const g = r.agents.get('good')!;
    const x = r.agents.get('random')!;
    expect(g.pL).toBeGreaterThan(0.85);
    expect(g.pL).toBeLessThan(0.95);
    expect(g.pD).toBeGreaterThan(0.9);
    expect(Math.abs(x.pL - 0.5)).toBeLessThan(0.1);
    expect(g.skill).toBeGreaterThan(5 * x.skill);
  });

  it('posterior follows Bayes’ rule exactly and retires at the thresholds', () => {
    const practice: Classification[] = [];
    // Agent with pL = (8+1)/(10+2) = 0.75 and pD = (9+1)/(10+2) = 10/12 after practice.
    for (let i = 0; i < 10; i++) practice.push({ reviewer: 'a', item: -1 - i, grade: i < 8 ? 3 : 0, truth: true });
    for (let i = 0; i < 10; i++) practice.push({ reviewer: 'a', item: -100 - i, grade: i < 9 ? 0 : 3, truth: false });
    const votes = Array.from({ length: 12 }, () => ({ reviewer: 'a', item: 7, grade: 3 }));
    const r = swap([...practice, ...votes], { prior: 0.01 });
    const lr = 0.75 / (1 - 10 / 12);
    const odds = (0.01 / 0.99) * lr ** 12;
    expect(r.posterior.get(7)).toBeCloseTo(odds / (1 + odds), 12);
    expect(r.status.get(7)).toBe('lens');
    const one = swap([...practice, { reviewer: 'a', item: 9, grade: 0 }], { prior: 2e-4 });
    expect(one.posterior.get(9)!).toBeLessThan(2e-4);
    expect(one.status.get(9)).toBe('active');
  });
});
