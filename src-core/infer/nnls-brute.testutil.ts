// Test reference for nnls.ts: random least-squares problems in normal-equation form and exhaustive
// active-set enumeration (tests only; small n).
import type { Rng } from '../rng';

/** A random m × n design A (entries N(offset, 1)) and data y (N(0, 4)) as G = AᵀA, b = Aᵀy, yy = yᵀy. */
export function randomNormalEquations(rng: Rng, n: number, m: number, offset: number): { G: Float64Array; b: Float64Array; yy: number } {
  const A = Float64Array.from({ length: m * n }, () => rng.normal() + offset);
  const y = Float64Array.from({ length: m }, () => rng.normal() * 2);
  const G = new Float64Array(n * n), b = new Float64Array(n);
  let yy = 0;
  for (let r = 0; r < m; r++) {
    yy += y[r]! ** 2;
    for (let i = 0; i < n; i++) {
      b[i] = b[i]! + A[r * n + i]! * y[r]!;
      for (let j = 0; j < n; j++) G[i * n + j] = G[i * n + j]! + A[r * n + i]! * A[r * n + j]!;
    }
  }
  return { G, b, yy };
}

/**
 * Best objective yy − 2aᵀb + aᵀGa over every subset of the constrained columns (the `free` ones are always in):
 * unconstrained least squares on the subset, kept only when its constrained amplitudes are ≥ 0 and the
 * subset's Gram matrix is not singular. With no free columns the empty set gives yy.
 */
export function bruteNnls(G: Float64Array, b: Float64Array, yy: number, n: number, free: Uint8Array = new Uint8Array(n)): number {
  let best = Infinity;
  const all = Array.from({ length: n }, (_, i) => i);
  const constrained = all.filter((i) => !free[i]);
  for (let mask = 0; mask < 1 << constrained.length; mask++) {
    const idx = [...all.filter((i) => free[i]), ...constrained.filter((_, k) => mask & (1 << k))];
    const m = idx.length;
    // Gauss–Jordan elimination with partial pivoting on G_SS x = b_S.
    const A = idx.map((i) => [...idx.map((j) => G[i * n + j]!), b[i]!]);
    let ok = true;
    for (let c = 0; c < m && ok; c++) {
      let p = c;
      for (let r = c + 1; r < m; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[p]![c]!)) p = r;
      if (Math.abs(A[p]![c]!) < 1e-12) { ok = false; break; }
      [A[c], A[p]] = [A[p]!, A[c]!];
      for (let r = 0; r < m; r++) if (r !== c) {
        const f = A[r]![c]! / A[c]![c]!;
        for (let k = c; k <= m; k++) A[r]![k] = A[r]![k]! - f * A[c]![k]!;
      }
    }
    if (!ok) continue;
    const x = A.map((row, r) => row[m]! / row[r]!);
    if (idx.some((i, a) => !free[i] && x[a]! < 0)) continue;
    let chi = yy;
    idx.forEach((i, a) => {
      chi -= 2 * x[a]! * b[i]!;
      idx.forEach((j, c) => { chi += x[a]! * G[i * n + j]! * x[c]!; });
    });
    best = Math.min(best, chi);
  }
  return best;
}
