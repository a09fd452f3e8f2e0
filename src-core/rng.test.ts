import { describe, expect, it } from 'vitest';
import { Rng, lgamma } from './rng';

describe('Rng', () => {
  it('is reproducible per key and independent across keys', () => {
    const a = new Rng(42, 7);
    const b = new Rng(42, 7);
    const c = new Rng(42, 8);
    const xa = Array.from({ length: 5 }, () => a.nextU32());
    const xb = Array.from({ length: 5 }, () => b.nextU32());
    const xc = Array.from({ length: 5 }, () => c.nextU32());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
  });
  it('uniform and normal have the right moments', () => {
    const r = new Rng(1);
    const n = 200_000;
    let su = 0, sn = 0, sn2 = 0;
    for (let i = 0; i < n; i++) {
      su += r.uniform();
      const z = r.normal();
      sn += z;
      sn2 += z * z;
    }
    expect(Math.abs(su / n - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(sn / n)).toBeLessThan(0.01);
    expect(Math.abs(sn2 / n - 1)).toBeLessThan(0.015);
  });
  it('poisson mean and variance match for small and large means', () => {
    const r = new Rng(3);
    for (const mu of [0.7, 4, 35, 2500]) {
      const n = 50_000;
      let s = 0, s2 = 0;
      for (let i = 0; i < n; i++) {
        const k = r.poisson(mu);
        s += k;
        s2 += k * k;
      }
      const m = s / n;
      const v = s2 / n - m * m;
      expect(Math.abs(m - mu) / Math.sqrt(mu / n)).toBeLessThan(5);
      expect(Math.abs(v / mu - 1)).toBeLessThan(0.05);
    }
  });
  it('lgamma matches factorials', () => {
    expect(lgamma(1)).toBeCloseTo(0, 12);
    expect(lgamma(11)).toBeCloseTo(Math.log(3628800), 11);
    expect(lgamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
  });
});
