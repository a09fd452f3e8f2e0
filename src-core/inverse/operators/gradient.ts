// Discrete gradient for total variation (Chambolle 2004; learned-priors.md §9): forward differences
// with a Neumann boundary, (∇x)¹_{i,j} = x_{i+1,j} − x_{i,j} (0 on the last row) and
// (∇x)²_{i,j} = x_{i,j+1} − x_{i,j} (0 on the last column). Output shape [2, rows, cols].
// The adjoint is −div (Chambolle's divergence), so ⟨∇x, p⟩ = −⟨x, div p⟩ exactly. ‖∇‖² ≤ 8.
import { prepare, type LinearOperator } from './linear-operator';

export function gradientOperator(rows: number, cols: number): LinearOperator {
  const n = rows * cols;
  const op: LinearOperator = {
    name: 'gradient',
    inShape: [rows, cols],
    outShape: [2, rows, cols],
    apply: (x, out) => {
      const o = prepare(op, 'input', x, n, out, 2 * n);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const k = i * cols + j;
          o[k] = i < rows - 1 ? x[k + cols]! - x[k]! : 0;
          o[n + k] = j < cols - 1 ? x[k + 1]! - x[k]! : 0;
        }
      }
      return o;
    },
    adjoint: (p, out) => {
      const o = prepare(op, 'output', p, 2 * n, out, n);
      // −div p, term by term as Chambolle's (div p) with the boundary cases.
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const k = i * cols + j;
          const p1 = i < rows - 1 ? p[k]! : 0, p1up = i > 0 ? p[k - cols]! : 0;
          const p2 = j < cols - 1 ? p[n + k]! : 0, p2left = j > 0 ? p[n + k - 1]! : 0;
          o[k] = -(p1 - p1up) - (p2 - p2left);
        }
      }
      return o;
    },
  };
  return op;
}
