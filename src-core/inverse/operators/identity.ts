// Identity (denoising: y = x + n). AAᵀ = AᵀA = I.
import { prepare, sizeOf, type LinearOperator, type Shape } from './linear-operator';

/** Identity on images of `shape` ([rows, cols] or [bands, rows, cols]). */
export function identityOperator(shape: Shape): LinearOperator {
  const n = sizeOf(shape);
  const [bands, rows, cols] = shape.length === 3 ? shape : [1, shape[0]!, shape[shape.length - 1]!];
  const op: LinearOperator = {
    name: 'identity',
    inShape: shape,
    outShape: shape,
    apply: (x, out) => {
      const o = prepare(op, 'input', x, n, out, n);
      o.set(x);
      return o;
    },
    adjoint: (y, out) => op.apply(y, out),
    fourierNormal: { bands: bands!, rows: rows!, cols: cols!, h: new Float64Array(n).fill(1) },
  };
  return op;
}
