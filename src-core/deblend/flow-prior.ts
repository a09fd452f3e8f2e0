// The explicit-likelihood morphology prior as the deblender's learned prior (issue 14; Lanusse, Melchior
// & Moolekamp 2019 use the gradient of a PixelCNN++'s log p; here the PCA + RealNVP density of
// ./morphology-density.ts, which was trained on exactly the deblender's simulated galaxies).
//
// Domain. The density models flux-normalised 32 × 32 crops of galaxies as *observed* (LSST seeing, the
// detection image g + r + i) centred on their brightest 3 × 3-smoothed pixel. The deblender's S_k lives in
// the model frame (Gaussian model PSF σ_m = 0.8 px). So the prior is taken on the observed-equivalent
// morphology x = crop(K ∗ S_k) / f, K a Gaussian of σ_K = √(σ_train² − σ_m²) (σ_train the training PSF σ),
// f the crop's sum; its gradient goes back through the chain rule, ∇_S log p = Kᵀ uncrop(∇_x log p) / f
// (K symmetric, f held fixed within a step). This is the frame correction the score prior lacked.
//
// Gradient. With c = V(x − μ), r = x − μ − Vᵀc and τ² = σ_n² + σ_m,fit² (morphology-density.ts):
//   ∇_x log p(x | σ_n) = Vᵀ ∇_c log p_flow(c) − r / τ².
// The second term pulls x onto the PCA subspace of galaxy shapes, the first towards likely coefficients.
// σ_n (the noise level the prior is evaluated at) anneals from noiseStart to noiseEnd, in the density's
// normalised units, so early steps only gently shape and late ones denoise (scarlet2's σ annealing).
//
// Step. −λ log p joins ½χ²; its gradient step with the solver's 1/L_S is δS = (λ/L_S) ∇_S log p. In x
// units that moves x by (λ/L_S)/f² · KKᵀ ∇_x, capped at α τ² (α ≤ 1: the step that would remove the
// whole residual r in one go), so a tiny τ² never overshoots.
import { InputError } from '../errors';
import { pcaProject } from '../flows/pca';
import type { MorphologyDensity } from './morphology-density';
import type { AsyncMorphologyPrior } from './prior';
import { MODEL_PSF_SIGMA } from './psf-match';

export interface FlowPriorOptions {
  /** PSF σ (pixels) of the density's training stamps: its observed frame. */
  trainPsfSigma: number;
  /** The deblender's model PSF σ (default MODEL_PSF_SIGMA). */
  modelPsfSigma?: number;
  /** λ, the weight of −log p against ½χ² (1 = a true posterior). */
  weight?: number;
  /** Cap of the step as a fraction α of τ² (default 1). */
  cap?: number;
  /** σ_n at the first iteration and after `anneal` iterations, normalised (sum-1) units. */
  noiseStart?: number;
  noiseEnd?: number;
  anneal?: number;
  /** Include the flow term (false: the Gaussian PCA-subspace term alone). */
  useFlow?: boolean;
  /** Keep monotonicity alongside the prior (default true). */
  keepConstraints?: boolean;
  name?: string;
}

export const FLOW_PRIOR_DEFAULTS = { weight: 1, cap: 1, noiseStart: 1e-3, noiseEnd: 1e-4, anneal: 100 } as const;

/** Separable Gaussian blur with zero boundary (K = Kᵀ). */
function blur(src: Float64Array, rows: number, cols: number, sigma: number): Float64Array {
  if (!(sigma > 0)) return Float64Array.from(src);
  const h = Math.max(1, Math.ceil(3.5 * sigma)), w = new Float64Array(2 * h + 1);
  let s = 0;
  for (let i = -h; i <= h; i++) s += (w[i + h] = Math.exp((-0.5 * i * i) / (sigma * sigma)));
  for (let i = 0; i < w.length; i++) w[i] = w[i]! / s;
  const tmp = new Float64Array(rows * cols), out = new Float64Array(rows * cols);
  for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) {
    let v = 0;
    for (let d = -h; d <= h; d++) { const xx = x + d; if (xx >= 0 && xx < cols) v += w[d + h]! * src[y * cols + xx]!; }
    tmp[y * cols + x] = v;
  }
  for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) {
    let v = 0;
    for (let d = -h; d <= h; d++) { const yy = y + d; if (yy >= 0 && yy < rows) v += w[d + h]! * tmp[yy * cols + x]!; }
    out[y * cols + x] = v;
  }
  return out;
}

/** ∇_x log p(x | σ_n) of a prepared (sum-1, centred) stamp, and τ². */
export function flowLogpGrad(m: MorphologyDensity, x: Float64Array, noise: number, useFlow = true): { grad: Float64Array; tau2: number } {
  const N = m.size * m.size, k = m.pca.k;
  if (x.length !== N) throw new InputError('PRIOR_SHAPE', `stamp has ${x.length} pixels, the morphology model expects ${m.size}×${m.size}`);
  const c = pcaProject(m.pca, x);
  const tau2 = noise * noise + m.modelVariance;
  const grad = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let r = x[i]! - m.pca.mean[i]!;
    for (let a = 0; a < k; a++) r -= c[a]! * m.pca.basis[a]![i]!;
    grad[i] = -r / tau2;
  }
  if (useFlow) {
    const gc = m.flow.logProbGrad(c).grad;
    for (let a = 0; a < k; a++) { const g = gc[a]!, v = m.pca.basis[a]!; for (let i = 0; i < N; i++) grad[i] += g * v[i]!; }
  }
  return { grad, tau2 };
}

export function morphologyFlowPrior(m: MorphologyDensity, o: FlowPriorOptions): AsyncMorphologyPrior {
  const modelSigma = o.modelPsfSigma ?? MODEL_PSF_SIGMA;
  if (!(o.trainPsfSigma > 0)) throw new InputError('PRIOR_PSF', `flow prior needs the training PSF σ > 0, got ${o.trainPsfSigma}`, { trainPsfSigma: o.trainPsfSigma });
  const sigK = Math.sqrt(Math.max(0, o.trainPsfSigma ** 2 - modelSigma ** 2));
  const w = o.weight ?? FLOW_PRIOR_DEFAULTS.weight, cap = o.cap ?? FLOW_PRIOR_DEFAULTS.cap;
  const n0 = o.noiseStart ?? FLOW_PRIOR_DEFAULTS.noiseStart, n1 = o.noiseEnd ?? FLOW_PRIOR_DEFAULTS.noiseEnd;
  const anneal = Math.max(1, o.anneal ?? FLOW_PRIOR_DEFAULTS.anneal);
  if (!(w > 0 && cap > 0 && cap <= 1)) throw new InputError('PRIOR_WEIGHT', `flow prior weight must be > 0 and cap in (0, 1], got ${w}, ${cap}`, { weight: w, cap });
  if (!(n0 > 0 && n1 > 0)) throw new InputError('PRIOR_SIGMA', `flow prior noise levels must be > 0, got ${n0} → ${n1}`, { noiseStart: n0, noiseEnd: n1 });
  const size = m.size, half = size >> 1;
  // The annealing clock restarts with each deblend (a job reuses one prior for every stamp): the solver
  // passes the same morphs array throughout one run, a new one for the next.
  let iteration = 0, current: Float64Array[] | null = null;
  return {
    name: o.name ?? 'flow',
    replacesConstraints: o.keepConstraints === false,
    stepAll({ morphs, rows, cols, peaks, step }) {
      if (morphs !== current) { current = morphs; iteration = 0; }
      const noise = n0 * (n1 / n0) ** Math.min(1, iteration++ / anneal);
      morphs.forEach((s, k) => {
        const xo = blur(s, rows, cols, sigK);
        // Centre as the density's stamps are centred: brightest 3 × 3 sum, here within 2 px of the peak.
        let best = -Infinity, px = peaks[k]!.x, py = peaks[k]!.y;
        for (let y = Math.max(1, py - 2); y <= Math.min(rows - 2, peaks[k]!.y + 2); y++) for (let x = Math.max(1, peaks[k]!.x - 2); x <= Math.min(cols - 2, peaks[k]!.x + 2); x++) {
          let v = 0;
          for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) v += xo[(y + a) * cols + x + b]!;
          if (v > best) { best = v; px = x; py = y; }
        }
        const ox = px - half, oy = py - half, crop = new Float64Array(size * size);
        let f = 0;
        for (let r = 0; r < size; r++) for (let q = 0; q < size; q++) {
          const y = oy + r, x = ox + q;
          if (y >= 0 && y < rows && x >= 0 && x < cols) { crop[r * size + q] = xo[y * cols + x]!; f += xo[y * cols + x]!; }
        }
        if (!(f > 0)) return;
        for (let i = 0; i < crop.length; i++) crop[i] = crop[i]! / f;
        const { grad, tau2 } = flowLogpGrad(m, crop, noise, o.useFlow !== false);
        const eta = Math.min((w * step) / f, cap * tau2 * f); // δS = eta · Kᵀ ∇_x (see the header)
        const up = new Float64Array(rows * cols);
        for (let r = 0; r < size; r++) for (let q = 0; q < size; q++) {
          const y = oy + r, x = ox + q;
          if (y >= 0 && y < rows && x >= 0 && x < cols) up[y * cols + x] = grad[r * size + q]!;
        }
        const d = blur(up, rows, cols, sigK);
        for (let i = 0; i < s.length; i++) s[i] = s[i]! + eta * d[i]!;
      });
      return Promise.resolve();
    },
  };
}
