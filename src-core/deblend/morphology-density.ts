// Explicit log p(x) of a galaxy morphology (issue 14; reference page §A4, "a density model that returns
// log p"): x is a flux-normalised, centred size × size stamp (./morphology-stamps.ts), N = size².
// Change of variables. Let V (k × N) be the orthonormal PCA basis and U ((N−k) × N) any orthonormal basis
// of its complement, μ the mean stamp. The map x ↦ (c, w) = (V(x − μ), U(x − μ)) is a rotation plus a
// shift, so |det| = 1 and p(x) = p_c(c) · p_w(w) exactly. We model
//   c ~ RealNVP (src-core/flows/realnvp.ts),   w ~ N(0, τ² I_{N−k}),   τ² = σ_n² + σ_m²,
// where σ_n is the stamp's own noise (normalised units, measured on its border) and σ_m² the variance the
// k components leave unexplained in noiseless-equivalent terms (fitted on training stamps). ‖w‖ = ‖r‖ with
// r = x − μ − Vᵀc the PCA residual, so U never has to be formed:
//   log p(x | σ_n) = log p_flow(c) − ‖r‖²/(2τ²) − (N−k)/2 · log(2π τ²).
// This is a density on ℝ^N conditional on the noise level; it is what makes a faint isolated galaxy and
// a bright blend comparable. The blend statistic removes the part that depends on τ alone (the residual's
// expected log-density, −(N−k)/2 · (log 2πτ² + 1)), leaving per pixel
//   t(x) = −[log p(x | σ_n) + (N−k)/2 · (log 2πτ² + 1)] / N,
// and the blend score is a logistic calibration P(blend) = 1/(1 + exp(−(a·t + b))) fitted on simulated
// isolated galaxies versus artificial blends; the documented threshold is P = 0.5.
import { InputError } from '../errors';
import { RealNvp } from '../flows/realnvp';
import { pcaProject, type Pca } from '../flows/pca';
import { prepareStamp, type PreparedStamp } from './morphology-stamps';

export const MORPHOLOGY_FORMAT = 'lensdesk-morphology-flow/1';
export const BLEND_THRESHOLD = 0.5;

export interface MorphologyDensity {
  size: number;
  pca: Pca;
  flow: RealNvp;
  /** σ_m², normalised units. */
  modelVariance: number;
  /** Logistic calibration of the per-pixel statistic t into P(blend). */
  calibration: { a: number; b: number };
}

export interface MorphologyScore {
  /** log p(x | σ_n), nats. */
  logp: number;
  /** log p / N, nats per pixel. */
  logpPerPixel: number;
  /** The flow's and the residual's parts of log p. */
  logpFlow: number;
  logpResidual: number;
  /** t(x) (see the header). */
  statistic: number;
  /** P(blend), calibrated. */
  blendProbability: number;
  likelyBlend: boolean;
}

export function scorePrepared(m: MorphologyDensity, s: PreparedStamp): MorphologyScore {
  const N = m.size * m.size, k = m.pca.k;
  if (s.x.length !== N) throw new InputError('INPUT_INVALID', `stamp has ${s.x.length} pixels, the morphology model expects ${m.size}×${m.size}`);
  const c = pcaProject(m.pca, s.x);
  let r2 = 0;
  for (let i = 0; i < N; i++) {
    let v = s.x[i]! - m.pca.mean[i]!;
    for (let a = 0; a < k; a++) v -= c[a]! * m.pca.basis[a]![i]!;
    r2 += v * v;
  }
  const tau2 = s.sigma * s.sigma + m.modelVariance;
  const logpFlow = m.flow.logProb(c);
  const logpResidual = -r2 / (2 * tau2) - 0.5 * (N - k) * Math.log(2 * Math.PI * tau2);
  const logp = logpFlow + logpResidual;
  const statistic = -(logp + 0.5 * (N - k) * (Math.log(2 * Math.PI * tau2) + 1)) / N;
  const z = m.calibration.a * statistic + m.calibration.b;
  const blendProbability = 1 / (1 + Math.exp(-z));
  return { logp, logpPerPixel: logp / N, logpFlow, logpResidual, statistic, blendProbability, likelyBlend: blendProbability >= BLEND_THRESHOLD };
}

/** Scores a detection image (any size ≥ 8 × 8; the central object is found as in ./morphology-stamps.ts). */
export function blendScore(m: MorphologyDensity, img: ArrayLike<number>, rows: number, cols: number): MorphologyScore & { peak: { x: number; y: number } } {
  const s = prepareStamp(img, rows, cols, m.size);
  return { ...scorePrepared(m, s), peak: s.peak };
}

/** Mean residual variance per complement dimension beyond the stamps' noise: σ_m² ≥ 0. */
export function fitModelVariance(pca: Pca, stamps: readonly PreparedStamp[]): number {
  const N = pca.dim, k = pca.k;
  let s = 0;
  for (const st of stamps) {
    const c = pcaProject(pca, st.x);
    let r2 = 0;
    for (let i = 0; i < N; i++) {
      let v = st.x[i]! - pca.mean[i]!;
      for (let a = 0; a < k; a++) v -= c[a]! * pca.basis[a]![i]!;
      r2 += v * v;
    }
    s += r2 / (N - k) - st.sigma * st.sigma;
  }
  return Math.max(1e-14, s / stamps.length);
}

/** 1-D logistic regression by Newton's method (IRLS) on (statistic, isBlend); statistic is standardised inside. */
export function fitLogistic(t: readonly number[], y: readonly boolean[]): { a: number; b: number } {
  const n = t.length, mu = t.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(t.reduce((s, v) => s + (v - mu) ** 2, 0) / n) || 1;
  let a = 0, b = 0;
  for (let it = 0; it < 50; it++) {
    let ga = 0, gb = 0, haa = 1e-6, hab = 0, hbb = 1e-6;
    for (let i = 0; i < n; i++) {
      const u = (t[i]! - mu) / sd, p = 1 / (1 + Math.exp(-(a * u + b))), e = (y[i] ? 1 : 0) - p, w = p * (1 - p);
      ga += e * u; gb += e; haa += w * u * u; hab += w * u; hbb += w;
    }
    const det = haa * hbb - hab * hab, da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
    a += da; b += db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { a: a / sd, b: b - (a * mu) / sd };
}

export function morphologyToJSON(m: MorphologyDensity): unknown {
  return {
    format: MORPHOLOGY_FORMAT, size: m.size, modelVariance: m.modelVariance, calibration: m.calibration, threshold: BLEND_THRESHOLD,
    pca: { k: m.pca.k, mean: Array.from(m.pca.mean), variance: Array.from(m.pca.variance), basis: m.pca.basis.map((v) => Array.from(v)) },
    flow: m.flow.toJSON(),
  };
}

export function morphologyFromJSON(j: unknown, where = 'morphology model'): MorphologyDensity {
  const o = (j ?? {}) as Record<string, unknown>;
  const bad = (field: string, what: string) => new InputError('MODEL_INVALID', `${where}: field "${field}" ${what}`, { field, path: where });
  if (o.format !== MORPHOLOGY_FORMAT) throw bad('format', `is ${JSON.stringify(o.format)}, expected "${MORPHOLOGY_FORMAT}"`);
  const size = o.size;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 8) throw bad('size', 'must be an integer ≥ 8');
  const N = size * size;
  const p = (o.pca ?? {}) as Record<string, unknown>;
  const k = p.k;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k >= N) throw bad('pca.k', `must be an integer in [1, ${N})`);
  const vec = (v: unknown, n: number, f: string) => {
    if (!Array.isArray(v) || v.length !== n || !v.every((e) => typeof e === 'number' && Number.isFinite(e))) throw bad(f, `must be ${n} finite numbers`);
    return Float64Array.from(v as number[]);
  };
  if (!Array.isArray(p.basis) || p.basis.length !== k) throw bad('pca.basis', `must be ${k} vectors`);
  const pca: Pca = { dim: N, k, mean: vec(p.mean, N, 'pca.mean'), variance: vec(p.variance, k, 'pca.variance'), basis: p.basis.map((v, i) => vec(v, N, `pca.basis[${i}]`)) };
  const flow = RealNvp.fromJSON(o.flow);
  if (flow.dim !== k) throw bad('flow.dim', `is ${flow.dim}, PCA k is ${k}`);
  const mv = o.modelVariance, cal = (o.calibration ?? {}) as Record<string, unknown>;
  if (typeof mv !== 'number' || !(mv > 0)) throw bad('modelVariance', 'must be a positive number');
  if (typeof cal.a !== 'number' || typeof cal.b !== 'number') throw bad('calibration', 'must be {a, b} numbers');
  return { size, pca, flow, modelVariance: mv, calibration: { a: cal.a, b: cal.b } };
}
