import { describe, expect, it } from 'vitest';
import { hamiltonian, leapfrog, leapfrogStep } from './leapfrog';
import { makePoint, type LogDensityAndGrad } from './types';

// Harmonic oscillator with unit mass and frequency: log π(q) = −q²/2, so H = (p² + q²)/2 and the exact
// flow is q(t) = q0 cos t + p0 sin t, p(t) = p0 cos t − q0 sin t.
const oscillator: LogDensityAndGrad = (q, g) => {
  let lp = 0;
  for (let i = 0; i < q.length; i++) {
    lp -= 0.5 * q[i]! * q[i]!;
    g[i] = -q[i]!;
  }
  return lp;
};

function start(q0: number[], p0: number[]) {
  const z = makePoint(q0.length);
  z.q.set(q0);
  z.p.set(p0);
  z.logDensity = oscillator(z.q, z.grad);
  return z;
}

describe('leapfrog on the harmonic oscillator', () => {
  const unit = new Float64Array([1]);

  it('follows the exact trajectory with second-order error', () => {
    const q0 = 1.3, p0 = -0.4, T = 2;
    const err = (eps: number) => {
      const z = start([q0], [p0]);
      leapfrog(z, eps, Math.round(T / eps), unit, oscillator);
      return Math.hypot(z.q[0]! - (q0 * Math.cos(T) + p0 * Math.sin(T)), z.p[0]! - (p0 * Math.cos(T) - q0 * Math.sin(T)));
    };
    expect(err(1e-3)).toBeLessThan(1e-6);
    // Halving ε divides the global error by 4 (order 2).
    const ratio = err(0.02) / err(0.01);
    expect(ratio).toBeGreaterThan(3.8);
    expect(ratio).toBeLessThan(4.2);
  });

  it('conserves the shadow Hamiltonian exactly and keeps the energy error bounded over long runs', () => {
    // For leapfrog on this oscillator, p² + (1 − ε²/4) q² is an exact invariant, so
    // H − H0 = ε²(q² − q0²)/8 never grows with time (symplectic integrators do not drift).
    const eps = 0.3;
    const z = start([1], [0.5]);
    const shadow = () => z.p[0]! ** 2 + (1 - (eps * eps) / 4) * z.q[0]! ** 2;
    const s0 = shadow();
    const h0 = hamiltonian(z, unit);
    let maxDh = 0;
    for (let i = 0; i < 100_000; i++) {
      leapfrogStep(z, eps, unit, oscillator);
      maxDh = Math.max(maxDh, Math.abs(hamiltonian(z, unit) - h0));
    }
    expect(Math.abs(shadow() - s0)).toBeLessThan(1e-9);
    const qMax2 = s0 / (1 - (eps * eps) / 4);
    expect(maxDh).toBeLessThanOrEqual((eps * eps * qMax2) / 8 + 1e-12);
    expect(maxDh).toBeGreaterThan(0.001); // the bound is attained, not vacuous
  });

  it('is time-reversible: forward, flip p, forward, flip p returns to the start', () => {
    const inv = new Float64Array([0.5, 2, 1]);
    const z = start([0.3, -1.1, 2], [1, 0.2, -0.7]);
    const q0 = Float64Array.from(z.q);
    const p0 = Float64Array.from(z.p);
    leapfrog(z, 0.17, 50, inv, oscillator);
    expect(Math.abs(z.q[0]! - q0[0]!)).toBeGreaterThan(0.01);
    for (let i = 0; i < 3; i++) z.p[i] = -z.p[i]!;
    leapfrog(z, 0.17, 50, inv, oscillator);
    for (let i = 0; i < 3; i++) {
      expect(z.q[i]).toBeCloseTo(q0[i]!, 12);
      expect(-z.p[i]!).toBeCloseTo(p0[i]!, 12);
    }
  });

  it('uses the metric: with M⁻¹ = m the oscillator has frequency √m', () => {
    const m = 4;
    const z = start([1], [0]);
    const T = 1;
    leapfrog(z, 1e-4, Math.round(T / 1e-4), new Float64Array([m]), oscillator);
    expect(z.q[0]).toBeCloseTo(Math.cos(Math.sqrt(m) * T), 6);
  });

  it('reports a non-finite density as infinite energy, not an exception', () => {
    const wall: LogDensityAndGrad = (q, g) => {
      g[0] = -q[0]!;
      return q[0]! > 1 ? -Infinity : -0.5 * q[0]! ** 2;
    };
    const z = makePoint(1);
    z.q[0] = 0.9;
    z.p[0] = 5;
    z.logDensity = wall(z.q, z.grad);
    leapfrogStep(z, 0.1, new Float64Array([1]), wall);
    expect(hamiltonian(z, new Float64Array([1]))).toBe(Infinity);
  });
});
