// One lens fit end to end, shared by the 'fit' job, the benchmarks and the calibration run: MAP
// (multi-start LM) + Laplace preconditioning in this thread, NUTS chains in worker threads
// (src-main/workers/fit-pool), then summaries, diagnostics and the best-fit model / normalised residual.
// Defaults are the measured fast settings (docs/infer.md "Speed"): with the Laplace preconditioning the
// posterior of z is close to N(0, I), so 75 warm-up iterations suffice (measured, docs/infer.md) for the step size and the
// diagonal metric. MAP: 8 LM starts × ≤ 100 evaluations, the best 2 continued for ≤ 600 (≈ 2000
// evaluations; 4 × 200 missed the mode of bright lenses, see lens-posterior findMap).
import { appendChain, chi2Expectation, continuationOf, lensModelFromInput, mapOnlyReport, planLensFit, replanFromDraws, reportLensFit, toPhysicalChains, type KnownMap, type LensFitInput, type LensFitPlan, type LensFitReport } from '../../src-core/infer/lens-fit';
import { checkModes, type ModeCheck } from '../../src-core/infer/lens-mode-check';
import { LensPosterior } from '../../src-core/infer/lens-posterior';
import { LENS_PARAM_NAMES } from '../../src-core/infer/lens-model';
import { ExtLensModel } from '../../src-core/infer/lens-model-ext';
import { pointSourceStarts, type CompactPeak, type PositionFit } from '../../src-core/infer/image-positions';
import { fitPointErrorFloor, withPointErrorFloor } from '../../src-core/infer/point-error-floor';
import { truncated, type ChainResult } from '../../src-core/infer/sample';
import { runFitChains, type FitChainJob } from '../workers/fit-pool';

export interface FitSettings {
  chains: number;
  warmup: number;
  samples: number;
  seed: number;
  /** LM runs from the best screening draws and their evaluation cap; then the best `refineBest` of those
   * that hit the cap are continued for up to `refineEvals` more (staged multi-start, lens-posterior findMap). */
  nStarts: number;
  maxEvals: number;
  refineBest: number;
  refineEvals: number;
  /** Sampling continues in rounds of `samples` draws per chain (no new warm-up: step size and metric
   * frozen, so the continued chain is still a valid Markov chain) until every parameter's R̂ < targetRhat
   * and θE's bulk ESS ≥ targetEss, or the chains hold `maxSamples` draws each. A fixed short run leaves
   * R̂ of the weakly constrained source parameters just above 1.01 in most fits (37-fit calibration
   * run, docs/infer.md), and a longer fixed run would make every well-mixed fit pay for the few that need it. */
  maxSamples: number;
  targetRhat: number;
  targetEss: number;
  /** When χ²/pixel at the MAP exceeds this, every variance is multiplied by that χ²/pixel before sampling
   * (0 = never). A model that cannot describe the cutout (star-forming knots, a lens light of another
   * shape or profile, a neighbour) leaves residuals of many σ; a likelihood that ignores them gives
   * posteriors far narrower than the model error, and on bright survey stamps (χ²/pixel of hundreds) a
   * posterior so sharp and curved that NUTS needs thousands of leapfrog steps per draw. Rescaling the noise
   * until the best fit has χ²/pixel = 1 is the usual remedy in lens modelling (an "error floor"): the MAP
   * is unchanged, the widths absorb the model error, and the fit reports the factor. */
  inflateAbove: number;
  /** NUTS maximum tree depth (Stan's default 10: up to 1023 gradients per draw). */
  maxDepth: number;
  /** When posterior draws reach a χ² below the MAP's (lens-mode-check.ts), the fit re-optimises from the best
   * draw and samples again around the new optimum, at most this many times (issue 21). */
  maxModeRounds: number;
  /** 'sie+ps' only: the point-source error floor, σ² += (f · quasar-image model)² (point-error-floor.ts): a number
   * (default 1), or 'fit': f by maximum likelihood on the MAP residuals (then the MAP is re-polished and f fitted
   * again); 0: none (every variance is then only rescaled by χ²/pixel, which left HE0435's chains stuck). Default
   * 1, not the maximum-likelihood f (0.43–0.53 on HE0435-1223): with the quasar pixels weighted that strongly the
   * Sérsic source and lens light bend to absorb the images' PSF residuals, run to their prior bounds, and the
   * posterior's Hessian there is not positive definite (eigenvalues −10⁷…10⁹ in the Laplace coordinates); with
   * f = 1 the quasar pixels fix the images' positions and the extended light describes the extended light
   * (Hessian eigenvalues 0.2–2.1, docs/real-skies.md "HE0435-1223 with a point-source error floor"). */
  pointErrorFloor?: number | 'fit';
  /** After a first round of draws that did not converge, re-precondition with the draws' own mean and
   * covariance (lens-fit.ts `replanFromDraws`, Stan's dense-metric adaptation), warm up again and sample anew;
   * the first round's draws are discarded as warm-up. Default true; false keeps the MAP's scale throughout. */
  replan?: boolean;
  /** With replan on: draws per chain in each round (default REPLAN_ROUND_DRAWS for the 12-parameter model, `samples`
   * for the larger ones; at most `samples`). The first round decides whether to re-precondition; its draws are
   * either kept (converged, or continued when no new metric
   * can be estimated) or discarded as warm-up, so a short round wastes less, and 4 × 100 draws estimate a 12- or
   * 17-parameter covariance (replanFromDraws needs 20 per parameter). The later rounds are as short so that a fit
   * stops within 100 draws of meeting its targets (a check costs milliseconds; a round of draws, tens of seconds). */
  roundDraws?: number;
  /** Warm-up iterations after re-preconditioning (default REPLAN_WARMUP for the 12-parameter model, `warmup` for the
   * larger ones, as their rounds): the new metric is already the draws' covariance, so only the step size and a
   * diagonal correction remain to adapt. */
  replanWarmup?: number;
}

/** Default round length of the 12-parameter model and the post-replan warm-up (docs/real-skies.md "Rounds of 100
 * draws": measured on the demo's lenses). Models with more parameters ('ext', 'sie+ps': 17) keep rounds of `samples` and the full warm-up:
 * their first round can mix at ~0.1 effective draws per draw (HE0435-1223), and 4 × 100 such draws hold ~40
 * independent ones for a 17 × 17 covariance; HE0435's converged fit was measured with 4 × 200. */
export const REPLAN_ROUND_DRAWS = 100;
export const REPLAN_ROUND_MAX_PARAMS = 12;
export const REPLAN_WARMUP = 50;

export const DEFAULT_FIT_SETTINGS: FitSettings = {
  chains: 4, warmup: 75, samples: 200, seed: 0, nStarts: 8, maxEvals: 100, refineBest: 2, refineEvals: 600,
  maxSamples: 1000, targetRhat: 1.01, targetEss: 400, inflateAbove: 1.5, maxDepth: 10, maxModeRounds: 2,
};

/** A stable key: fits with equal keys are interchangeable (resume skips them). */
export function settingsKey(s: FitSettings): string {
  return `nuts-lens12/c${s.chains}/w${s.warmup}/s${s.samples}/seed${s.seed}/ms${s.nStarts}x${s.maxEvals}+${s.refineBest}x${s.refineEvals}`
    + `/until-rhat${s.targetRhat}-ess${s.targetEss}-max${s.maxSamples}/inflate${s.inflateAbove}${s.maxDepth === 10 ? '' : `/depth${s.maxDepth}`}`
    // Overdispersed starts and the missed-mode check (issue 21) change the draws: fits from before are not interchangeable.
    + `/od-modes${s.maxModeRounds}`
    // Re-preconditioning from the first round's draws changes every fit that needs more than one round.
    + (s.replan === false ? '' : `/replan${roundDrawsOf(s)}w${replanWarmupOf(s)}`);
}

/** Whether the measured short schedule (rounds of REPLAN_ROUND_DRAWS, re-warm-up REPLAN_WARMUP) is the default. */
function shortScheduleFor(nParams: number): boolean {
  return nParams <= REPLAN_ROUND_MAX_PARAMS;
}

/** Draws per chain in a round of a model with nParams parameters: shorter when a re-preconditioning may follow
 * (FitSettings.roundDraws). */
export function roundDrawsOf(s: FitSettings, nParams = REPLAN_ROUND_MAX_PARAMS): number {
  if (s.replan === false) return s.samples;
  return Math.min(s.samples, s.roundDraws ?? (shortScheduleFor(nParams) ? REPLAN_ROUND_DRAWS : s.samples));
}

/** Warm-up iterations after a re-preconditioning, for a model with nParams parameters (FitSettings.replanWarmup). */
export function replanWarmupOf(s: FitSettings, nParams = REPLAN_ROUND_MAX_PARAMS): number {
  return s.replanWarmup ?? (shortScheduleFor(nParams) ? REPLAN_WARMUP : s.warmup);
}

export interface LensFitOutcome {
  plan: LensFitPlan;
  report: LensFitReport;
  /** Physical draws per chain (chains × samples × 12). */
  physical: ChainResult[];
  /** Best-fit (MAP) model and (data − model)/σ, bands × size × size. */
  model: Float64Array;
  residual: Float64Array;
  mapSeconds: number;
  wallSeconds: number;
  /** Sampling rounds run (1 = the first warm-up + samples sufficed) and whether the targets were met. */
  rounds: number;
  /** Set when the chains were re-preconditioned from their first round's draws (FitSettings.replan): the
   * metric before, the draws per chain discarded as warm-up, and R̂ max of those discarded draws. */
  replanned?: { from: NonNullable<LensFitPlan['metric']>; discardedPerChain: number; rhatBefore: number };
  converged: boolean;
  /** Factor applied to every variance before sampling (1 = none; see FitSettings.inflateAbove) and the
   * χ²/pixel at the MAP against the cutout's own variances. */
  varianceInflation: number;
  mapChi2PerPixel: number;
  /** Why the fit is not converged (null when it is): R̂ / ESS targets missed, draws below the MAP after the
   * allowed re-optimisations, chains stranded in another basin, or an unconfirmed MAP search. */
  reason: string | null;
  /** Re-optimisations from a posterior draw below the MAP, each followed by fresh warm-up and sampling. */
  modeRounds: number;
  /** The final missed-mode check (χ² of the best draws per chain against the MAP's, sampled variances). */
  modeCheck: ModeCheck;
  /** χ² expected at the MAP of a well-specified model, N − p ± √(2(N − p)), and (χ²(MAP) − mean)/sd. */
  chi2Expected: { mean: number; sd: number };
  mapChi2Z: number;
  /** Distinct local optima of the MAP search the chains started from (1 = all around the MAP). */
  startModes: number;
  /** Pixels with weight (unmasked, finite, with noise information) over all bands. */
  nPixels: number;
  /** Set when a time budget (maxSeconds) ended the fit early: 'map' = no draws (the report holds the MAP only),
   * 'draws' = fewer draws than the settings ask for. */
  partial: 'map' | 'draws' | null;
  /** The variance the fit used before any inflation (the input's, plus the model's Poisson term when asked, plus the point-source error floor). */
  variance: Float64Array;
  /** Whether the Poisson variance of the MAP model was added (input.poissonFromModel, unless the budget ran out first). */
  poissonAdded: boolean;
  /** Parameter names of the fitted model (12 for 'sie', 17 for 'ext' and 'sie+ps'). */
  paramNames: readonly string[];
  /** 'sie+ps': the compact peaks found in the cutout, the lens fitted to their positions (the MAP starts), and
   * the MAP's point images (arcsec from the stamp centre, signed magnification, amplitude per band in e⁻). */
  points?: PointSourceInfo;
  /** 'sie+ps': the point-source error floor applied before sampling (null: none). */
  pointErrorFloor: PointErrorFloorInfo | null;
}

export interface PointErrorFloorInfo {
  /** σ² += (f · quasar-image model)²; `fitted`: f by maximum likelihood on the MAP residuals, else given. */
  f: number;
  fitted: boolean;
  /** The fitted f lies at an end of its search range [1e-4, 1]. */
  atBound: boolean;
  /** χ² at the MAP before the floor (after any Poisson term) and after it (re-polished). */
  chi2Before: number;
  chi2After: number;
}

export interface PointSourceInfo {
  peaks: CompactPeak[];
  positionFit: PositionFit | null;
  images: { x: number; y: number; mu: number; amplitudes: number[] }[];
}

/** What the fit knows once the MAP is found, before sampling (printed by the CLI). */
export interface MapInfo {
  theta: number[];
  chi2: number;
  chi2PerPixel: number;
  nPixels: number;
  evaluations: number;
  seconds: number;
  varianceInflation: number;
  /** Whether the Poisson variance of the MAP model was added to an estimated background variance. */
  poissonAdded: boolean;
  pointErrorFloor: PointErrorFloorInfo | null;
}

/** Chains that stopped early (time budget) cut to a common length; chains without draws dropped. */
export function commonLength(results: ChainResult[]): ChainResult[] {
  const withDraws = results.filter((r) => r.nSamples > 0);
  if (!withDraws.length) return [];
  const n = Math.min(...withDraws.map((r) => r.nSamples));
  return withDraws.map((r) => (r.nSamples === n ? r : truncated({ ...r, nSamples: n })));
}

/** Whether a fit meets its settings' targets: every R̂ below targetRhat and θE's bulk ESS at least targetEss. */
export function fitConverged(report: LensFitReport, s: Pick<FitSettings, 'targetRhat' | 'targetEss'>): boolean {
  return report.rhatMax < s.targetRhat && report.params[0]!.essBulk >= s.targetEss;
}

export async function fitLens(
  input: LensFitInput,
  s: FitSettings = DEFAULT_FIT_SETTINGS,
  o: {
    workers?: number; signal?: AbortSignal; onProgress?: (done: number, total: number, phase: string) => void;
    /** Wall-clock budget in seconds: sampling stops when it is spent and the fit returns what it has, flagged
     * (converged: false, reason 'time budget …', partial). The MAP search stops between its LM starts. */
    maxSeconds?: number;
    /** Called once the MAP (and any variance rescaling) is settled, before sampling starts. */
    onMap?: (m: MapInfo) => void;
  } = {},
): Promise<LensFitOutcome> {
  const t0 = performance.now();
  const deadline = o.maxSeconds !== undefined ? Date.now() + o.maxSeconds * 1000 : undefined;
  const timeUp = () => deadline !== undefined && Date.now() >= deadline;
  const original = input;
  let model = lensModelFromInput(input);
  o.onProgress?.(0, 1, 'MAP');
  // Point sources: the MAP starts come from the quasar images' positions (image-positions.ts); random starts
  // would put the model's images where the data have none, a flat χ² for the optimiser.
  const ps = input.model === 'sie+ps' ? pointSourceStarts(model.data) : null;
  const planOptions = {
    seed: s.seed, chains: s.chains, nStarts: s.nStarts, maxEvals: s.maxEvals, refineBest: s.refineBest, refineEvals: s.refineEvals,
    // From the image positions the MAP is one basin away: the 2 best-screened starts, short LM runs, no retries
    // (a χ² far above N − p is the PSF mismatch on 10⁵–10⁶ e⁻ images, which fresh random starts cannot fix).
    ...(ps?.starts.length ? { starts: ps.starts, nDraws: 0, nStarts: Math.min(2, ps.starts.length), maxEvals: 150, refineBest: 1, refineEvals: 300, retries: 0, polish: { rounds: 1, maxEvals: 150 } } : {}),
    // Quasar images: the Gauss–Newton Laplace scale misses the curvature of their large residuals (hessian-metric.ts).
    ...(ps ? { hessianMetric: true } : {}),
  };
  const polishOptions = ps?.starts.length ? { rounds: 1, maxEvals: 150 } : {};
  let plan = planLensFit(model, { ...planOptions, ...(deadline !== undefined ? { stopWhen: timeUp } : {}) });
  // Kept apart: the re-plans below (Poisson term, inflation) start from a known MAP and do not carry the flag.
  const mapStopped = !!plan.mapStopped;
  // A MAP in the sampled model's units → a KnownMap in the cutout's own units (plan.mapChi2 stays in those).
  const known = (theta: ArrayLike<number>, chi2: number, p: LensFitPlan, extra = 0): KnownMap => ({
    theta: Float64Array.from(theta), chi2, evaluations: p.mapEvaluations + extra, startChi2: p.startChi2,
    runs: p.modes.map((m) => ({ theta: Float64Array.from(m.theta), chi2: m.chi2 })), mapUnsettled: p.mapUnsettled,
  });
  if (input.poissonFromModel && !mapStopped && !timeUp()) {
    // Estimated background noise in e⁻: add the Poisson variance of the best model (a Gaussian approximation of
    // the source and lens-light shot noise), then re-polish the MAP under the new weights.
    const best = model.modelImage(plan.mapTheta);
    input = { ...input, variance: Float64Array.from(input.variance, (v, i) => v + Math.max(best[i]!, 0)) };
    model = lensModelFromInput(input);
    const before = model.evaluations;
    const pol = new LensPosterior(model).polish(plan.mapTheta, model.solve(plan.mapTheta).chi2, { ...polishOptions, stopWhen: timeUp });
    plan = planLensFit(model, { ...planOptions, knownMap: { ...known(pol.theta, pol.chi2, plan, model.evaluations - before), runs: [] } });
  }
  const poissonAdded = !!input.poissonFromModel && input.variance !== original.variance;
  // Point sources: add the PSF-model error of the quasar images to their pixels' variances (point-error-floor.ts)
  // before any global rescaling, so that the rescaling is left with the extended light's misfit only; then the
  // MAP is re-polished under the new weights. With 'fit', f is fitted on the MAP residuals and once more after the
  // re-polish (the first MAP's residuals were minimised with the quasar pixels dominating). The chains then start
  // around this MAP only (runs: []). The residual image below is normalised by these floored σ.
  let pointErrorFloor: PointErrorFloorInfo | null = null;
  const floorSetting = s.pointErrorFloor ?? 1;
  if (ps && floorSetting !== 0 && !mapStopped && !timeUp()) {
    const base = input.variance;
    const chi2Before = plan.mapChi2;
    for (let round = 0; round < (floorSetting === 'fit' ? 2 : 1) && !timeUp(); round++) {
      const m = model as ExtLensModel;
      const P = m.pointSourceImage(plan.mapTheta);
      const best = m.modelImage(plan.mapTheta);
      const r = Float64Array.from(input.image, (d, i) => d - best[i]!);
      const fit = floorSetting === 'fit' ? fitPointErrorFloor(r, base, P) : null;
      const f = fit ? fit.f : (floorSetting as number);
      input = { ...input, variance: withPointErrorFloor(base, P, f) };
      model = lensModelFromInput(input);
      const before = model.evaluations;
      // Two LM rounds: the new weights move the extended light's optimum (one round stalled short of it on HE0435).
      const pol = new LensPosterior(model).polish(plan.mapTheta, model.solve(plan.mapTheta).chi2, { ...polishOptions, rounds: 2, stopWhen: timeUp });
      plan = planLensFit(model, { ...planOptions, knownMap: { ...known(pol.theta, pol.chi2, plan, model.evaluations - before), runs: [] } });
      pointErrorFloor = { f, fitted: !!fit, atBound: fit?.atBound ?? false, chi2Before, chi2After: plan.mapChi2 };
    }
  }
  const expectation = chi2Expectation(model);
  /** z-score of a χ² against a well-specified model's N − p (chi2ExcessZ, with the expectation computed once). */
  const chi2Z = (chi2: number) => (chi2 - expectation.mean) / expectation.sd;
  const npixAll = expectation.n;
  const mapChi2PerPixel = plan.mapChi2 / npixAll;
  let varianceInflation = 1;
  const sampled = { ...input };
  if (s.inflateAbove > 0 && mapChi2PerPixel > s.inflateAbove) {
    // Same MAP (χ² scales by 1/k everywhere), new Laplace scales: re-plan without a new search.
    varianceInflation = mapChi2PerPixel;
    sampled.variance = Float64Array.from(input.variance, (v) => v * varianceInflation);
    model = lensModelFromInput(sampled);
    plan = planLensFit(model, { ...planOptions, knownMap: known(plan.mapTheta, plan.mapChi2, plan) });
  }
  const mapSeconds = (performance.now() - t0) / 1000;
  o.onMap?.({
    theta: plan.mapTheta, chi2: plan.mapChi2, chi2PerPixel: mapChi2PerPixel, nPixels: npixAll, evaluations: plan.mapEvaluations,
    seconds: mapSeconds, varianceInflation, poissonAdded, pointErrorFloor,
  });
  // Best-fit model and (data − model)/σ at the final MAP, against the variances before any inflation.
  const common = (p: LensFitPlan) => {
    const best = model.modelImage(p.mapTheta);
    const residual = new Float64Array(best.length);
    for (let i = 0; i < best.length; i++) {
      const v = input.variance[i]!;
      residual[i] = v > 0 && Number.isFinite(v) ? (input.image[i]! - best[i]!) / Math.sqrt(v) : 0;
    }
    return { model: best, residual, ...fixed, mapChi2Z: chi2Z(p.mapChi2), paramNames: model.spec.names, ...(ps ? { points: pointInfo(p) } : {}) };
  };
  const fixed = {
    mapSeconds, varianceInflation, mapChi2PerPixel, chi2Expected: { mean: expectation.mean, sd: expectation.sd },
    nPixels: npixAll, variance: input.variance, poissonAdded, pointErrorFloor,
  };
  const pointInfo = (p: LensFitPlan): PointSourceInfo => {
    const m = model as ExtLensModel;
    const { amplitudes } = m.solve(p.mapTheta);
    const nc = 2 + m.maxImages;
    return {
      peaks: ps!.peaks, positionFit: ps!.positionFit,
      images: m.images.map((im, k) => ({ x: im.x, y: im.y, mu: im.mu, amplitudes: Array.from({ length: m.data.bands }, (_, b) => amplitudes[b * nc + 2 + k]!) })),
    };
  };
  const budgetReason = (where: string) => `time budget of ${o.maxSeconds} s spent ${where}`;
  const mapOnly = (where: string): LensFitOutcome => ({
    ...common(plan), plan, report: mapOnlyReport(plan, s.chains, model.spec), physical: [], wallSeconds: (performance.now() - t0) / 1000, rounds: 0,
    converged: false, reason: budgetReason(where), modeRounds: 0, startModes: plan.modes.length, partial: 'map',
    modeCheck: { mapChi2: plan.mapChi2, bestDrawChi2: NaN, bestDrawTheta: plan.mapTheta, betterThanMap: false, chainBestChi2: [], strandedChains: [] },
  });
  if (mapStopped) return mapOnly(`in the MAP search: the best of its starts so far, not refined (χ² ${plan.mapChi2.toFixed(1)}); no draws`);
  if (timeUp()) return mapOnly('after the MAP search: MAP only, no draws');
  const done = new Array(s.chains).fill(0);
  const roundDraws = roundDrawsOf(s, model.spec.names.length);
  let total = s.chains * (s.warmup + roundDraws);
  const runRound = (jobs: FitChainJob[], phase: string) => {
    const base = done.slice();
    return runFitChains(jobs, {
      workers: o.workers ?? 2, signal: o.signal,
      onProgress: (ch, d) => { done[ch] = base[ch]! + d; o.onProgress?.(done.reduce((a, b) => a + b, 0), total, phase); },
    });
  };
  // Sample from overdispersed starts; when a draw beats the MAP, re-optimise from it and start again
  // (fresh warm-up around the new optimum; one chain starts at the old MAP's basin via plan.modes).
  let modeRounds = 0;
  let results: ChainResult[];
  let check: ModeCheck;
  for (;;) {
    results = await runRound(Array.from({ length: s.chains }, (_, chain) => ({ input: sampled, plan, chain, seed: s.seed + modeRounds, nWarmup: s.warmup, nSamples: roundDraws, maxDepth: s.maxDepth, deadline })), modeRounds ? `NUTS after re-optimisation ${modeRounds}` : 'NUTS');
    results = commonLength(results);
    if (!results.length) return mapOnly('in warm-up: MAP only, no draws');
    check = checkModes(model, plan, results);
    if (!check.betterThanMap || modeRounds >= s.maxModeRounds || timeUp()) break;
    const before = model.evaluations;
    const polished = new LensPosterior(model).polish(check.bestDrawTheta, check.bestDrawChi2, { ...polishOptions, stopWhen: timeUp });
    modeRounds++;
    total += s.chains * (s.warmup + roundDraws);
    o.onProgress?.(done.reduce((a, b) => a + b, 0), total, `re-optimising: a draw has χ² ${check.bestDrawChi2.toFixed(1)} < MAP ${check.mapChi2.toFixed(1)}`);
    plan = planLensFit(model, { ...planOptions, seed: s.seed + modeRounds, knownMap: known(polished.theta, polished.chi2 * varianceInflation, plan, model.evaluations - before) });
    done.fill(0);
  }
  let report = reportLensFit(results, plan, model.spec);
  let rounds = 1;
  let replanned: LensFitOutcome['replanned'];
  const re = s.replan !== false && !timeUp() && !fitConverged(report, s) ? replanFromDraws(plan, results) : null;
  if (re) {
    const rewarm = replanWarmupOf(s, model.spec.names.length);
    total += s.chains * (rewarm + roundDraws);
    const fresh = commonLength(await runRound(
      results.map((r, k) => ({
        input: sampled, plan: re.plan, chain: r.chain, seed: s.seed + modeRounds, nWarmup: rewarm, nSamples: roundDraws, maxDepth: s.maxDepth, deadline,
        continueFrom: { position: re.starts[k]!, stepSize: r.stepSize, inverseMassDiag: re.plan.inverseMassDiag, round: rounds, readapt: true },
      })),
      `NUTS, metric from the draws (R̂ ${report.rhatMax.toFixed(3)})`,
    ));
    // A budget that ends the new round with fewer draws than the old one keeps the old draws and metric.
    if (fresh.length === results.length && fresh[0]!.nSamples >= Math.min(results[0]!.nSamples, roundDraws)) {
      replanned = { from: plan.metric ?? 'gauss-newton', discardedPerChain: results[0]!.nSamples, rhatBefore: report.rhatMax };
      results = fresh;
      plan = re.plan;
      report = reportLensFit(results, plan, model.spec);
      rounds++;
    }
  }
  while (!timeUp() && !fitConverged(report, s) && results[0]!.nSamples + roundDraws <= s.maxSamples) {
    total += s.chains * roundDraws;
    const more = await runRound(
      results.map((r) => ({ input: sampled, plan, chain: r.chain, seed: s.seed + modeRounds, nWarmup: 0, nSamples: roundDraws, maxDepth: s.maxDepth, continueFrom: continuationOf(r, rounds), deadline })),
      `NUTS, more draws (R̂ ${report.rhatMax.toFixed(3)})`,
    );
    results = commonLength(results.map((r, k) => appendChain(r, more[k]!)));
    report = reportLensFit(results, plan, model.spec);
    rounds++;
  }
  if (rounds > 1) check = checkModes(model, plan, results); // the continuation rounds added draws
  const reasons: string[] = [];
  const perChain = results[0]!.nSamples;
  const short = results.length < s.chains || perChain < roundDraws || results.some((r) => r.stopped) || (timeUp() && !fitConverged(report, s));
  if (short && deadline !== undefined) {
    const rh = Number.isFinite(report.rhatMax) ? report.rhatMax.toFixed(3) : 'n/a';
    reasons.push(budgetReason(`after ${perChain} draws in each of ${results.length} chain(s): not converged (R̂ ${rh}, bulk-ESS(θE) ${Math.round(report.params[0]!.essBulk)})`));
  }
  if (report.rhatMax >= s.targetRhat) {
    const worst = report.params.reduce((a, b) => (b.rhat > a.rhat ? b : a));
    reasons.push(`R̂ ${report.rhatMax.toFixed(3)} (${worst.name}) ≥ ${s.targetRhat} after ${perChain} draws per chain`);
  }
  if (report.params[0]!.essBulk < s.targetEss) reasons.push(`bulk-ESS(θE) ${Math.round(report.params[0]!.essBulk)} < ${s.targetEss}`);
  if (check.betterThanMap)
    reasons.push(`posterior draws reach χ² ${check.bestDrawChi2.toFixed(1)}, below the MAP's ${check.mapChi2.toFixed(1)}, after ${modeRounds} re-optimisation(s): the mode is not settled`);
  if (check.strandedChains.length)
    reasons.push(`chain(s) ${check.strandedChains.join(', ')} stayed in a basin with χ² ≥ ${Math.min(...check.strandedChains.map((k) => check.chainBestChi2[k]!)).toFixed(1)}, against ${Math.min(...check.chainBestChi2).toFixed(1)} for the best chain`);
  if (plan.mapUnsettled) reasons.push(`the MAP is unconfirmed: the last MAP search retry still lowered χ² (to ${plan.mapChi2.toFixed(1)}, ${chi2Z(plan.mapChi2).toFixed(1)} σ above N − p = ${expectation.mean})`);
  return {
    ...common(plan), plan, report, physical: toPhysicalChains(results, plan, model.spec),
    wallSeconds: (performance.now() - t0) / 1000, rounds, ...(replanned ? { replanned } : {}), converged: reasons.length === 0,
    reason: reasons.length ? reasons.join('; ') : null, modeRounds, modeCheck: check,
    startModes: plan.modes.length, partial: short && deadline !== undefined ? 'draws' : null,
  };
}

export const FIT_PARAM_NAMES: readonly string[] = LENS_PARAM_NAMES;
