// Non-negative least squares for a handful of columns given only their Gram matrix, for the linear
// amplitudes of the extended lens model (source, lens light and one per quasar image in each band).
// Lawson & Hanson (1974, "Solving Least Squares Problems", ch. 23, algorithm NNLS) on the normal
// equations: min ‖y − A x‖² = yᵀy − 2 xᵀb + xᵀG x over x ≥ 0, with G = AᵀA and b = Aᵀy. The passive-set
// sub-problems are solved by Cholesky on the passive rows/columns of G (n ≤ ~8 here, ~25 with shapelets).
// Columns marked `free` (signed amplitudes: shapelet coefficients) are unconstrained: they start in the passive set
// and never leave it, the bounded-variable variant of Stark & Parker (1995, Comput. Stat. 10, 129) with bounds
// (−∞, ∞) for them and [0, ∞) for the rest.

/**
 * x ≥ 0 minimising yy − 2 xᵀb + xᵀ G x (G n × n row-major, symmetric positive semi-definite). Writes x and
 * returns the χ² (clamped at 0). Columns with G_ii = 0 (an empty template) stay at 0. Columns with free[i] ≠ 0 may
 * take any sign.
 */
export function nnlsGram(G: ArrayLike<number>, b: ArrayLike<number>, yy: number, n: number, x: Float64Array, free?: ArrayLike<number>): number {
  x.fill(0, 0, n);
  const passive = new Uint8Array(n);
  const w = new Float64Array(n);
  const z = new Float64Array(n);
  const isFree = (i: number) => !!free && !!free[i];
  if (free) {
    // Start from the unconstrained fit of the free columns with every constrained one at 0 (feasible). Should their
    // Gram block be singular (the caller's ridge prevents it), they stay at 0.
    let any = false;
    for (let i = 0; i < n; i++) if (isFree(i) && G[i * n + i]! > 0) { passive[i] = 1; any = true; }
    if (any && solvePassive(G, b, n, passive, z)) x.set(z.subarray(0, n));
    else for (let i = 0; i < n; i++) passive[i] = 0;
  }
  const tol = 1e-12 * Math.max(1, ...Array.from({ length: n }, (_, i) => Math.abs(b[i]!)));
  const gradient = () => {
    // w = b − G x (the negative half-gradient of the objective).
    for (let i = 0; i < n; i++) {
      let s = b[i]!;
      for (let j = 0; j < n; j++) s -= G[i * n + j]! * x[j]!;
      w[i] = s;
    }
  };
  for (let outer = 0; outer < 3 * n + 3; outer++) {
    gradient();
    let t = -1, best = tol;
    for (let i = 0; i < n; i++) if (!passive[i] && !isFree(i) && G[i * n + i]! > 0 && w[i]! > best) { best = w[i]!; t = i; }
    if (t < 0) break;
    passive[t] = 1;
    for (let inner = 0; inner < 3 * n + 3; inner++) {
      if (!solvePassive(G, b, n, passive, z)) { passive[t] = 0; break; }
      let allPositive = true;
      for (let i = 0; i < n; i++) if (passive[i] && !isFree(i) && z[i]! <= 0) allPositive = false;
      if (allPositive) {
        x.set(z.subarray(0, n));
        break;
      }
      // Step from x towards z until the first passive variable reaches 0; move it to the active set.
      let alpha = 1;
      for (let i = 0; i < n; i++) if (passive[i] && !isFree(i) && z[i]! <= 0) alpha = Math.min(alpha, x[i]! / (x[i]! - z[i]!));
      for (let i = 0; i < n; i++) {
        x[i] = x[i]! + alpha * (z[i]! - x[i]!);
        if (passive[i] && !isFree(i) && x[i]! <= 1e-15 * Math.max(1, Math.abs(z[i]!))) { passive[i] = 0; x[i] = 0; }
      }
    }
  }
  let chi2 = yy;
  for (let i = 0; i < n; i++) {
    chi2 -= 2 * x[i]! * b[i]!;
    for (let j = 0; j < n; j++) chi2 += x[i]! * G[i * n + j]! * x[j]!;
  }
  return Math.max(chi2, 0);
}

/** z_P = G_PP⁻¹ b_P, z = 0 elsewhere; false when G_PP is not positive definite (collinear templates). */
function solvePassive(G: ArrayLike<number>, b: ArrayLike<number>, n: number, passive: Uint8Array, z: Float64Array): boolean {
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (passive[i]) idx.push(i);
  const m = idx.length;
  const L = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j <= i; j++) {
      let s = G[idx[i]! * n + idx[j]!]!;
      for (let k = 0; k < j; k++) s -= L[i * m + k]! * L[j * m + k]!;
      if (i === j) {
        if (!(s > 1e-14 * G[idx[i]! * n + idx[i]!]!)) return false;
        L[i * m + i] = Math.sqrt(s);
      } else L[i * m + j] = s / L[j * m + j]!;
    }
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = b[idx[i]!]!;
    for (let k = 0; k < i; k++) s -= L[i * m + k]! * y[k]!;
    y[i] = s / L[i * m + i]!;
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < m; k++) s -= L[k * m + i]! * y[k]!;
    y[i] = s / L[i * m + i]!;
  }
  z.fill(0, 0, n);
  for (let i = 0; i < m; i++) z[idx[i]!] = y[i]!;
  return true;
}
