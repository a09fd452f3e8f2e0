// The chains' linear preconditioning from the Hessian of the log posterior itself, by central differences of
// its analytic gradient, instead of the Gauss–Newton JᵀJ of finite-difference residuals alone.
//
// Why: the Gauss–Newton Hessian drops Σ r_i ∇²r_i, which is small only where the residuals r are small. With
// bright point sources the profiled χ² has large structured residuals at the quasar images and curvature that
// JᵀJ (with residual Jacobians by forward differences of images that move by ~10⁻⁶″) misses: on HE0435-1223
// the chains preconditioned by it adapted step sizes of 1e-3 of the Laplace scale and did not move
// (docs/real-skies.md). Differencing the exact gradient in the Gauss–Newton coordinates z (u = centre + L z)
// gives the true local Hessian H_z at the cost of 2n gradients (34 for the 17-parameter models); then
// u = centre + L C z' with C Cᵀ = H_z⁻¹ makes the posterior of z' ≈ N(0, I) at the mode (the Laplace
// approximation, e.g. Gelman et al., BDA3 §4.1), whatever was wrong with the Gauss–Newton scale.
import { choleskyOrNull, inverseSpd } from './linalg';

export interface HessianMetric {
  /** New lower-triangular factor (row-major, n × n) of the Laplace covariance in u: L · chol(H_z⁻¹). */
  scaleTril: Float64Array;
  /** −∇² log p in the old z coordinates (symmetrised); ≈ I when the old factor was already right. */
  hessianZ: Float64Array;
  /** Relative asymmetry max |H_ij − H_ji| / √(H_ii H_jj) of the differenced Hessian (a check on the step). */
  asymmetry: number;
}

/**
 * Central differences of the gradient of `logDensityAndGrad` (u coordinates) along the columns of L at
 * `centre` (a mode), step h in z units. Returns null when the symmetrised −Hessian is not positive definite
 * (not at a mode, or a gradient that is not finite there): the caller keeps its Gauss–Newton factor.
 */
export function hessianMetric(
  logDensityAndGrad: (u: Float64Array, g: Float64Array) => number,
  centre: ArrayLike<number>, L: ArrayLike<number>, o: { h?: number } = {},
): HessianMetric | null {
  const n = centre.length;
  const h = o.h ?? 1e-3;
  const u = new Float64Array(n), gp = new Float64Array(n), gm = new Float64Array(n);
  // Column k of H_z: −(g_z(+h e_k) − g_z(−h e_k)) / 2h with g_z = Lᵀ g_u.
  const H = new Float64Array(n * n);
  const gz = (g: Float64Array, k: number) => {
    let s = 0;
    for (let i = k; i < n; i++) s += L[i * n + k]! * g[i]!;
    return s;
  };
  for (let k = 0; k < n; k++) {
    for (const [sign, g] of [[1, gp], [-1, gm]] as const) {
      for (let i = 0; i < n; i++) u[i] = centre[i]! + sign * h * (i >= k ? L[i * n + k]! : 0);
      const lp = logDensityAndGrad(u, g);
      if (!Number.isFinite(lp)) return null;
    }
    for (let j = 0; j < n; j++) H[j * n + k] = -(gz(gp, j) - gz(gm, j)) / (2 * h);
  }
  let asymmetry = 0;
  for (let a = 0; a < n; a++)
    for (let b = 0; b < a; b++) {
      const d = Math.abs(H[a * n + b]! - H[b * n + a]!) / Math.sqrt(Math.abs(H[a * n + a]! * H[b * n + b]!));
      if (Number.isFinite(d)) asymmetry = Math.max(asymmetry, d);
      H[a * n + b] = H[b * n + a] = 0.5 * (H[a * n + b]! + H[b * n + a]!);
    }
  if (!H.every(Number.isFinite) || !choleskyOrNull(H, n)) return null;
  const C = choleskyOrNull(inverseSpd(H, n), n);
  if (!C) return null;
  // L' = L C (both lower-triangular, so L' is too).
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = j; k <= i; k++) s += L[i * n + k]! * C[k * n + j]!;
      out[i * n + j] = s;
    }
  return { scaleTril: out, hessianZ: H, asymmetry };
}
