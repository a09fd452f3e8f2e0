// One lens fit end to end, shared by the 'fit' job, the benchmarks and the calibration run: MAP
// (multi-start LM) + Laplace preconditioning in this thread, NUTS chains in worker threads
// (src-main/workers/fit-pool), then summaries, diagnostics and the best-fit model / normalised residual.
// Defaults are the measured fast settings (docs/infer.md "Speed"): with the Laplace preconditioning the
// posterior of z is close to N(0, I), so 75 warm-up iterations suffice (measured, docs/infer.md) for the step size and the
// diagonal metric. MAP: 8 LM starts × ≤ 100 evaluations, the best 2 continued for ≤ 600 (≈ 2000
// evaluations; 4 × 200 missed the mode of bright lenses, see lens-posterior findMap).
import { appendChain, continuationOf, lensModelFromInput, planLensFit, reportLensFit, toPhysicalChains, type LensFitInput, type LensFitPlan, type LensFitReport } from '../../src-core/infer/lens-fit';
import { LENS_PARAM_NAMES } from '../../src-core/infer/lens-model';
import type { ChainResult } from '../../src-core/infer/sample';
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
}

export const DEFAULT_FIT_SETTINGS: FitSettings = {
  chains: 4, warmup: 75, samples: 200, seed: 0, nStarts: 8, maxEvals: 100, refineBest: 2, refineEvals: 600,
  maxSamples: 1000, targetRhat: 1.01, targetEss: 400, inflateAbove: 1.5, maxDepth: 10,
};

/** A stable key: fits with equal keys are interchangeable (resume skips them). */
export function settingsKey(s: FitSettings): string {
  return `nuts-lens12/c${s.chains}/w${s.warmup}/s${s.samples}/seed${s.seed}/ms${s.nStarts}x${s.maxEvals}+${s.refineBest}x${s.refineEvals}`
    + `/until-rhat${s.targetRhat}-ess${s.targetEss}-max${s.maxSamples}/inflate${s.inflateAbove}${s.maxDepth === 10 ? '' : `/depth${s.maxDepth}`}`;
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
  converged: boolean;
  /** Factor applied to every variance before sampling (1 = none; see FitSettings.inflateAbove) and the
   * χ²/pixel at the MAP against the cutout's own variances. */
  varianceInflation: number;
  mapChi2PerPixel: number;
}

/** Whether a fit meets its settings' targets: every R̂ below targetRhat and θE's bulk ESS at least targetEss. */
export function fitConverged(report: LensFitReport, s: Pick<FitSettings, 'targetRhat' | 'targetEss'>): boolean {
  return report.rhatMax < s.targetRhat && report.params[0]!.essBulk >= s.targetEss;
}

export async function fitLens(
  input: LensFitInput,
  s: FitSettings = DEFAULT_FIT_SETTINGS,
  o: { workers?: number; signal?: AbortSignal; onProgress?: (done: number, total: number, phase: string) => void } = {},
): Promise<LensFitOutcome> {
  const t0 = performance.now();
  let model = lensModelFromInput(input);
  o.onProgress?.(0, 1, 'MAP');
  const planOptions = { seed: s.seed, chains: s.chains, nStarts: s.nStarts, maxEvals: s.maxEvals, refineBest: s.refineBest, refineEvals: s.refineEvals };
  let plan = planLensFit(model, planOptions);
  const npixAll = input.bands.length * input.size * input.size;
  const mapChi2PerPixel = plan.mapChi2 / npixAll;
  let varianceInflation = 1;
  const sampled = { ...input };
  if (s.inflateAbove > 0 && mapChi2PerPixel > s.inflateAbove) {
    // Same MAP (χ² scales by 1/k everywhere), new Laplace scales: re-plan without a new search.
    varianceInflation = mapChi2PerPixel;
    sampled.variance = Float64Array.from(input.variance, (v) => v * varianceInflation);
    model = lensModelFromInput(sampled);
    const first = plan;
    plan = planLensFit(model, {
      ...planOptions,
      knownMap: { theta: Float64Array.from(first.mapTheta), chi2: first.mapChi2, evaluations: first.mapEvaluations, startChi2: first.startChi2 },
    });
  }
  const mapSeconds = (performance.now() - t0) / 1000;
  const done = new Array(s.chains).fill(0);
  let total = s.chains * (s.warmup + s.samples);
  const runRound = (jobs: FitChainJob[], phase: string) => {
    const base = done.slice();
    return runFitChains(jobs, {
      workers: o.workers ?? 2, signal: o.signal,
      onProgress: (ch, d) => { done[ch] = base[ch]! + d; o.onProgress?.(done.reduce((a, b) => a + b, 0), total, phase); },
    });
  };
  let results = await runRound(Array.from({ length: s.chains }, (_, chain) => ({ input: sampled, plan, chain, seed: s.seed, nWarmup: s.warmup, nSamples: s.samples, maxDepth: s.maxDepth })), 'NUTS');
  let report = reportLensFit(results, plan);
  let rounds = 1;
  while (!fitConverged(report, s) && results[0]!.nSamples + s.samples <= s.maxSamples) {
    total += s.chains * s.samples;
    const more = await runRound(
      results.map((r, chain) => ({ input: sampled, plan, chain, seed: s.seed, nWarmup: 0, nSamples: s.samples, maxDepth: s.maxDepth, continueFrom: continuationOf(r, rounds) })),
      `NUTS, more draws (R̂ ${report.rhatMax.toFixed(3)})`,
    );
    results = results.map((r, k) => appendChain(r, more[k]!));
    report = reportLensFit(results, plan);
    rounds++;
  }
  const best = model.modelImage(plan.mapTheta);
  const residual = new Float64Array(best.length);
  for (let i = 0; i < best.length; i++) {
    const v = input.variance[i]!;
    residual[i] = v > 0 && Number.isFinite(v) ? (input.image[i]! - best[i]!) / Math.sqrt(v) : 0;
  }
  return {
    plan, report, physical: toPhysicalChains(results, plan), model: best, residual,
    mapSeconds, wallSeconds: (performance.now() - t0) / 1000, rounds, converged: fitConverged(report, s), varianceInflation, mapChi2PerPixel,
  };
}

export const FIT_PARAM_NAMES: readonly string[] = LENS_PARAM_NAMES;
