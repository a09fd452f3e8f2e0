// Starlet: the isotropic undecimated wavelet transform with the B3-spline scaling function
// (Starck, Fadili & Murtagh 2007; learned-priors.md §9), periodic boundaries.
// h = [1, 4, 6, 4, 1]/16 separably, taps 2^j pixels apart at scale j ("à trous").
// c_0 = x; c_{j+1} = H_j c_j; w_{j+1} = c_j − c_{j+1}, j = 0 … J−1. Output [J + 1, rows, cols] =
// (w_1 … w_J, c_J); reconstruction x = c_J + Σ_j w_j. The adjoint is NOT the sum (the transform is
// redundant): g_J = c_J; g_j = H_j(g_{j+1} − w_{j+1}) + w_{j+1}; Wᵀ(w, c_J) = g_0 (H_j symmetric and
// periodic, so self-adjoint). ‖W‖² = 1, reached at zero frequency.
import { InputError } from '../../errors';
import { prepare, type LinearOperator } from './linear-operator';

const B3 = [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16];

/** out = H_j x: the B3 spline with taps `step` pixels apart, rows then columns, periodic. */
function smooth(x: Float64Array, rows: number, cols: number, step: number, tmp: Float64Array, out: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let t = -2; t <= 2; t++) s += B3[t + 2]! * x[base + ((((j + t * step) % cols) + cols) % cols)]!;
      tmp[base + j] = s;
    }
  }
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let t = -2; t <= 2; t++) s += B3[t + 2]! * tmp[((((i + t * step) % rows) + rows) % rows) * cols + j]!;
      out[i * cols + j] = s;
    }
  }
}

export function starletOperator(rows: number, cols: number, scales: number): LinearOperator {
  if (!Number.isInteger(scales) || scales < 1) throw new InputError('STARLET_SCALES', `starlet needs ≥ 1 scale, got ${scales}`, { scales });
  const n = rows * cols, J = scales;
  const c = new Float64Array(n), next = new Float64Array(n), tmp = new Float64Array(n), d = new Float64Array(n);
  const op: LinearOperator = {
    name: `starlet(J=${J})`,
    inShape: [rows, cols],
    outShape: [J + 1, rows, cols],
    apply: (x, out) => {
      const o = prepare(op, 'input', x, n, out, (J + 1) * n);
      c.set(x);
      for (let j = 0; j < J; j++) {
        smooth(c, rows, cols, 1 << j, tmp, next);
        const w = o.subarray(j * n, (j + 1) * n);
        for (let i = 0; i < n; i++) w[i] = c[i]! - next[i]!;
        c.set(next);
      }
      o.set(c, J * n);
      return o;
    },
    adjoint: (y, out) => {
      const o = prepare(op, 'output', y, (J + 1) * n, out, n);
      const g = c;
      g.set(y.subarray(J * n, (J + 1) * n));
      for (let j = J - 1; j >= 0; j--) {
        const w = y.subarray(j * n, (j + 1) * n);
        for (let i = 0; i < n; i++) d[i] = g[i]! - w[i]!;
        smooth(d, rows, cols, 1 << j, tmp, next);
        for (let i = 0; i < n; i++) g[i] = next[i]! + w[i]!;
      }
      o.set(g);
      return o;
    },
  };
  return op;
}

/** x = c_J + Σ_j w_j (the synthesis operator R; RRᵀ = (J + 1)·I). As an operator for FISTA on coefficients. */
export function starletSynthesisOperator(rows: number, cols: number, scales: number): LinearOperator {
  const n = rows * cols, bands = scales + 1;
  const op: LinearOperator = {
    name: `starlet-synthesis(J=${scales})`,
    inShape: [bands, rows, cols],
    outShape: [rows, cols],
    apply: (w, out) => {
      const o = prepare(op, 'input', w, bands * n, out, n);
      o.fill(0);
      for (let b = 0; b < bands; b++) for (let i = 0; i < n; i++) o[i] = o[i]! + w[b * n + i]!;
      return o;
    },
    adjoint: (x, out) => {
      const o = prepare(op, 'output', x, n, out, bands * n);
      for (let b = 0; b < bands; b++) o.set(x, b * n);
      return o;
    },
  };
  return op;
}

/** σ_j = ‖w_j(δ)‖₂: the std of w_j for unit white noise, j = 1 … J (Starck et al. 2007). */
export function starletNoiseLevels(rows: number, cols: number, scales: number): Float64Array {
  const delta = new Float64Array(rows * cols);
  delta[((rows >> 1) * cols) + (cols >> 1)] = 1;
  const w = starletOperator(rows, cols, scales).apply(delta);
  const out = new Float64Array(scales);
  const n = rows * cols;
  for (let j = 0; j < scales; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += w[j * n + i]! ** 2;
    out[j] = Math.sqrt(s);
  }
  return out;
}
