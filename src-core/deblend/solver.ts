// Scarlet-style deblender (Melchior et al. 2018; reference deblending-and-generative.md §A): the scene
// in band b is M_b = D_b ∗ Σ_k A_kb S_k, with S_k ≥ 0 a morphology in the model frame (narrow model
// PSF), A_k its SED and D_b the band's difference kernel (psf-match.ts). Loss: ½ Σ_b ‖W_b^{1/2}(Y_b − M_b)‖².
// Optimiser: PALM (Bolte et al. 2014) — alternating proximal gradient steps on S then A with steps
// 1/L from the Lipschitz bounds of §A2, using per-band maximum weights W_b,max:
//   L_S = λ_max(Σ_b W_b,max A_b A_bᵀ),  L_A,b = W_b,max · λ_max(S Sᵀ)
// (unit-sum kernels have ‖D_b‖ ≤ 1). After the S step: the morphology prior's step (identity for
// `none`), then positivity / monotonicity / symmetry projections; after the A step: positivity.
// Normalisation: Σ_pixels S_k = 1 after each iteration, so A_kb is the source's total flux in band b.
// Stop when the relative change of the loss is below eRel (after minIter), or at maxIter.
import { InputError } from '../errors';
import { convolutionOperator, type PsfArray } from '../inverse/operators/convolution';
import type { LinearOperator } from '../inverse/operators/linear-operator';
import { monotonicPlan, projectMonotonic, projectPositive, projectSymmetric, type ConstraintName, type MonotonicPlan } from './constraints';
import { clippedSigma, detectionImage, findPeaks } from './detect';
import { NO_PRIOR, type AsyncMorphologyPrior, type MorphologyPrior } from './prior';
import { differenceKernel, MODEL_PSF_SIGMA, psfSigma, separableDifferenceKernel } from './psf-match';
import { separableConvolutionOperator, type SeparableKernel } from '../inverse/operators/separable';

export interface DeblendInput {
  /** One rows × cols plane per band; NaN/±Inf pixels are masked (weight 0). */
  images: ArrayLike<number>[];
  rows: number;
  cols: number;
  /** Variance per band (same shape); without it σ_b comes from the background (clipped MAD). */
  variance?: ArrayLike<number>[];
  /** Observed PSF per band (or one for all); without it all bands are taken to share one PSF. */
  psfs?: PsfArray[];
  /** Source positions (0-based pixels, e.g. a catalog); without them, peaks of the detection image. */
  positions?: Array<{ x: number; y: number }>;
  constraints?: Set<ConstraintName>;
  prior?: MorphologyPrior;
  maxIter?: number;
  minIter?: number;
  eRel?: number;
  modelPsfSigma?: number;
  maxSources?: number;
  /** Polled each iteration; return true to stop early (cancel). */
  shouldStop?: () => boolean;
}

export interface DeblendSource {
  /** Peak pixel the source was initialised at (and the centre of monotonicity/symmetry). */
  peakX: number;
  peakY: number;
  /** Flux-weighted centroid of the morphology (0-based pixels). */
  x: number;
  y: number;
  /** A_kb: total flux per band (data units), before any loss off the frame's edge. */
  flux: number[];
  /** SExtractor-style re-apportioned data flux per band: Σ Y_b · M⁺_kb / Σ_j M⁺_jb (§A5). */
  dataFlux: number[];
  /** Model-frame morphology, unit sum. */
  morphology: Float64Array;
  /** Observed-frame model per band. */
  model: Float64Array[];
}

export interface DeblendResult {
  rows: number;
  cols: number;
  sources: DeblendSource[];
  model: Float64Array[];
  /** data − model; NaN where the data is masked. */
  residual: Float64Array[];
  /** Noise σ per band used when no variance map was given (NaN when one was). */
  backgroundSigma: number[];
  chi2PerPixel: number;
  iterations: number;
  converged: boolean;
  warnings: string[];
}

function lambdaMax(m: Float64Array, k: number): number {
  // Power iteration on a symmetric PSD k × k matrix (k small).
  let v = new Float64Array(k).fill(1 / Math.sqrt(k)), lam = 0;
  for (let it = 0; it < 50; it++) {
    const w = new Float64Array(k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) w[i] = w[i]! + m[i * k + j]! * v[j]!;
    const nrm = Math.hypot(...w);
    if (!(nrm > 0)) return 0;
    const next = nrm;
    v = w.map((x) => x / nrm);
    if (Math.abs(next - lam) <= 1e-9 * next) { lam = next; break; }
    lam = next;
  }
  return lam;
}

function check(inp: DeblendInput): void {
  const { images, rows, cols } = inp;
  if (!(rows > 0 && cols > 0)) throw new InputError('DEBLEND_SHAPE', `image must be at least 1 × 1, got ${rows} × ${cols}`, { rows, cols });
  if (images.length === 0) throw new InputError('DEBLEND_BANDS', 'no bands given', { bands: 0 });
  images.forEach((im, b) => {
    if (im.length !== rows * cols) throw new InputError('DEBLEND_SHAPE', `band ${b}: ${im.length} pixels, expected ${rows} × ${cols}`, { band: b });
  });
  if (inp.variance && inp.variance.length !== images.length) {
    throw new InputError('DEBLEND_BANDS', `${inp.variance.length} variance planes for ${images.length} bands`, { variance: inp.variance.length, bands: images.length });
  }
  inp.variance?.forEach((v, b) => {
    if (v.length !== rows * cols) throw new InputError('DEBLEND_SHAPE', `variance band ${b}: ${v.length} pixels, expected ${rows} × ${cols}`, { band: b });
  });
  if (inp.psfs && inp.psfs.length !== 1 && inp.psfs.length !== images.length) {
    throw new InputError('DEBLEND_BANDS', `${inp.psfs.length} PSFs for ${images.length} bands (give one, or one per band)`, { psfs: inp.psfs.length, bands: images.length });
  }
}

/** The prior's step on every morphology at once (the solver yields this; the driver applies it in place). */
export interface PriorRequest { morphs: Float64Array[]; rows: number; cols: number; step: number; peaks: Array<{ x: number; y: number }> }

/** Synchronous deblend: the prior (if any) steps each morphology in turn. */
export function deblend(inp: DeblendInput): DeblendResult {
  const prior = inp.prior ?? NO_PRIOR;
  const g = deblendSteps(inp);
  for (let r = g.next(); ; r = g.next()) {
    if (r.done) return r.value;
    for (const s of r.value.morphs) prior.step(s, r.value.rows, r.value.cols, r.value.step);
  }
}

/**
 * Deblend with a batched, asynchronous prior step (a score network on onnxruntime scores every
 * component in one call). `prior.replacesConstraints` drops symmetry/monotonicity as in §A4.
 */
export async function deblendAsync(inp: DeblendInput, prior: AsyncMorphologyPrior): Promise<DeblendResult> {
  const g = deblendSteps({ ...inp, prior: { name: prior.name, replacesConstraints: prior.replacesConstraints, step: () => undefined } }, true);
  for (let r = g.next(); ; r = g.next()) {
    if (r.done) return r.value;
    await prior.stepAll(r.value);
  }
}

/**
 * The solver as a generator: it yields a PriorRequest after each S gradient step (when a prior is set,
 * or `alwaysYield`), so one loop serves a synchronous and an asynchronous prior.
 */
export function* deblendSteps(inp: DeblendInput, alwaysYield = false): Generator<PriorRequest, DeblendResult, void> {
  check(inp);
  const { rows, cols } = inp, n = rows * cols, B = inp.images.length;
  const warnings: string[] = [];
  // Default: positivity + monotonicity. Symmetry is opt-in: about a half-pixel-rounded centre it biases
  // bright sub-pixel sources (docs/deblend.md: χ²/pixel 10.8 with it, 0.99 without, on a 2-source blend).
  const constraints = inp.constraints ?? new Set<ConstraintName>(['positive', 'monotonic']);
  const prior = inp.prior ?? NO_PRIOR;
  const maxIter = inp.maxIter ?? 300, minIter = Math.min(inp.minIter ?? 10, maxIter), eRel = inp.eRel ?? 1e-4;

  // Data, masks and weights.
  const Y = inp.images.map((im) => Float64Array.from(im, (v) => (Number.isFinite(v) ? v : 0)));
  const W = inp.images.map(() => new Float64Array(n));
  const backgroundSigma = new Array<number>(B).fill(NaN);
  let masked = 0;
  for (let b = 0; b < B; b++) {
    const im = inp.images[b]!, w = W[b]!;
    if (inp.variance) {
      const v = inp.variance[b]!;
      for (let i = 0; i < n; i++) w[i] = Number.isFinite(im[i]!) && v[i]! > 0 && Number.isFinite(v[i]!) ? 1 / v[i]! : 0;
    } else {
      let s = clippedSigma(im);
      if (!(s > 0)) {
        warnings.push(`band ${b}: no background noise measurable; unit weights used`);
        s = 1;
      }
      backgroundSigma[b] = s;
      for (let i = 0; i < n; i++) w[i] = Number.isFinite(im[i]!) ? 1 / (s * s) : 0;
    }
    for (let i = 0; i < n; i++) if (!Number.isFinite(im[i]!)) masked++;
  }
  if (masked) warnings.push(`${masked} non-finite pixel values masked (weight 0)`);
  const wmax = W.map((w) => w.reduce((m, x) => Math.max(m, x), 0));
  if (wmax.every((x) => x === 0)) throw new InputError('DEBLEND_EMPTY', 'every pixel is masked (NaN or non-positive variance)', {});

  // Difference kernels.
  const modelSigma = inp.modelPsfSigma ?? MODEL_PSF_SIGMA;
  let conv: LinearOperator | null = null;
  if (inp.psfs) {
    const psfs = inp.psfs.length === 1 ? Array.from({ length: B }, () => inp.psfs![0]!) : inp.psfs;
    psfs.forEach((p, b) => {
      const s = psfSigma(p);
      if (s < modelSigma) warnings.push(`band ${b}: PSF σ ${s.toFixed(2)} px is narrower than the model PSF σ ${modelSigma} px; its difference kernel is Wiener-regularised`);
    });
    // Separable PSFs (every Gaussian preset) convolve directly with 1-D kernels: ≈ 4× cheaper than the FFTs.
    const sep = psfs.map((p, b) => separableDifferenceKernel(p, b, modelSigma));
    conv = sep.every((k) => k !== null)
      ? separableConvolutionOperator({ bands: B, rows, cols, kernels: sep as SeparableKernel[] })
      : convolutionOperator({ bands: B, rows, cols, psfs: psfs.map((p, b) => differenceKernel(p, b, modelSigma)), boundary: 'zero' });
  } else {
    warnings.push('no PSF given: all bands are assumed to share one PSF (difference kernels = δ), morphologies are in the observed frame');
  }
  const fwd = (u: Float64Array, out: Float64Array) => (conv ? conv.apply(u, out) : out.set(u), out);
  const adj = (r: Float64Array, out: Float64Array) => (conv ? conv.adjoint(r, out) : out.set(r), out);

  // Sources.
  const det = detectionImage(Y.map((y, b) => Float64Array.from(y, (v, i) => (W[b]![i]! > 0 ? v : NaN))),
    W.map((w, b) => (inp.variance ? Math.sqrt(1 / Math.max(1e-300, median(w))) : backgroundSigma[b]!)), rows, cols);
  let peaks = inp.positions
    ? inp.positions.map((p, k) => {
      if (!(Number.isFinite(p.x) && Number.isFinite(p.y))) throw new InputError('DEBLEND_POSITION', `source ${k}: position ${p.x}, ${p.y} is not finite`, { row: k });
      return { x: Math.min(cols - 1, Math.max(0, Math.round(p.x))), y: Math.min(rows - 1, Math.max(0, Math.round(p.y))) };
    })
    : findPeaks(det, rows, cols, { maxPeaks: inp.maxSources ?? 10 });
  if (peaks.length === 0) throw new InputError('DEBLEND_NO_SOURCES', 'no source detected above 5σ in the detection image; give positions (a catalog) instead', {});
  peaks = peaks.slice(0, inp.maxSources ?? peaks.length);
  const K = peaks.length;
  // Symmetry centres, doubled: the catalog position, or the 3 × 3 centroid of the detection image
  // about the peak, rounded to half a pixel.
  const centre2 = peaks.map((p, k) => {
    if (inp.positions) return { x: Math.round(2 * inp.positions[k]!.x), y: Math.round(2 * inp.positions[k]!.y) };
    let sw = 0, sx = 0, sy = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const x = p.x + dx, y = p.y + dy;
      if (x < 0 || y < 0 || x >= cols || y >= rows) continue;
      const v = Math.max(0, det[y * cols + x]!);
      sw += v; sx += v * x; sy += v * y;
    }
    return sw > 0 ? { x: Math.round((2 * sx) / sw), y: Math.round((2 * sy) / sw) } : { x: 2 * p.x, y: 2 * p.y };
  });
  const plans: Array<MonotonicPlan | null> = peaks.map((p) => (constraints.has('monotonic') && !prior.replacesConstraints ? monotonicPlan(rows, cols, p.x, p.y) : null));
  const project = (s: Float64Array, k: number) => {
    projectPositive(s);
    if (!prior.replacesConstraints && constraints.has('symmetric')) projectSymmetric(s, rows, cols, centre2[k]!.x, centre2[k]!.y);
    if (plans[k]) projectMonotonic(s, plans[k]!);
  };

  // Initialisation: each pixel goes to its nearest peak; S_k = the detection image on that cell,
  // projected; A_kb = the cell's positive data flux.
  const S = peaks.map(() => new Float64Array(n));
  const A = peaks.map(() => new Array<number>(B).fill(0));
  for (let i = 0; i < n; i++) {
    const x = i % cols, y = Math.floor(i / cols);
    let best = 0, bd = Infinity;
    peaks.forEach((p, k) => { const d = (p.x - x) ** 2 + (p.y - y) ** 2; if (d < bd) { bd = d; best = k; } });
    S[best]![i] = Math.max(0, det[i]!);
    for (let b = 0; b < B; b++) if (W[b]![i]! > 0) A[best]![b] = A[best]![b]! + Math.max(0, Y[b]![i]!);
  }
  // Σ S_k = 1; the momentum iterates X (when given) are rescaled alike so the extrapolation is consistent.
  const normalise = (X?: Float64Array[]) => {
    for (let k = 0; k < K; k++) {
      const c = sum(S[k]!, n);
      if (c > 0) {
        scale(S[k]!, 1 / c, n);
        if (X) scale(X[k]!, 1 / c, n);
        const a = A[k]!;
        for (let j = 0; j < B; j++) a[j] = a[j]! * c;
      }
    }
  };
  for (let k = 0; k < K; k++) {
    project(S[k]!, k);
    if (!(S[k]!.some((v) => v > 0))) S[k]![peaks[k]!.y * cols + peaks[k]!.x] = 1;
    let c = 0;
    for (let i = 0; i < n; i++) c += S[k]![i]!;
    for (let i = 0; i < n; i++) S[k]![i] = S[k]![i]! / c;
  }

  const U = new Float64Array(B * n), M = new Float64Array(B * n), R = new Float64Array(B * n), G = new Float64Array(B * n);
  const evaluate = (): number => {
    U.fill(0);
    for (let k = 0; k < K; k++) for (let b = 0; b < B; b++) {
      const a = A[k]![b]!;
      if (a !== 0) addScaledInto(U, b * n, a, S[k]!, n);
    }
    fwd(U, M);
    let loss = 0;
    for (let b = 0; b < B; b++) loss += weightedResidual(Y[b]!, W[b]!, M, R, b * n, n);
    adj(R, G);
    return loss;
  };

  // FISTA-style momentum on the S block (Beck & Teboulle 2009), restarted whenever the loss goes up
  // (O'Donoghue & Candès 2015): S holds the extrapolated point the gradient is taken at, X the iterates.
  const X = S.map((s) => Float64Array.from(s));
  let t = 1;
  let loss = evaluate(), iterations = 0, converged = false;
  for (let it = 0; it < maxIter; it++) {
    if (inp.shouldStop?.()) { warnings.push(`stopped early at iteration ${it}`); break; }
    // S step.
    const AtA = new Float64Array(K * K);
    for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) {
      let s = 0;
      for (let b = 0; b < B; b++) s += wmax[b]! * A[i]![b]! * A[j]![b]!;
      AtA[i * K + j] = s;
    }
    const LS = lambdaMax(AtA, K);
    if (LS > 0) {
      for (let k = 0; k < K; k++) {
        for (let b = 0; b < B; b++) {
          const a = A[k]![b]! / LS;
          if (a !== 0) addScaled(S[k]!, a, G, b * n, n);
        }
      }
      if (alwaysYield || prior !== NO_PRIOR) yield { morphs: S, rows, cols, step: 1 / LS, peaks };
      for (let k = 0; k < K; k++) project(S[k]!, k);
      const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2, beta = (t - 1) / tNext;
      t = tNext;
      for (let k = 0; k < K; k++) {
        extrapolate(S[k]!, X[k]!, beta, n);
        if (beta > 0) project(S[k]!, k);
      }
      evaluate();
    }
    // A step, per band.
    const SSt = new Float64Array(K * K);
    for (let i = 0; i < K; i++) for (let j = i; j < K; j++) {
      const s = dot(S[i]!, S[j]!, 0, n);
      SSt[i * K + j] = s;
      SSt[j * K + i] = s;
    }
    const lS = lambdaMax(SSt, K);
    for (let b = 0; b < B; b++) {
      const LA = wmax[b]! * lS;
      if (!(LA > 0)) continue;
      for (let k = 0; k < K; k++) A[k]![b] = Math.max(0, A[k]![b]! + dot(S[k]!, G, b * n, n) / LA);
    }
    normalise(X);
    const next = evaluate();
    iterations = it + 1;
    if (next > loss) t = 1; // restart the momentum
    const rel = Math.abs(loss - next) / Math.max(next, 1e-300);
    loss = next;
    if (iterations >= minIter && rel < eRel) { converged = true; break; }
  }

  // Outputs.
  const model = Array.from({ length: B }, (_, b) => Float64Array.from(M.subarray(b * n, (b + 1) * n)));
  const residual = inp.images.map((im, b) => Float64Array.from(im, (v, i) => (Number.isFinite(v) ? v - model[b]![i]! : NaN)));
  let chi2 = 0, cnt = 0;
  for (let b = 0; b < B; b++) for (let i = 0; i < n; i++) if (W[b]![i]! > 0) { chi2 += W[b]![i]! * residual[b]![i]! ** 2; cnt++; }
  const one = new Float64Array(B * n), oneOut = new Float64Array(B * n);
  const sources: DeblendSource[] = peaks.map((p, k) => {
    one.fill(0);
    for (let b = 0; b < B; b++) one.set(S[k]!.map((v) => v * A[k]![b]!), b * n);
    fwd(one, oneOut);
    let sx = 0, sy = 0, st = 0;
    S[k]!.forEach((v, i) => { sx += v * (i % cols); sy += v * Math.floor(i / cols); st += v; });
    return {
      peakX: p.x, peakY: p.y, x: st > 0 ? sx / st : p.x, y: st > 0 ? sy / st : p.y,
      flux: [...A[k]!], dataFlux: new Array<number>(B).fill(0),
      morphology: S[k]!, model: Array.from({ length: B }, (_, b) => Float64Array.from(oneOut.subarray(b * n, (b + 1) * n))),
    };
  });
  // Re-apportioning with the positive parts of the source models (the difference kernels have small
  // negative lobes; weights m⁺/Σm⁺ sum to exactly 1 wherever any source is positive).
  for (let b = 0; b < B; b++) for (let i = 0; i < n; i++) {
    const y = inp.images[b]![i]!;
    let tot = 0;
    for (const s of sources) tot += Math.max(0, s.model[b]![i]!);
    if (!(tot > 0) || !Number.isFinite(y)) continue;
    for (const s of sources) s.dataFlux[b] = s.dataFlux[b]! + (y * Math.max(0, s.model[b]![i]!)) / tot;
  }
  return { rows, cols, sources, model, residual, backgroundSigma, chi2PerPixel: cnt ? chi2 / cnt : NaN, iterations, converged, warnings };
}

// The hot loops as plain functions: V8 optimises them better than the same loops inline in the
// generator body (measured: CPU time per iteration below).
function addScaled(s: Float64Array, a: number, g: Float64Array, off: number, n: number): void {
  for (let i = 0; i < n; i++) s[i] = s[i]! + a * g[off + i]!;
}
function addScaledInto(u: Float64Array, off: number, a: number, s: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) u[off + i] = u[off + i]! + a * s[i]!;
}
function dot(s: Float64Array, g: Float64Array, off: number, n: number): number {
  let t = 0;
  for (let i = 0; i < n; i++) t += s[i]! * g[off + i]!;
  return t;
}
function sum(s: Float64Array, n: number): number {
  let t = 0;
  for (let i = 0; i < n; i++) t += s[i]!;
  return t;
}
function scale(s: Float64Array, f: number, n: number): void {
  for (let i = 0; i < n; i++) s[i] = s[i]! * f;
}
function extrapolate(s: Float64Array, x: Float64Array, beta: number, n: number): void {
  for (let i = 0; i < n; i++) { const v = s[i]!; s[i] = v + beta * (v - x[i]!); x[i] = v; }
}
/** R = W (Y − M) on one band's slice; returns ½ Σ W (Y − M)². */
function weightedResidual(y: Float64Array, w: Float64Array, m: Float64Array, r: Float64Array, off: number, n: number): number {
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const d = y[i]! - m[off + i]!, wi = w[i]!;
    r[off + i] = wi * d;
    loss += 0.5 * wi * d * d;
  }
  return loss;
}

function median(w: Float64Array): number {
  const v = Array.from(w).filter((x) => x > 0).sort((a, b) => a - b);
  return v.length ? v[v.length >> 1]! : 1;
}
