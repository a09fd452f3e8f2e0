import { describe, expect, it } from 'vitest';
import { axisRange, chainColumn, histogram, scale } from '../src-renderer/features/posterior/plot-math';

describe('posterior plot helpers', () => {
  it('pick a parameter column per chain from row-major draws', () => {
    const s = { id: 1, parameters: ['a', 'b', 'c'], chains: 2, drawsPerChain: 2, thin: 1, draws: [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]] };
    expect(chainColumn(s, 'b')).toEqual([[2, 5], [8, 11]]);
    expect(chainColumn(s, 'zz')).toEqual([[], []]);
  });
  it('histogram counts every in-range value once, the top edge in the last bin', () => {
    expect(histogram([0, 0.1, 0.5, 0.99, 1, 2, -1], 0, 1, 2)).toEqual([2, 3]);
  });
  it('axis range pads and never collapses', () => {
    const [lo, hi] = axisRange([5, 5, 5]);
    expect(lo).toBeLessThan(5);
    expect(hi).toBeGreaterThan(5);
    const r = axisRange(Array.from({ length: 1001 }, (_, i) => i / 1000));
    expect(r[0]).toBeCloseTo(0.005 - 0.0495, 3);
  });
  it('scale maps ends to ends (inverted y axis too)', () => {
    const y = scale(0, 10, 100, 0);
    expect(y(0)).toBe(100);
    expect(y(10)).toBe(0);
    expect(y(2.5)).toBe(75);
  });
});
