// robustSigma: 1.4826 × MAD, checked against the plain definition and a Gaussian's known σ.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { robustSigma } from './stamp';

function naive(a: number[]): number {
  const v = a.filter(Number.isFinite).sort((x, y) => x - y);
  const med = v[v.length >> 1]!;
  const dev = v.map((x) => Math.abs(x - med)).sort((x, y) => x - y);
  return 1.4826 * dev[dev.length >> 1]!;
}

describe('robustSigma', () => {
  it('equals the plain definition (with NaNs skipped) and estimates a Gaussian σ', () => {
    const rng = new Rng(11, 0);
    const a = Array.from({ length: 1500 }, (_, i) => (i % 97 === 0 ? NaN : 3 + 2.5 * rng.normal()));
    expect(robustSigma(a)).toBe(naive(a));
    expect(robustSigma(Float32Array.from(a))).toBeCloseTo(naive(Array.from(Float32Array.from(a))), 12);
    expect(robustSigma(a)).toBeGreaterThan(2.3);
    expect(robustSigma(a)).toBeLessThan(2.7);
  });
  it('returns 1 for empty or constant data (no division by zero downstream)', () => {
    expect(robustSigma([])).toBe(1);
    expect(robustSigma([NaN, NaN])).toBe(1);
    expect(robustSigma(new Float32Array(50).fill(4))).toBe(1);
  });
});

describe('robustSigma on many random inputs (odd, even, ties)', () => {
  it('matches the sorting definition exactly', () => {
    const rng = new Rng(5, 1);
    for (let t = 0; t < 200; t++) {
      const n = 1 + Math.floor(rng.uniform() * 300);
      const a = Array.from({ length: n }, () => (rng.uniform() < 0.3 ? Math.round(rng.normal() * 3) : rng.normal()));
      expect(robustSigma(a), `n=${n}`).toBe(naive(a) || 1);
    }
  });
});
