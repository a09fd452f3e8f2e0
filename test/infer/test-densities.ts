// Posteriors with known answers, used by the sampler tests and benchmarks (Gaussian with
// correlations, Neal's funnel). Pure; no test framework imports.
import { inverseSpd } from '../../src-core/infer/linalg';
import type { LogDensityAndGrad } from '../../src-core/infer/types';

/** log N(x | mean, cov) up to a constant, with gradient −Σ⁻¹(x − μ). */
export function gaussian(mean: Float64Array, cov: Float64Array): LogDensityAndGrad {
  const n = mean.length;
  const prec = inverseSpd(cov, n);
  const d = new Float64Array(n);
  return (x, g) => {
    for (let i = 0; i < n; i++) d[i] = x[i]! - mean[i]!;
    let lp = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += prec[i * n + j]! * d[j]!;
      g[i] = -s;
      lp -= 0.5 * d[i]! * s;
    }
    return lp;
  };
}

/**
 * Neal's funnel (Neal 2003, "Slice sampling", §8), centred: v ~ N(0, 3²), x_k | v ~ N(0, e^v), k = 1…n−1.
 * Coordinates (v, x_1, …). Its neck defeats a single step size: NUTS must report divergences.
 */
export function funnel(dim: number): LogDensityAndGrad {
  return (q, g) => {
    const v = q[0]!;
    const ev = Math.exp(-v);
    let lp = (-v * v) / 18;
    let gv = -v / 9;
    for (let k = 1; k < dim; k++) {
      const x = q[k]!;
      lp += -0.5 * x * x * ev - 0.5 * v;
      gv += 0.5 * x * x * ev - 0.5;
      g[k] = -x * ev;
    }
    g[0] = gv;
    return lp;
  };
}
