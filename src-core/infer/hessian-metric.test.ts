import { describe, expect, it } from 'vitest';
import { hessianMetric } from './hessian-metric';

// A Gaussian log density with a known covariance Σ: the refined factor L' must satisfy L' L'ᵀ = Σ whatever
// (wrong) factor it starts from, since differencing an exact linear gradient gives the exact Hessian.
const n = 3;
const Sigma = Float64Array.from([4, 1.2, -0.3, 1.2, 1, 0.25, -0.3, 0.25, 0.5]); // positive definite (det 0.76)
const Prec = (() => {
  // Inverse of Σ by Gauss–Jordan (independent of linalg.ts).
  const a = Array.from({ length: n }, (_, i) => [...Array.from(Sigma.subarray(i * n, i * n + n)), ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    const p = a[c]![c]!;
    for (let j = 0; j < 2 * n; j++) a[c]![j]! /= p;
    for (let r = 0; r < n; r++) if (r !== c) { const f = a[r]![c]!; for (let j = 0; j < 2 * n; j++) a[r]![j]! -= f * a[c]![j]!; }
  }
  return Float64Array.from(a.flatMap((row) => row.slice(n)));
})();
const mode = [0.5, -1, 2];
const logp = (u: Float64Array, g: Float64Array) => {
  let lp = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Prec[i * n + j]! * (u[j]! - mode[j]!);
    g[i] = -s;
    lp -= 0.5 * (u[i]! - mode[i]!) * s;
  }
  return lp;
};

describe('hessianMetric', () => {
  it('turns a wrong scale into the Gaussian\'s own covariance (L\' L\'ᵀ = Σ)', () => {
    const wrong = Float64Array.from([1e-3, 0, 0, 0.5, 2, 0, 0, 0, 10]);
    const m = hessianMetric(logp, mode, wrong)!;
    expect(m).not.toBeNull();
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += m.scaleTril[i * n + k]! * m.scaleTril[j * n + k]!;
        expect(s).toBeCloseTo(Sigma[i * n + j]!, 6);
      }
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(m.scaleTril[i * n + j]).toBe(0);
    expect(m.asymmetry).toBeLessThan(1e-6);
  });

  it('gives H_z = I when the factor is already the Cholesky factor of Σ', () => {
    const L = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i; j++) {
        let s = Sigma[i * n + j]!;
        for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
        L[i * n + j] = i === j ? Math.sqrt(s) : s / L[j * n + j]!;
      }
    const m = hessianMetric(logp, mode, L)!;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(m.hessianZ[i * n + j]).toBeCloseTo(i === j ? 1 : 0, 6);
  });

  it('returns null away from a mode where the curvature is not positive (a saddle)', () => {
    const saddle = (u: Float64Array, g: Float64Array) => { g[0] = -u[0]!; g[1] = u[1]!; g[2] = -u[2]!; return -0.5 * (u[0]! ** 2 - u[1]! ** 2 + u[2]! ** 2); };
    const I = Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(hessianMetric(saddle, [0, 0, 0], I)).toBeNull();
  });
});
