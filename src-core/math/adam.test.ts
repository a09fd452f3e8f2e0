import { describe, expect, it } from 'vitest';
import { adamUpdate, TORCH_ADAM } from './adam';

describe('adamUpdate', () => {
  it('first step moves each weight by lr against the sign of its gradient (m̂/√v̂ = g/|g|)', () => {
    const w = Float64Array.of(1, -2, 3), m = new Float64Array(3), v = new Float64Array(3);
    adamUpdate(w, [0.5, -4, 1e-3], m, v, 0.1, 1);
    expect(w[0]).toBeCloseTo(0.9, 6);
    expect(w[1]).toBeCloseTo(-1.9, 6);
    expect(w[2]).toBeCloseTo(2.9, 4); // ε = 1e-8 against |g| = 1e-3
  });
  it('gScale is the same as scaling the gradient, and a quadratic is minimised', () => {
    const a = Float32Array.of(0, 0), b = Float32Array.of(0, 0);
    const ma = new Float32Array(2), va = new Float32Array(2), mb = new Float32Array(2), vb = new Float32Array(2);
    const target = [3, -1];
    for (let t = 1; t <= 2000; t++) {
      adamUpdate(a, [2 * (a[0]! - target[0]!), 2 * (a[1]! - target[1]!)], ma, va, 0.01, t, TORCH_ADAM, 0.5);
      adamUpdate(b, [a[0]! - target[0]! + (b[0]! - a[0]!), a[1]! - target[1]! + (b[1]! - a[1]!)], mb, vb, 0.01, t);
    }
    expect(a[0]).toBeCloseTo(3, 2);
    expect(a[1]).toBeCloseTo(-1, 2);
    expect(b[0]).toBeCloseTo(a[0]!, 2);
  });
});
