// The Cartesian shapelet basis (shapelets.ts) against independent references: orthonormality of the Hermite
// functions by quadrature, their values against the closed-form H_n, derivatives against central differences,
// the (n1, n2) layout; and the bounded-variable NNLS (nnls.ts, free columns) against exhaustive active-set
// enumeration.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { nnlsGram } from './nnls';
import { hermiteFunctions, ShapeletBasis, shapeletGradient } from './shapelets';
import { bruteNnls, randomNormalEquations } from './nnls-brute.testutil';

/** Physicists' Hermite polynomials by their explicit low-order forms. */
const H = [
  (x: number) => 1, (x: number) => 2 * x, (x: number) => 4 * x * x - 2, (x: number) => 8 * x ** 3 - 12 * x,
  (x: number) => 16 * x ** 4 - 48 * x * x + 12, (x: number) => 32 * x ** 5 - 160 * x ** 3 + 120 * x,
];
const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));

describe('hermiteFunctions', () => {
  it('equal [2ⁿ √π n!]^{-1/2} H_n(x) e^{-x²/2} (Refregier 2003 eq. 1) for n ≤ 5', () => {
    const p = new Float64Array(6);
    for (const x of [-3.1, -0.7, 0, 0.4, 2.2]) {
      hermiteFunctions(x, p, null);
      for (let n = 0; n <= 5; n++) expect(p[n]).toBeCloseTo(H[n]!(x) * Math.exp(-x * x / 2) / Math.sqrt(2 ** n * Math.sqrt(Math.PI) * fact(n)), 12);
    }
  });

  it('are orthonormal (∫ φ_m φ_n dx = δ_mn by the trapezoid rule on [−12, 12]) up to n = 12', () => {
    const N = 12, h = 0.005;
    const gram = new Float64Array((N + 1) ** 2);
    const p = new Float64Array(N + 1);
    for (let x = -12; x <= 12; x += h) {
      hermiteFunctions(x, p, null);
      for (let m = 0; m <= N; m++) for (let n = 0; n <= N; n++) gram[m * (N + 1) + n] = gram[m * (N + 1) + n]! + h * p[m]! * p[n]!;
    }
    for (let m = 0; m <= N; m++) for (let n = 0; n <= N; n++) expect(gram[m * (N + 1) + n]).toBeCloseTo(m === n ? 1 : 0, 8);
  });

  it('derivatives equal central differences', () => {
    const p = new Float64Array(9), d = new Float64Array(9), pp = new Float64Array(9), pm = new Float64Array(9), h = 1e-6;
    for (const x of [-2.3, 0.1, 1.7]) {
      hermiteFunctions(x, p, d);
      hermiteFunctions(x + h, pp, null);
      hermiteFunctions(x - h, pm, null);
      for (let n = 0; n <= 8; n++) expect(d[n]).toBeCloseTo((pp[n]! - pm[n]!) / (2 * h), 7);
    }
  });
});

describe('ShapeletBasis', () => {
  it('holds every (n1, n2) with n1 + n2 ≤ n_max once, by total order', () => {
    for (const nMax of [0, 1, 4, 6]) {
      const b = new ShapeletBasis(nMax);
      expect(b.count).toBe(((nMax + 1) * (nMax + 2)) / 2);
      const seen = new Set<string>();
      let last = 0;
      for (let k = 0; k < b.count; k++) {
        expect(b.n1[k]! + b.n2[k]!).toBeLessThanOrEqual(nMax);
        expect(b.n1[k]! + b.n2[k]!).toBeGreaterThanOrEqual(last);
        last = b.n1[k]! + b.n2[k]!;
        seen.add(`${b.n1[k]},${b.n2[k]}`);
      }
      expect(seen.size).toBe(b.count);
    }
    expect(() => new ShapeletBasis(-1)).toThrow(/n_max/);
    expect(() => new ShapeletBasis(2.5)).toThrow(/n_max/);
  });

  it('shapeletGradient is the derivative of Σ c_k B_k(u, v)', () => {
    const b = new ShapeletBasis(4);
    const c = Array.from({ length: b.count }, (_, k) => Math.sin(1.3 * k + 0.2));
    const S = (u: number, v: number) => {
      b.at(u, v);
      let s = 0;
      for (let k = 0; k < b.count; k++) s += c[k]! * b.pu[b.n1[k]!]! * b.pv[b.n2[k]!]!;
      return s;
    };
    const out = new Float64Array(2), h = 1e-6;
    for (const [u, v] of [[0.3, -0.8], [-1.9, 1.1], [2.5, 0.05]] as const) {
      shapeletGradient(b, u, v, c, out);
      expect(out[0]).toBeCloseTo((S(u + h, v) - S(u - h, v)) / (2 * h), 7);
      expect(out[1]).toBeCloseTo((S(u, v + h) - S(u, v - h)) / (2 * h), 7);
    }
  });
});

describe('nnlsGram with free (signed) columns', () => {
  it('matches the best active set of the constrained columns on random problems, free columns of any sign', () => {
    const rng = new Rng(9, 2);
    let negativeFree = 0;
    for (let trial = 0; trial < 60; trial++) {
      const n = 3 + (trial % 5), m = 40;
      const free = Uint8Array.from({ length: n }, (_, i) => (i >= n - 1 - (trial % 3) ? 1 : 0));
      const { G, b, yy } = randomNormalEquations(rng, n, m, trial % 2 ? 0.5 : 0);
      const x = new Float64Array(n);
      const chi = nnlsGram(G, b, yy, n, x, free);
      for (let i = 0; i < n; i++) if (!free[i]) expect(x[i]).toBeGreaterThanOrEqual(0);
      for (let i = 0; i < n; i++) if (free[i] && x[i]! < 0) negativeFree++;
      expect(chi).toBeCloseTo(bruteNnls(G, b, yy, n, free), 6);
    }
    // The free columns did take negative values (the constraint is really lifted).
    expect(negativeFree).toBeGreaterThan(10);
  });
});
