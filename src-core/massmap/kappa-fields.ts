// Training maps for the hybrid prior's residual network (mass-mapping.md §4, §7): Gaussian random fields
// κ = F⁻¹[√P_k · F w] and lognormal fields κ = λ[exp(g − σ_g²/2) − 1] with the target spectrum
// (ξ_g = ln(1 + ξ_κ/λ²), P_g = F[ξ_g] clipped at 0), and random square crops of simulated maps (κTNG) with
// their map mean removed (the mean of κ is not measured). All on a size × size grid, row-major.
import { fft2 } from '../math/fft';
import type { Rng } from '../rng';

/** One Gaussian random field with per-mode variance P (P[0] treated as 0). */
export function gaussianRandomField(size: number, P: Float64Array, rng: Rng): Float64Array {
  const n = size * size, re = new Float64Array(n), im = new Float64Array(n);
  for (let i = 0; i < n; i++) re[i] = rng.normal();
  fft2(re, im, size, size, false);
  re[0] = im[0] = 0;
  for (let i = 1; i < n; i++) {
    const s = Math.sqrt(Math.max(0, P[i]!));
    re[i] = re[i]! * s;
    im[i] = im[i]! * s;
  }
  fft2(re, im, size, size, true);
  for (let i = 0; i < n; i++) re[i] = re[i]! / n;
  return re;
}

/** The Gaussian spectrum P_g whose exponentiated field has spectrum P (shift λ), and σ_g². */
export function lognormalGaussianSpectrum(size: number, P: Float64Array, lambda: number): { Pg: Float64Array; varG: number } {
  const n = size * size, re = new Float64Array(n), im = new Float64Array(n);
  // ξ_κ(r) = (1/n) Σ_k P_k e^{ik·r} (unitary per-mode variance → pixel covariance)
  for (let i = 1; i < n; i++) re[i] = P[i]!;
  fft2(re, im, size, size, true);
  for (let i = 0; i < n; i++) {
    re[i] = Math.log(1 + re[i]! / n / (lambda * lambda));
    im[i] = 0;
  }
  const varG = re[0]!;
  fft2(re, im, size, size, false);
  const Pg = new Float64Array(n);
  for (let i = 1; i < n; i++) Pg[i] = Math.max(0, re[i]!);
  return { Pg, varG };
}

/** One zero-mean lognormal field (shift λ) from the output of lognormalGaussianSpectrum. */
export function lognormalField(size: number, spec: { Pg: Float64Array; varG: number }, lambda: number, rng: Rng): Float64Array {
  const g = gaussianRandomField(size, spec.Pg, rng);
  let mean = 0;
  for (let i = 0; i < g.length; i++) {
    g[i] = lambda * (Math.exp(g[i]! - spec.varG / 2) - 1);
    mean += g[i]! / g.length;
  }
  for (let i = 0; i < g.length; i++) g[i] = g[i]! - mean;
  return g;
}

/** A size × size crop at (r0, c0) of a rows × cols map (wrapping, the maps being periodic), minus `mean`. */
export function cropMap(map: ArrayLike<number>, rows: number, cols: number, size: number, r0: number, c0: number, mean: number, out: Float32Array | Float64Array): void {
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) out[r * size + c] = map[((r0 + r) % rows) * cols + ((c0 + c) % cols)]! - mean;
}

/** Mean and skewness of a map: the lognormal shift λ is fitted to the skewness (§4). */
export function lognormalShiftFromSkewness(map: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < map.length; i++) m += map[i]! / map.length;
  let v = 0, s3 = 0;
  for (let i = 0; i < map.length; i++) {
    const d = map[i]! - m;
    v += (d * d) / map.length;
    s3 += (d * d * d) / map.length;
  }
  const sd = Math.sqrt(v), skew = s3 / (sd * sd * sd);
  // skew = 3q + q³ with q = σ_κ/λ: solve by Newton from q = skew/3
  let q = skew / 3;
  for (let it = 0; it < 50; it++) q -= (3 * q + q * q * q - skew) / (3 + 3 * q * q);
  return sd / q;
}
