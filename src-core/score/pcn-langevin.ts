// Annealed, preconditioned Crank–Nicolson Langevin ("pCNL"; Cotter, Roberts, Stuart & White 2013, Stat. Sci.
// 28, 424, §4.3; Beskos et al. 2008 "∞-MALA") for a target that is a known Gaussian times a learned factor,
//   π_σ(x) ∝ N(x; m_σ, C_σ) · exp Φ_σ(x),
// at each level σ of a decreasing ladder — e.g. the hybrid prior of Remy et al. (2020): the Gaussian part's
// posterior (diagonal in Fourier for white noise without mask) times the learned residual. One step
// (u = x − m_σ, g = ∇Φ_σ(x), w ~ N(0, C_σ)):
//   u′ = [(2 − δ) u + 2δ C_σ g + √(8δ) w] / (2 + δ).
// For Φ = 0 this is an exact autoregression u′ = ρu + √(1 − ρ²) w, ρ = (2 − δ)/(2 + δ), that leaves
// N(m_σ, C_σ) invariant for every δ: the Gaussian part is sampled without discretisation bias and every mode
// relaxes at the same rate, however much its posterior std exceeds σ — the failure of plain annealed Langevin
// with α = σ² (docs/massmap.md, "Diagnosis"). Φ enters as a drift preconditioned by C_σ, and a Metropolis–
// Hastings test (pCNL is Metropolis-adjusted; with u, v the current and proposed x − m and g_u, g_v their
// drifts, the Gaussian terms cancel and
//   log α = Φ(v) − Φ(u) + [2b⟨u − a v, g_v⟩ − b² g_vᵀC g_v − 2b⟨v − a u, g_u⟩ + b² g_uᵀC g_u] / (2c²),
// a = (2 − δ)/(2 + δ), b = 2δ/(2 + δ), c² = 8δ/(2 + δ)² = 1 − a²) keeps the chains on the target where the
// learned part is stiff. Only ∇Φ is known, so Φ(v) − Φ(u) is the trapezoid line integral
// ½⟨g_u + g_v, v − u⟩ (exact for quadratic Φ; Remy et al. use Simpson's rule the same way), which assumes
// the learned score is a gradient field. For Φ = 0 every proposal is accepted.
// Chains start from a draw of N(m_1, C_1) (for white noise: a Wiener constrained realisation at level σ_1,
// Hoffman & Ribak 1991) or from given images, and at the last level a chain may yield several samples
// (`samplesPerChain` draws `thin` steps apart, after the level's steps).
// src-core stays pure: the learned part is an injected async batch function (one network call per step
// for all chains, batched-langevin.ts), the Gaussian part an injected operator set.
import type { Rng } from '../rng';
import { checkCancelled, type RunControl } from '../inverse/solvers/run-control';
import type { BatchScoreFn } from './batched-langevin';

/** N(mean, C) with C applied as an operator (e.g. a Fourier multiplier). */
export interface GaussianReference {
  mean: Float64Array;
  /** out = C x. */
  applyC(x: Float64Array, out: Float64Array): void;
  /** out = a draw of N(0, C). */
  sample(rng: Rng, out: Float64Array): void;
}

export interface PcnLangevinOptions extends RunControl {
  size: number;
  chains: number;
  /** Decreasing σ ladder. */
  sigmas: Float64Array;
  /** The Gaussian factor at level σ (called once per level, with the chains' states on entering it). */
  reference: (sigma: number, chains: readonly Float64Array[]) => GaussianReference | Promise<GaussianReference>;
  /** ∇Φ_σ for `chains` images packed chains × D; null: Φ = 0 (the Gaussian alone). */
  drift: BatchScoreFn | null;
  /** Steps per level: a number, or one per level (e.g. more at low σ). Default 4. */
  stepsPerLevel?: number | readonly number[];
  /** δ ∈ (0, 2] (default 1: ρ = 1/3). */
  delta?: number;
  /** Samples kept per chain at the last level (default 1: the chain's end). */
  samplesPerChain?: number;
  /** Steps between kept samples at the last level (default 2). */
  thin?: number;
  /** Metropolis–Hastings test (default true; without it the drift's bias is O(δ) in Φ's curvature). */
  metropolis?: boolean;
  /** One start image per chain instead of a draw from the first level's reference. */
  starts?: readonly Float64Array[];
  rng: Rng;
}

export interface PcnLangevinResult {
  /** chains × samplesPerChain samples, chain-major. */
  samples: Float64Array[];
  /** Drift (network) evaluations, all chains. */
  scoreEvaluations: number;
  /** Accepted fraction of proposals per level (1 without a drift or without the test). */
  acceptance: Float64Array;
}

export async function annealedPcnLangevin(o: PcnLangevinOptions): Promise<PcnLangevinResult> {
  const D = o.size, B = o.chains, L = o.sigmas.length, delta = o.delta ?? 1;
  if (!(delta > 0 && delta <= 2)) throw new Error(`annealedPcnLangevin: δ must be in (0, 2], got ${delta}`);
  if (o.starts && o.starts.length !== B) throw new Error(`annealedPcnLangevin: ${o.starts.length} start images for ${B} chains`);
  const K = Math.max(1, o.samplesPerChain ?? 1), thin = Math.max(1, o.thin ?? 2);
  const steps = (l: number) => (typeof o.stepsPerLevel === 'number' || o.stepsPerLevel === undefined ? o.stepsPerLevel ?? 4 : o.stepsPerLevel[l] ?? 4);
  const a = (2 - delta) / (2 + delta), b = (2 * delta) / (2 + delta), c = Math.sqrt(8 * delta) / (2 + delta);
  let ref = await o.reference(o.sigmas[0]!, o.starts ?? []);
  const xs = Array.from({ length: B }, (_, k) => {
    const x = new Float64Array(D);
    if (o.starts) x.set(o.starts[k]!);
    else {
      ref.sample(o.rng, x);
      for (let i = 0; i < D; i++) x[i] = x[i]! + ref.mean[i]!;
    }
    return x;
  });
  const packed = new Float32Array(B * D), w = new Float64Array(D), y = new Float64Array(D);
  const mh = (o.metropolis ?? true) && o.drift !== null;
  // per chain: drift g and C g at the current state (level-dependent: recomputed on entering a level)
  const gs = xs.map(() => new Float64Array(D)), cgs = xs.map(() => new Float64Array(D));
  const gy = new Float64Array(D), cgy = new Float64Array(D);
  let evals = 0;
  const driftAll = async (imgs: readonly Float64Array[], sigma: number): Promise<Float32Array | null> => {
    if (!o.drift) return null;
    for (let k = 0; k < B; k++) packed.set(imgs[k]!, k * D);
    evals += B;
    return o.drift(packed, sigma, B);
  };
  const refresh = async (sigma: number) => {
    if (!o.drift) return;
    const d = await driftAll(xs, sigma);
    for (let k = 0; k < B; k++) {
      if (d) for (let i = 0; i < D; i++) gs[k]![i] = d[k * D + i]!;
      ref.applyC(gs[k]!, cgs[k]!);
    }
  };
  let accepted = 0, proposed = 0;
  const proposals = xs.map(() => new Float64Array(D));
  const step = async (sigma: number) => {
    const m = ref.mean;
    for (let k = 0; k < B; k++) {
      const x = xs[k]!, cg = cgs[k]!, p = proposals[k]!;
      ref.sample(o.rng, w);
      for (let i = 0; i < D; i++) p[i] = m[i]! + a * (x[i]! - m[i]!) + b * cg[i]! + c * w[i]!;
    }
    if (!o.drift) {
      for (let k = 0; k < B; k++) xs[k]!.set(proposals[k]!);
      return;
    }
    const d = (await driftAll(proposals, sigma))!;
    for (let k = 0; k < B; k++) {
      const x = xs[k]!, p = proposals[k]!, g = gs[k]!, cg = cgs[k]!;
      for (let i = 0; i < D; i++) gy[i] = d[k * D + i]!;
      ref.applyC(gy, cgy);
      let accept = true;
      if (mh) {
        // Φ(v) − Φ(u) by the trapezoid rule, then the proposal terms (header); u = x − m, v = p − m
        let dPhi = 0, t1 = 0, t2 = 0, qy = 0, qx = 0;
        for (let i = 0; i < D; i++) {
          const u = x[i]! - m[i]!, v = p[i]! - m[i]!;
          dPhi += 0.5 * (g[i]! + gy[i]!) * (v - u);
          t1 += (u - a * v) * gy[i]!;
          t2 += (v - a * u) * g[i]!;
          qy += gy[i]! * cgy[i]!;
          qx += g[i]! * cg[i]!;
        }
        const logA = dPhi + (2 * b * t1 - b * b * qy - 2 * b * t2 + b * b * qx) / (2 * c * c);
        accept = Math.log(o.rng.uniform()) < logA;
      }
      proposed++;
      if (accept) {
        accepted++;
        x.set(p);
        g.set(gy);
        cg.set(cgy);
      }
    }
  };
  const acceptance = new Float64Array(L);
  const samples: Float64Array[][] = Array.from({ length: B }, () => []);
  for (let l = 0; l < L; l++) {
    checkCancelled(o.signal, 'annealed pCN Langevin', l);
    const sigma = o.sigmas[l]!;
    if (l > 0) ref = await o.reference(sigma, xs);
    accepted = proposed = 0;
    await refresh(sigma);
    for (let t = 0; t < steps(l); t++) await step(sigma);
    if (l === L - 1) {
      for (let s = 0; s < K; s++) {
        if (s > 0) for (let t = 0; t < thin; t++) await step(sigma);
        for (let k = 0; k < B; k++) samples[k]!.push(Float64Array.from(xs[k]!));
      }
    }
    acceptance[l] = proposed ? accepted / proposed : 1;
    o.onProgress?.(l + 1, L);
  }
  return { samples: samples.flat(), scoreEvaluations: evals, acceptance };
}
