// One lens fit end to end, shared by the 'fit' job, the benchmarks and the calibration run: MAP
// (multi-start LM) + Laplace preconditioning in this thread, NUTS chains in worker threads
// (src-main/workers/fit-pool), then summaries, diagnostics and the best-fit model / normalised residual.
// Defaults are the measured fast settings (docs/infer.md "Speed"): with the Laplace preconditioning the
// posterior of z is close to N(0, I), so 75 warm-up iterations suffice (measured, docs/infer.md) for the step size and the
// diagonal metric. MAP: 8 LM starts × ≤ 100 evaluations, the best 2 continued for ≤ 600 (≈ 2000
// evaluations; 4 × 200 missed the mode of bright lenses, see lens-posterior findMap).
import { lensModelFromInput, planLensFit, reportLensFit, toPhysicalChains, type LensFitInput, type LensFitPlan, type LensFitReport } from '../../src-core/infer/lens-fit';
import { LENS_PARAM_NAMES } from '../../src-core/infer/lens-model';
import type { ChainResult } from '../../src-core/infer/sample';
import { runFitChains } from '../workers/fit-pool';

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
}

export const DEFAULT_FIT_SETTINGS: FitSettings = { chains: 4, warmup: 75, samples: 200, seed: 0, nStarts: 8, maxEvals: 100, refineBest: 2, refineEvals: 600 };

/** A stable key: fits with equal keys are interchangeable (resume skips them). */
export function settingsKey(s: FitSettings): string {
  return `nuts-lens12/c${s.chains}/w${s.warmup}/s${s.samples}/seed${s.seed}/ms${s.nStarts}x${s.maxEvals}+${s.refineBest}x${s.refineEvals}`;
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
}

export async function fitLens(
  input: LensFitInput,
  s: FitSettings = DEFAULT_FIT_SETTINGS,
  o: { workers?: number; signal?: AbortSignal; onProgress?: (done: number, total: number, phase: string) => void } = {},
): Promise<LensFitOutcome> {
  const t0 = performance.now();
  const model = lensModelFromInput(input);
  o.onProgress?.(0, 1, 'MAP');
  const plan = planLensFit(model, { seed: s.seed, chains: s.chains, nStarts: s.nStarts, maxEvals: s.maxEvals, refineBest: s.refineBest, refineEvals: s.refineEvals });
  const mapSeconds = (performance.now() - t0) / 1000;
  const done = new Array(s.chains).fill(0);
  const total = s.chains * (s.warmup + s.samples);
  const results = await runFitChains(
    Array.from({ length: s.chains }, (_, chain) => ({ input, plan, chain, seed: s.seed, nWarmup: s.warmup, nSamples: s.samples })),
    {
      workers: o.workers ?? 2, signal: o.signal,
      onProgress: (ch, d) => { done[ch] = d; o.onProgress?.(done.reduce((a, b) => a + b, 0), total, 'NUTS'); },
    },
  );
  const report = reportLensFit(results, plan);
  const best = model.modelImage(plan.mapTheta);
  const residual = new Float64Array(best.length);
  for (let i = 0; i < best.length; i++) {
    const v = input.variance[i]!;
    residual[i] = v > 0 && Number.isFinite(v) ? (input.image[i]! - best[i]!) / Math.sqrt(v) : 0;
  }
  return {
    plan, report, physical: toPhysicalChains(results, plan), model: best, residual,
    mapSeconds, wallSeconds: (performance.now() - t0) / 1000,
  };
}

export const FIT_PARAM_NAMES: readonly string[] = LENS_PARAM_NAMES;
