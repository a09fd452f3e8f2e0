// One shape for every forward model y = A x of the inverse problems (DeepInverse's LinearPhysics:
// forward, adjoint, norm by power iteration; see shared/reference/learned-priors.md §8).
// Arrays are Float64Array, row-major, with the shapes below (images: [bands, rows, cols] or
// [rows, cols]; complex data: interleaved [re, im] pairs, so ⟨u, v⟩ is always the real dot product).
// The adjoint is with respect to the plain Euclidean dot products of input and output spaces.
import { InputError } from '../../errors';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/**
 * When AᵀA is diagonal in the 2-D DFT of each image plane (identity, periodic convolution, masked
 * Fourier sampling): AᵀA = Fᴴ diag(h) F per band, with h real and symmetric (h_{−k} = h_k).
 * h has shape [bands, rows, cols] in numpy's FFT bin order. The closed-form Gaussian posterior and the
 * tempered likelihood of the samplers use it (learned-priors.md §4, §7).
 */
export interface FourierNormal {
  bands: number;
  rows: number;
  cols: number;
  h: Float64Array;
}

export interface LinearOperator {
  readonly name: string;
  readonly inShape: Shape;
  readonly outShape: Shape;
  /** y = A x. Writes into `out` when given (it must not alias x) and returns it. */
  apply(x: Float64Array, out?: Float64Array): Float64Array;
  /** x = Aᵀ y. Writes into `out` when given (it must not alias y) and returns it. */
  adjoint(y: Float64Array, out?: Float64Array): Float64Array;
  /** Present when AᵀA is diagonal in Fourier (see FourierNormal). */
  readonly fourierNormal?: FourierNormal;
}

/** Checks an input length and returns the output buffer (allocated when absent). */
export function prepare(
  op: { name: string }, what: 'input' | 'output', x: Float64Array, expected: number,
  out: Float64Array | undefined, outSize: number,
): Float64Array {
  if (x.length !== expected) {
    throw new InputError('OPERATOR_SHAPE', `${op.name}: ${what} has ${x.length} values, expected ${expected}`, { operator: op.name, got: x.length, expected });
  }
  if (out && out.length !== outSize) {
    throw new InputError('OPERATOR_SHAPE', `${op.name}: result buffer has ${out.length} values, expected ${outSize}`, { operator: op.name, got: out.length, expected: outSize });
  }
  return out ?? new Float64Array(outSize);
}

/** A ∘ B (B first). Shapes must chain: B's output size = A's input size. */
export function compose(a: LinearOperator, b: LinearOperator): LinearOperator {
  const mid = sizeOf(b.outShape);
  if (mid !== sizeOf(a.inShape)) {
    throw new InputError('OPERATOR_SHAPE', `cannot compose ${a.name} ∘ ${b.name}: ${b.name} gives ${mid} values, ${a.name} takes ${sizeOf(a.inShape)}`, { outer: a.name, inner: b.name });
  }
  const tmpF = new Float64Array(mid);
  const tmpA = new Float64Array(mid);
  return {
    name: `${a.name}∘${b.name}`,
    inShape: b.inShape,
    outShape: a.outShape,
    apply: (x, out) => a.apply(b.apply(x, tmpF), out),
    adjoint: (y, out) => b.adjoint(a.adjoint(y, tmpA), out),
  };
}

/** c · A. */
export function scaled(a: LinearOperator, c: number): LinearOperator {
  const mul = (v: Float64Array) => {
    for (let i = 0; i < v.length; i++) v[i] = v[i]! * c;
    return v;
  };
  const fn = a.fourierNormal;
  return {
    name: `${c}·${a.name}`,
    inShape: a.inShape,
    outShape: a.outShape,
    apply: (x, out) => mul(a.apply(x, out)),
    adjoint: (y, out) => mul(a.adjoint(y, out)),
    fourierNormal: fn && { ...fn, h: fn.h.map((v) => v * c * c) },
  };
}

/** Euclidean dot product. */
export function dot(u: ArrayLike<number>, v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i]! * v[i]!;
  return s;
}
