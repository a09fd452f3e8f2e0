// Test reference for nnls.ts: exhaustive active-set enumeration (tests only; small n).

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
