// Curvature of the learned residual, per |ℓ| band, for the pCN sampler's preconditioner (hybrid.ts).
// The bundled κ residual is stiff at small σ: on the 64² κTNG fields its Jacobian adds 2–4 times the
// Gaussian part's posterior precision on most scales at σ = 0.005 (docs/massmap.md, "Sampler"), so a pCN
// step around the Gaussian part alone (C·∇²Φ ≈ −3) overshoots and diverges. Fix: estimate the residual's
// Jacobian as a Fourier multiplier, J_b = ⟨v_b, r(x + v_b) − r(x − v_b)⟩ / (2‖v_b‖²) with v_b a random
// field band-limited to band b (central difference, pixel rms ε), and fold E_b = max(0, −J_b) into the
// reference's precision (Hutchinson-style probing; a Fourier-diagonal approximation of the Hessian, as the
// Gaussian part's own preconditioner). The split stays exact — the drift gets E(x − m) back — so a poor
// estimate costs mixing speed, never correctness of the target.
import { fft2 } from '../math/fft';
import type { Rng } from '../rng';
import type { BatchScoreFn } from '../score/batched-langevin';
import type { KsKernel } from './ks93';

/** Log-spaced |ℓ| bands over the non-zero modes: band index per mode (−1 at ℓ = 0). */
export function ellBands(k: KsKernel, bands: number): Int32Array {
  const n = k.rows * k.cols, b = new Int32Array(n).fill(-1);
  let lo = Infinity, hi = 0;
  for (let i = 1; i < n; i++) {
    lo = Math.min(lo, k.ell[i]!);
    hi = Math.max(hi, k.ell[i]!);
  }
  const span = Math.log((hi * 1.000001) / lo);
  for (let i = 1; i < n; i++) b[i] = Math.min(bands - 1, Math.floor((bands * Math.log(k.ell[i]! / lo)) / span));
  return b;
}

/** Per-mode E_k = max(0, −J_b(k)) of the residual r at x, level σ (2 × bands network images in one call). */
export async function residualCurvature(k: KsKernel, residual: BatchScoreFn, x: Float64Array, sigma: number, rng: Rng, o: { bands?: number; eps?: number } = {}): Promise<{ extra: Float64Array; J: Float64Array }> {
  const n = k.rows * k.cols, nb = o.bands ?? 8, eps = (o.eps ?? 0.2) * sigma, band = ellBands(k, nb);
  const probes: Float64Array[] = [], packed = new Float32Array(2 * nb * n);
  const re = new Float64Array(n), im = new Float64Array(n);
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < n; i++) { re[i] = rng.normal(); im[i] = 0; }
    fft2(re, im, k.rows, k.cols, false);
    for (let i = 0; i < n; i++) if (band[i] !== b) re[i] = im[i] = 0;
    fft2(re, im, k.rows, k.cols, true);
    let rms = 0;
    for (let i = 0; i < n; i++) rms += re[i]! ** 2 / n;
    const v = new Float64Array(n), f = rms > 0 ? eps / Math.sqrt(rms) : 0;
    for (let i = 0; i < n; i++) {
      v[i] = re[i]! * f;
      packed[2 * b * n + i] = x[i]! + v[i]!;
      packed[(2 * b + 1) * n + i] = x[i]! - v[i]!;
    }
    probes.push(v);
  }
  const r = await residual(packed, sigma, 2 * nb);
  const J = new Float64Array(nb), extra = new Float64Array(n);
  for (let b = 0; b < nb; b++) {
    const v = probes[b]!;
    let num = 0, den = 0;
    for (let i = 0; i < n; i++) {
      num += v[i]! * (r[2 * b * n + i]! - r[(2 * b + 1) * n + i]!);
      den += v[i]! ** 2;
    }
    J[b] = den > 0 ? num / (2 * den) : 0;
  }
  for (let i = 1; i < n; i++) extra[i] = Math.max(0, -J[band[i]!]!);
  return { extra, J };
}
