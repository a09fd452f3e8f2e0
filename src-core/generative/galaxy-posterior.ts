// Sampling the galaxy posterior p(z | x) of a Flow-VAE (deblending-and-generative.md §B5; Lanusse et
// al. 2020 §4 fit the latent code of a stamp the same way). Steps:
// 1. the mode: L-BFGS on log p(z | x) started at the encoder's q(z | x) mean;
// 2. the Laplace approximation there: the Hessian by central differences of the exact gradient, its
//    inverse Σ = LLᵀ; the sampler then works in u with z = ẑ + L u (lens-posterior.ts `preconditioned`;
//    a linear map, so the density of u is exact up to a constant). The latent posterior of a
//    well-measured galaxy is strongly correlated (marginal sds 2–5× the conditional ones, measured on
//    the bundled model), which a diagonal metric alone would pay for with trees of depth 5–6;
// 3. NUTS (src-core/infer; Hoffman & Gelman 2014) with Stan's windowed adaptation, chains started at
//    u ~ N(0, I), or mean-field ADVI (Kucukelbir et al. 2017, JMLR 18:14) in u by stochastic gradient
//    on the reparametrised ELBO. Posterior images: every draw decoded, g_θ(z_i), and the per-pixel
// mean and standard deviation of the noiseless, PSF-free galaxy on the decoder grid.
import { CancelledError, InputError } from '../errors';
import { Rng } from '../rng';
import { adamUpdate, TORCH_ADAM } from '../math/adam';
import { sample, type ChainResult } from '../infer/sample';
import { maximiseLogDensity } from '../infer/optimize/lbfgs';
import { choleskyOrNull, choleskySolveInPlace } from '../infer/linalg';
import { preconditioned } from '../infer/lens-posterior';
import { samplerReport, summarise, type ParameterSummary } from '../infer/summary';
import type { GalaxyPosteriorDensity } from './galaxy-likelihood';

export type PosteriorMethod = 'nuts' | 'vi';

export interface GalaxyPosteriorOptions {
  method: PosteriorMethod;
  /** Total posterior draws (split evenly over the chains for NUTS). */
  samples: number;
  chains: number;
  /** NUTS warm-up iterations per chain; ADVI optimisation steps. */
  warmup: number;
  seed: number;
  /** Encoder mean μ_φ(x) (the mode search starts there) and standard deviation (finite-difference scale). */
  init: Float64Array;
  initSd: Float64Array;
  /** L-BFGS iterations for the mode (default 200). */
  mapIterations?: number;
  maxDepth?: number;
  /** ADVI: Monte-Carlo draws per gradient step (default 4) and Adam rate (default 0.02). */
  viDraws?: number;
  viRate?: number;
  signal?: { aborted: boolean };
  onProgress?: (done: number, total: number) => void;
}

export interface PosteriorDiagnostics {
  method: PosteriorMethod;
  chains: number;
  drawsPerChain: number;
  warmup: number;
  /** Largest rank-normalised split R̂ over the latent dimensions (Vehtari et al. 2021; one chain is split
   * in halves); NaN for VI. */
  rhatMax: number;
  essBulkMin: number;
  essTailMin: number;
  divergences: number;
  warmupDivergences: number;
  treeDepthSaturated: number;
  meanAcceptProb: number;
  stepSize: number[];
  gradientEvals: number;
  /** ADVI: the ELBO (mean of the last 10 % of steps, nats, up to the likelihood's constant). */
  elbo?: number;
  /** The mode ẑ: log density there and the L-BFGS evaluations; whether the Hessian needed a ridge. */
  map: { logDensity: number; logLikelihood: number; evals: number; ridge: number };
}

export interface GalaxyPosteriorResult {
  /** Draws, row-major n × L (NUTS: chain after chain). */
  z: Float64Array;
  n: number;
  dim: number;
  /** Chain index of each draw. */
  chainOf: Int32Array;
  /** The mode and the Laplace factor L (row-major, lower) used to precondition. */
  mode: Float64Array;
  laplaceChol: Float64Array;
  chains: ChainResult[];
  summary: ParameterSummary[];
  diagnostics: PosteriorDiagnostics;
}

/** Mode of log p(z | x) from `init` and the Laplace covariance's Cholesky factor there. */
export function laplaceAtMode(post: GalaxyPosteriorDensity, init: Float64Array, sd: Float64Array, iterations = 200): { mode: Float64Array; chol: Float64Array; logDensity: number; evals: number; ridge: number } {
  const L = init.length;
  const opt = maximiseLogDensity(post.logDensity, Float64Array.from(init), { maxIterations: iterations, gtol: 1e-6 });
  const mode = opt.x;
  // H = −∇² log p by central differences of the analytic gradient, symmetrised
  const H = new Float64Array(L * L), gp = new Float64Array(L), gm = new Float64Array(L);
  for (let k = 0; k < L; k++) {
    const h = 1e-3 * Math.max(sd[k]!, 1e-2), zp = Float64Array.from(mode), zm = Float64Array.from(mode);
    zp[k] += h;
    zm[k] -= h;
    post.logDensity(zp, gp);
    post.logDensity(zm, gm);
    for (let i = 0; i < L; i++) H[i * L + k] = -(gp[i]! - gm[i]!) / (2 * h);
  }
  for (let i = 0; i < L; i++) for (let k = 0; k < i; k++) H[i * L + k] = H[k * L + i] = (H[i * L + k]! + H[k * L + i]!) / 2;
  // not positive definite (a saddle or a flat direction): a growing ridge, relative to the diagonal
  let ridge = 0, cH = choleskyOrNull(H, L);
  const diagMax = Math.max(...Array.from({ length: L }, (_, i) => Math.abs(H[i * L + i]!)), 1);
  for (let t = 0; !cH && t < 12; t++) {
    ridge = diagMax * 1e-6 * 10 ** t;
    const Hr = Float64Array.from(H);
    for (let i = 0; i < L; i++) Hr[i * L + i] += ridge;
    cH = choleskyOrNull(Hr, L);
  }
  if (!cH) throw new InputError('POSTERIOR_LAPLACE', 'the Hessian of the galaxy posterior at its mode is not positive definite', {});
  // Σ = H⁻¹ = (C Cᵀ)⁻¹; its Cholesky factor is the lower factor of C⁻ᵀC⁻¹: compute Σ, then factor
  const inv = new Float64Array(L * L), col = new Float64Array(L);
  for (let c = 0; c < L; c++) {
    col.fill(0);
    col[c] = 1;
    choleskySolveInPlace(cH, L, col);
    for (let i = 0; i < L; i++) inv[i * L + c] = col[i]!;
  }
  const chol = choleskyOrNull(inv, L);
  if (!chol) throw new InputError('POSTERIOR_LAPLACE', 'the Laplace covariance of the galaxy posterior is not positive definite', {});
  return { mode, chol, logDensity: opt.logDensity, evals: opt.nEvals + 2 * L, ridge };
}

export function sampleGalaxyPosterior(post: GalaxyPosteriorDensity, o: GalaxyPosteriorOptions): GalaxyPosteriorResult {
  const L = o.init.length;
  if (!(o.samples >= 1) || !(o.chains >= 1)) throw new InputError('INPUT_INVALID', `posterior needs ≥ 1 sample and ≥ 1 chain (got ${o.samples}, ${o.chains})`, {});
  const lap = laplaceAtMode(post, o.init, o.initSd, o.mapIterations);
  const pre = preconditioned(post.logDensity, lap.mode, lap.chol);
  const map = { logDensity: lap.logDensity, logLikelihood: post.logLikelihood(lap.mode), evals: lap.evals, ridge: lap.ridge };
  const r = o.method === 'vi' ? advi(pre.logDensityAndGrad, o, L) : nutsChains(pre.logDensityAndGrad, o, L);
  // draws u → z = ẑ + L u
  const toZ = (u: Float64Array) => {
    const out = new Float64Array(u.length), tmp = new Float64Array(L);
    for (let i = 0; i < u.length / L; i++) {
      pre.toU(u.subarray(i * L, (i + 1) * L), tmp);
      out.set(tmp, i * L);
    }
    return out;
  };
  const z = toZ(r.u);
  const chains = r.chains.map((c) => ({ ...c, draws: toZ(c.draws) }));
  const summary = chains.length ? summarise(chains, Array.from({ length: L }, (_, k) => `Z${k}`)) : [];
  const d = r.diagnostics;
  if (summary.length) {
    d.rhatMax = Math.max(...summary.map((s) => s.rhat));
    d.essBulkMin = Math.min(...summary.map((s) => s.essBulk));
    d.essTailMin = Math.min(...summary.map((s) => s.essTail));
  }
  d.gradientEvals += map.evals;
  return { z, n: r.n, dim: L, chainOf: r.chainOf, chains, summary, mode: lap.mode, laplaceChol: lap.chol, diagnostics: { ...d, map } };
}

type Stage = { u: Float64Array; n: number; chainOf: Int32Array; chains: ChainResult[]; diagnostics: Omit<PosteriorDiagnostics, 'map'> };

function nutsChains(logDensity: (q: Float64Array, g: Float64Array) => number, o: GalaxyPosteriorOptions, L: number): Stage {
  const per = Math.ceil(o.samples / o.chains), total = o.chains * (o.warmup + per);
  const chains: ChainResult[] = [];
  for (let c = 0; c < o.chains; c++) {
    const rng = new Rng(o.seed, 1000 + c);
    const init = Float64Array.from({ length: L }, () => rng.normal());
    chains.push(sample({
      logDensity, init, nWarmup: o.warmup, nSamples: per, seed: o.seed, chain: c, maxDepth: o.maxDepth ?? 8,
      signal: o.signal, progressEvery: 10, onProgress: o.onProgress ? (d) => o.onProgress!(c * (o.warmup + per) + d, total) : undefined,
    }));
  }
  const n = per * o.chains, u = new Float64Array(n * L), chainOf = new Int32Array(n);
  chains.forEach((r, c) => {
    u.set(r.draws, c * per * L);
    chainOf.fill(c, c * per, (c + 1) * per);
  });
  const rep = samplerReport(chains);
  return {
    u, n, chainOf, chains,
    diagnostics: {
      method: 'nuts', chains: o.chains, drawsPerChain: per, warmup: o.warmup, rhatMax: NaN, essBulkMin: NaN, essTailMin: NaN,
      divergences: rep.divergences, warmupDivergences: rep.warmupDivergences, treeDepthSaturated: rep.treeDepthSaturated, meanAcceptProb: rep.meanAcceptProb,
      stepSize: rep.stepSize, gradientEvals: rep.gradientEvals,
    },
  };
}

/**
 * Mean-field ADVI in the whitened u: q(u) = N(μ, diag e^{2ω}); ELBO = E_q log p(u | x) + Σ ω + const. With u = μ + e^ω ⊙ ε:
 * ∇_μ = ∇ log p(z), ∇_ω = ∇ log p(z) ⊙ ε ⊙ e^ω + 1 (Kucukelbir et al. 2017, eqs. 8–9), averaged over
 * `viDraws` ε per step; Adam ascends. Then `samples` independent draws from q.
 */
function advi(logDensity: (q: Float64Array, g: Float64Array) => number, o: GalaxyPosteriorOptions, L: number): Stage {
  const rng = new Rng(o.seed, 2000), K = o.viDraws ?? 4, lr = o.viRate ?? 0.02, steps = o.warmup;
  const params = new Float64Array(2 * L); // μ then ω, in the Laplace-whitened u (start: N(0, I))
  const m = new Float64Array(2 * L), v = new Float64Array(2 * L), g = new Float64Array(2 * L), grad = new Float64Array(L), zq = new Float64Array(L), eps = new Float64Array(L);
  const elbos: number[] = [];
  let evals = 0;
  for (let t = 1; t <= steps; t++) {
    if (o.signal?.aborted) throw new CancelledError(`ADVI cancelled at step ${t}`);
    g.fill(0);
    let elbo = 0, used = 0;
    for (let d = 0; d < K; d++) {
      for (let k = 0; k < L; k++) {
        eps[k] = rng.normal();
        zq[k] = params[k]! + Math.exp(params[L + k]!) * eps[k]!;
      }
      const lp = logDensity(zq, grad);
      evals++;
      if (!Number.isFinite(lp)) continue;
      used++;
      elbo += lp;
      for (let k = 0; k < L; k++) {
        g[k] += grad[k]!;
        g[L + k] += grad[k]! * eps[k]! * Math.exp(params[L + k]!);
      }
    }
    if (used === 0) continue;
    let ent = 0;
    for (let k = 0; k < L; k++) {
      ent += params[L + k]!;
      g[k] = -g[k]! / used;
      g[L + k] = -(g[L + k]! / used + 1);
    }
    elbos.push(elbo / used + ent);
    adamUpdate(params, g, m, v, lr, t, TORCH_ADAM);
    if (o.onProgress && (t % 10 === 0 || t === steps)) o.onProgress(t, steps + o.samples);
  }
  const n = o.samples, u = new Float64Array(n * L);
  for (let i = 0; i < n; i++) for (let k = 0; k < L; k++) u[i * L + k] = params[k]! + Math.exp(params[L + k]!) * rng.normal();
  o.onProgress?.(steps + n, steps + n);
  const tail = elbos.slice(Math.floor(elbos.length * 0.9));
  return {
    u, n, chainOf: new Int32Array(n), chains: [],
    diagnostics: {
      method: 'vi', chains: 1, drawsPerChain: n, warmup: steps, rhatMax: NaN, essBulkMin: NaN, essTailMin: NaN, divergences: 0, warmupDivergences: 0,
      treeDepthSaturated: 0, meanAcceptProb: NaN, stepSize: [lr], gradientEvals: evals, elbo: tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length),
    },
  };
}

/** Every draw decoded (n × D × D, `scale` × the decoder's units) and the per-pixel mean and sd. */
export function posteriorImages(post: GalaxyPosteriorDensity, z: Float64Array, n: number, dim: number, scale = 1): { cube: Float32Array; mean: Float32Array; std: Float32Array; side: number } {
  const first = post.decode(z.subarray(0, dim)), P = first.length, side = Math.round(Math.sqrt(P));
  const cube = new Float32Array(n * P), s1 = new Float64Array(P), s2 = new Float64Array(P);
  for (let i = 0; i < n; i++) {
    const g = i === 0 ? first : post.decode(z.subarray(i * dim, (i + 1) * dim));
    for (let p = 0; p < P; p++) {
      const v = g[p]! * scale;
      cube[i * P + p] = v;
      s1[p] += v;
      s2[p] += v * v;
    }
  }
  const mean = new Float32Array(P), std = new Float32Array(P);
  for (let p = 0; p < P; p++) {
    const mu = s1[p]! / n;
    mean[p] = mu;
    std[p] = n > 1 ? Math.sqrt(Math.max(0, (s2[p]! - n * mu * mu) / (n - 1))) : 0;
  }
  return { cube, mean, std, side };
}
