// Principal components of a set of vectors (e.g. 32 × 32 galaxy stamps, N = 1024): the covariance
// C = (1/n) Σ (x − μ)(x − μ)ᵀ is formed once (n·N²/2 flops), its top-k eigenvectors are found by
// subspace iteration (Golub & Van Loan 2013, §8.2.4) on p = k + 8 vectors with modified Gram–Schmidt,
// and ordered by a Rayleigh–Ritz step (the small p × p eigenproblem by cyclic Jacobi, ibid. §8.5).
// The basis is orthonormal, which is what makes the PCA + residual density of
// src-core/deblend/morphology-density.ts an exact change of variables (|det| = 1).
import { InputError } from '../errors';
import { Rng } from '../rng';

export interface Pca {
  /** Vector length N. */
  dim: number;
  k: number;
  mean: Float64Array;
  /** k orthonormal rows of length N, in order of decreasing variance. */
  basis: Float64Array[];
  /** Variance along each basis vector (eigenvalues of C). */
  variance: Float64Array;
}

export function fitPca(data: readonly Float64Array[], k: number, opts: { iterations?: number; seed?: number } = {}): Pca {
  const n = data.length, N = data[0]?.length ?? 0;
  if (n < 2 || k < 1 || k > N) throw new InputError('INPUT_INVALID', `PCA of ${n} vectors of length ${N} into k = ${k} components is not possible`, { field: 'k' });
  const mean = new Float64Array(N);
  for (const x of data) for (let i = 0; i < N; i++) mean[i] += x[i]! / n;
  const C = new Float64Array(N * N), d = new Float64Array(N);
  for (const x of data) {
    for (let i = 0; i < N; i++) d[i] = x[i]! - mean[i]!;
    for (let i = 0; i < N; i++) {
      const di = d[i]! / n;
      if (di === 0) continue;
      const row = i * N;
      for (let j = i; j < N; j++) C[row + j] += di * d[j]!;
    }
  }
  for (let i = 0; i < N; i++) for (let j = 0; j < i; j++) C[i * N + j] = C[j * N + i]!;
  const p = Math.min(N, k + 8), rng = new Rng(opts.seed ?? 1, 8201);
  let Q: Float64Array[] = Array.from({ length: p }, () => Float64Array.from({ length: N }, () => rng.normal()));
  orthonormalise(Q);
  for (let it = 0; it < (opts.iterations ?? 60); it++) {
    Q = Q.map((q) => matVec(C, q, N));
    orthonormalise(Q);
  }
  // Rayleigh–Ritz: T = Qᵀ C Q, T = W Λ Wᵀ, basis = Wᵀ Q.
  const CQ = Q.map((q) => matVec(C, q, N));
  const T = new Float64Array(p * p);
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) T[a * p + b] = dot(Q[a]!, CQ[b]!);
  const { values, vectors } = jacobiEig(T, p);
  const order = Array.from({ length: p }, (_, i) => i).sort((a, b) => values[b]! - values[a]!).slice(0, k);
  const basis = order.map((c) => {
    const v = new Float64Array(N);
    for (let a = 0; a < p; a++) { const w = vectors[a * p + c]!; for (let i = 0; i < N; i++) v[i] += w * Q[a]![i]!; }
    return v;
  });
  return { dim: N, k, mean, basis, variance: Float64Array.from(order, (c) => Math.max(0, values[c]!)) };
}

/** Coefficients c = Vᵀ(x − μ). */
export function pcaProject(p: Pca, x: Float64Array): Float64Array {
  const c = new Float64Array(p.k);
  for (let a = 0; a < p.k; a++) {
    const v = p.basis[a]!;
    let s = 0;
    for (let i = 0; i < p.dim; i++) s += v[i]! * (x[i]! - p.mean[i]!);
    c[a] = s;
  }
  return c;
}

/** μ + V c. */
export function pcaReconstruct(p: Pca, c: Float64Array): Float64Array {
  const x = Float64Array.from(p.mean);
  for (let a = 0; a < p.k; a++) { const v = p.basis[a]!, w = c[a]!; for (let i = 0; i < p.dim; i++) x[i] += w * v[i]!; }
  return x;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function matVec(C: Float64Array, q: Float64Array, N: number): Float64Array {
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0;
    const row = i * N;
    for (let j = 0; j < N; j++) s += C[row + j]! * q[j]!;
    out[i] = s;
  }
  return out;
}

/** Modified Gram–Schmidt in place; a vector that collapses is replaced by a unit axis vector and redone. */
function orthonormalise(Q: Float64Array[]): void {
  for (let a = 0; a < Q.length; a++) {
    const v = Q[a]!;
    for (let b = 0; b < a; b++) { const r = dot(Q[b]!, v); for (let i = 0; i < v.length; i++) v[i] -= r * Q[b]![i]!; }
    let nrm = Math.sqrt(dot(v, v));
    if (!(nrm > 1e-300)) { v.fill(0); v[a % v.length] = 1; nrm = 1; }
    for (let i = 0; i < v.length; i++) v[i] /= nrm;
  }
}

/** Cyclic Jacobi eigen-decomposition of a small symmetric matrix (row-major p × p); columns of `vectors`. */
export function jacobiEig(A0: Float64Array, p: number): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(A0), V = new Float64Array(p * p);
  for (let i = 0; i < p; i++) V[i * p + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) off += A[i * p + j]! ** 2;
    if (off < 1e-30) break;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) {
      const aij = A[i * p + j]!;
      if (Math.abs(aij) < 1e-300) continue;
      const theta = (A[j * p + j]! - A[i * p + i]!) / (2 * aij);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      for (let k = 0; k < p; k++) { // A ← A J (columns i, j)
        const aki = A[k * p + i]!, akj = A[k * p + j]!;
        A[k * p + i] = c * aki - s * akj; A[k * p + j] = s * aki + c * akj;
      }
      for (let k = 0; k < p; k++) { // A ← Jᵀ A (rows i, j)
        const aik = A[i * p + k]!, ajk = A[j * p + k]!;
        A[i * p + k] = c * aik - s * ajk; A[j * p + k] = s * aik + c * ajk;
      }
      for (let k = 0; k < p; k++) {
        const vki = V[k * p + i]!, vkj = V[k * p + j]!;
        V[k * p + i] = c * vki - s * vkj; V[k * p + j] = s * vki + c * vkj;
      }
    }
  }
  return { values: Float64Array.from({ length: p }, (_, i) => A[i * p + i]!), vectors: V };
}
