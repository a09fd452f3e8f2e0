import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { fitPca, jacobiEig, pcaProject, pcaReconstruct } from './pca';

describe('PCA', () => {
  it('Jacobi diagonalises a symmetric matrix (A v = λ v)', () => {
    const A = Float64Array.of(4, 1, 2, 1, 3, 0.5, 2, 0.5, 5);
    const { values, vectors } = jacobiEig(A, 3);
    for (let c = 0; c < 3; c++) for (let i = 0; i < 3; i++) {
      let s = 0;
      for (let j = 0; j < 3; j++) s += A[i * 3 + j]! * vectors[j * 3 + c]!;
      expect(s).toBeCloseTo(values[c]! * vectors[i * 3 + c]!, 10);
    }
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(12, 10); // trace
  });

  it('recovers known principal axes and variances of an anisotropic Gaussian', () => {
    // x = 3 e₁' a + 2 e₂' b + 0.1 noise in 20-D with e' a rotated orthonormal pair.
    const rng = new Rng(3), N = 20;
    const e1 = new Float64Array(N), e2 = new Float64Array(N);
    for (let i = 0; i < N; i++) { e1[i] = i % 2 ? 1 : -1; e2[i] = i < 10 ? 1 : -1; }
    for (const e of [e1, e2]) { const s = Math.sqrt(N); for (let i = 0; i < N; i++) e[i] /= s; }
    const data = Array.from({ length: 4000 }, () => {
      const a = 3 * rng.normal(), b = 2 * rng.normal();
      return Float64Array.from({ length: N }, (_, i) => 5 + a * e1[i]! + b * e2[i]! + 0.1 * rng.normal());
    });
    const p = fitPca(data, 2);
    const dot = (u: Float64Array, v: Float64Array) => u.reduce((s, x, i) => s + x * v[i]!, 0);
    expect(Math.abs(dot(p.basis[0]!, e1))).toBeGreaterThan(0.99);
    expect(Math.abs(dot(p.basis[1]!, e2))).toBeGreaterThan(0.99);
    expect(dot(p.basis[0]!, p.basis[1]!)).toBeCloseTo(0, 10);
    expect(p.variance[0]! / 9).toBeGreaterThan(0.9);
    expect(p.variance[0]! / 9).toBeLessThan(1.1);
    expect(p.variance[1]! / 4).toBeGreaterThan(0.9);
    const x = data[0]!, r = pcaReconstruct(p, pcaProject(p, x));
    let err = 0;
    for (let i = 0; i < N; i++) err += (x[i]! - r[i]!) ** 2;
    expect(err / N).toBeLessThan(0.05); // only the 0.1-σ noise is left
  });
});
