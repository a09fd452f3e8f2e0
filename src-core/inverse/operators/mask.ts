// Pixel mask (inpainting): A = diag(m), m ∈ {0, 1}, output on the full grid with zeros where m = 0
// (learned-priors.md §8). Self-adjoint; AAᵀ = diag(m). Equivalently, give the masked pixels infinite
// noise variance; never zero variance.
import { InputError } from '../../errors';
import { prepare, sizeOf, type LinearOperator, type Shape } from './linear-operator';

/** `keep[i]` non-zero = pixel i is measured. Same length as the image. */
export function maskOperator(shape: Shape, keep: ArrayLike<number | boolean>): LinearOperator {
  const n = sizeOf(shape);
  if (keep.length !== n) {
    throw new InputError('OPERATOR_SHAPE', `mask has ${keep.length} pixels, the image ${n}`, { operator: 'mask', got: keep.length, expected: n });
  }
  const m = Float64Array.from({ length: n }, (_, i) => (keep[i] ? 1 : 0));
  const op: LinearOperator = {
    name: 'mask',
    inShape: shape,
    outShape: shape,
    apply: (x, out) => {
      const o = prepare(op, 'input', x, n, out, n);
      for (let i = 0; i < n; i++) o[i] = m[i]! * x[i]!;
      return o;
    },
    adjoint: (y, out) => op.apply(y, out),
  };
  return op;
}
