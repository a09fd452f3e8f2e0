import { describe, expect, it } from 'vitest';
import { Rng } from '../../rng';
import { levenbergMarquardt, type ResidualFn } from './levenberg-marquardt';
import { lbfgs, type ObjectiveFn } from './lbfgs';
import { multiStartLeastSquares } from './multistart';
import { inverseSpd } from '../linalg';

// Rosenbrock as residuals: r = (10(x2 − x1²), 1 − x1); unique minimum (1, 1) with cost 0.
const rosenR: ResidualFn = (x, r) => {
  r[0] = 10 * (x[1]! - x[0]! ** 2);
  r[1] = 1 - x[0]!;
};

describe('Levenberg–Marquardt', () => {
  it('solves Rosenbrock from (−1.2, 1) with a finite-difference Jacobian', () => {
    const res = levenbergMarquardt({ residuals: rosenR, nResiduals: 2, x0: new Float64Array([-1.2, 1]) });
    expect(res.x[0]).toBeCloseTo(1, 6);
    expect(res.x[1]).toBeCloseTo(1, 6);
    expect(res.cost).toBeLessThan(1e-12);
  });

  it('damps in Marquardt units: a badly scaled problem with a large unexplained χ² converges in a few steps (issue 21)', () => {
    // r = s_j (x_j − c_j) with scales 1e4, 1, 1e-2, plus 8000 residuals of 1 that no x explains (like a lens
    // fit's χ² ≈ N). Linear, so Gauss–Newton is exact in one step. λ started at 1e-3·max diag(JᵀJ) (= 1e5 here)
    // under Marquardt's λ·diag(JᵀJ) damping made the first steps 1e-5 of the Gauss–Newton step, and λ only
    // falls by 3 per step: ~17 iterations on this problem, and on the lens fit a stop on the relative-decrease
    // test far from the minimum.
    const s = [1e4, 1, 1e-2], c = [0.3, -0.2, 0.5];
    const res = levenbergMarquardt({
      residuals: (x, r) => {
        for (let j = 0; j < 3; j++) r[j] = s[j]! * (x[j]! - c[j]!);
        for (let i = 3; i < 8003; i++) r[i] = 1;
      },
      nResiduals: 8003, x0: new Float64Array(3), ftol: 1e-8, jacobian: (_x, _r, jac) => {
        jac.fill(0);
        for (let j = 0; j < 3; j++) jac[j * 3 + j] = s[j]!;
      },
    });
    for (let j = 0; j < 3; j++) expect(Math.abs(res.x[j]! - c[j]!), `x${j}`).toBeLessThan(1e-3);
    expect(res.iterations).toBeLessThanOrEqual(6);
  });

  it('solves Rosenbrock with the analytic Jacobian', () => {
    const res = levenbergMarquardt({
      residuals: rosenR,
      nResiduals: 2,
      x0: new Float64Array([-1.2, 1]),
      jacobian: (x, _r, j) => {
        j.set([-20 * x[0]!, 10, -1, 0]);
      },
    });
    expect(res.x[0]).toBeCloseTo(1, 8);
    expect(res.x[1]).toBeCloseTo(1, 8);
  });

  it('recovers the parameters of noise-free exponential decay data exactly', () => {
    const t = Float64Array.from({ length: 30 }, (_, i) => i * 0.2);
    const truth = [3, 0.7, 0.5];
    const y = t.map((ti) => truth[0]! * Math.exp(-truth[1]! * ti) + truth[2]!);
    const res = levenbergMarquardt({
      residuals: (x, r) => t.forEach((ti, i) => (r[i] = x[0]! * Math.exp(-x[1]! * ti) + x[2]! - y[i]!)),
      nResiduals: 30,
      x0: new Float64Array([1, 2, 0]),
    });
    truth.forEach((v, i) => expect(res.x[i]).toBeCloseTo(v, 6));
  });

  it('respects bounds: a minimum outside the box ends on the bound, the free variable still converges', () => {
    // r = (x1 − 2, x2 − 0.3) in the unit box → (1, 0.3).
    const res = levenbergMarquardt({
      residuals: (x, r) => {
        r[0] = x[0]! - 2;
        r[1] = x[1]! - 0.3;
      },
      nResiduals: 2,
      x0: new Float64Array([0.5, 0.9]),
      lower: new Float64Array([0, 0]),
      upper: new Float64Array([1, 1]),
    });
    expect(res.x[0]).toBe(1);
    expect(res.x[1]).toBeCloseTo(0.3, 8);
  });
});

describe('L-BFGS', () => {
  const rosen: ObjectiveFn = (x, g) => {
    // Extended Rosenbrock Σ 100(x_{2i} − x_{2i−1}²)² + (1 − x_{2i−1})²; minimum at all ones.
    let f = 0;
    g.fill(0);
    for (let i = 0; i < x.length; i += 2) {
      const a = x[i + 1]! - x[i]! ** 2;
      const b = 1 - x[i]!;
      f += 100 * a * a + b * b;
      g[i] = -400 * x[i]! * a - 2 * b;
      g[i + 1] = 200 * a;
    }
    return f;
  };

  it('minimises the 10-D extended Rosenbrock function to all ones', () => {
    const x0 = Float64Array.from({ length: 10 }, (_, i) => (i % 2 ? 1 : -1.2));
    const res = lbfgs({ f: rosen, x0 });
    for (const v of res.x) expect(v).toBeCloseTo(1, 5);
    expect(res.f).toBeLessThan(1e-10);
  });

  it('solves an ill-conditioned quadratic (κ = 1e4) to the linear-solve answer', () => {
    const n = 6;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = (i === j ? Math.pow(10, (4 * i) / (n - 1)) : 0) + 0.1 * Math.min(i, j);
    const b = Float64Array.from({ length: n }, (_, i) => i - 2);
    const res = lbfgs({
      f: (x, g) => {
        let f = 0;
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += A[i * n + j]! * x[j]!;
          g[i] = s - b[i]!;
          f += 0.5 * x[i]! * s - b[i]! * x[i]!;
        }
        return f;
      },
      x0: new Float64Array(n),
    });
    const inv = inverseSpd(A, n);
    for (let i = 0; i < n; i++) {
      let xi = 0;
      for (let j = 0; j < n; j++) xi += inv[i * n + j]! * b[j]!;
      expect(res.x[i]).toBeCloseTo(xi, 6);
    }
  });
});

describe('multi-start least squares', () => {
  it('finds the global minimum that a single local start misses', () => {
    // cost ½[(x² − 4)² + 0.5 (x + 3)²]: local minimum near x = +1.9, global near x = −2.1.
    const residuals: ResidualFn = (x, r) => {
      r[0] = x[0]! ** 2 - 4;
      r[1] = Math.SQRT1_2 * (x[0]! + 3);
    };
    const local = levenbergMarquardt({ residuals, nResiduals: 2, x0: new Float64Array([2.5]) });
    expect(local.x[0]).toBeGreaterThan(1);
    const ms = multiStartLeastSquares({
      residuals,
      nResiduals: 2,
      lower: new Float64Array([-3]),
      upper: new Float64Array([3]),
      rng: new Rng(1),
      nDraws: 40,
      nStarts: 4,
    });
    expect(ms.best.x[0]).toBeLessThan(-1.9);
    expect(ms.best.cost).toBeLessThan(local.cost);
    // Stationarity of the global minimum: d/dx = 2x(x² − 4) + 0.5(x + 3) = 0.
    const x = ms.best.x[0]!;
    expect(Math.abs(2 * x * (x * x - 4) + 0.5 * (x + 3))).toBeLessThan(1e-5);
  });
});
