// "Model this lens" job: a lens-model posterior (SIE + shear, Sérsic source, de Vaucouleurs lens light;
// MAP + NUTS, src-main/fit/fit-lens.ts) for one candidate, a selection, a catalog, or every candidate
// with consensus ≥ minConsensus. Per candidate it stores the draws, summaries and diagnostics
// (src-main/store/posteriors.ts) and writes the best-fit model and (data − model)/σ as stamp files
// (cutouts kinds 'model' and 'residual', shown by the blink through the image protocol).
// Resumable: candidates that already have a posterior with the same settings key are skipped, so a killed
// or cancelled job continues where it stopped. Cancel: the running chains' worker threads are terminated.
// A candidate that cannot be fitted (even-sized stamp, unknown band) is counted as failed and skipped.
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { CancelledError, InputError } from '../../../src-core/errors';
import { fitInputFromStamp } from '../../../src-core/infer/lens-stamp';
import { getPreset, presetOfSurvey } from '../../../src-core/lens/presets';
import { DEFAULT_FIT_SETTINGS, FIT_PARAM_NAMES, fitLens, settingsKey, type FitSettings } from '../../fit/fit-lens';
import { readStampFile, writeStampFile } from '../../stamps/stamp-file';
import { fittedSourceIds, fitTargets, insertPosterior, upsertFitCutout } from '../../store/posteriors';
import type { JobKind } from '../types';
import { parseJobTargets, type JobTargets } from './job-targets';

export interface FitParams extends FitSettings, JobTargets {
  /** Survey preset for the PSFs when the catalog's survey does not name one (default lsst). */
  preset?: string;
  workers: number;
  /** Wall-clock budget per candidate (s): "Model this lens" answers within it, converged or flagged with its R̂ and
   * ESS (fit-lens.ts maxSeconds; checked inside NUTS trajectories). Default FIT_JOB_MAX_SECONDS; 0 = no budget. */
  maxSeconds: number;
}

/** Issue 18: Model this lens must answer in < 2 min on a 2-core machine; 110 s leaves time to store the result. */
export const FIT_JOB_MAX_SECONDS = 110;

const intIn = (p: Record<string, unknown>, k: string, lo: number, hi: number, d: number): number => {
  if (p[k] === undefined) return d;
  const v = p[k];
  if (!Number.isInteger(v) || (v as number) < lo || (v as number) > hi)
    throw new InputError('INVALID_PARAMS', `fit: ${k} must be an integer in [${lo}, ${hi}]`, { field: `params.${k}` });
  return v as number;
};

export function prepareFit(p: Record<string, unknown>): FitParams {
  const out: FitParams = {
    chains: intIn(p, 'chains', 2, 16, DEFAULT_FIT_SETTINGS.chains),
    warmup: intIn(p, 'warmup', 50, 5000, DEFAULT_FIT_SETTINGS.warmup),
    samples: intIn(p, 'samples', 50, 20000, DEFAULT_FIT_SETTINGS.samples),
    seed: intIn(p, 'seed', 0, 2 ** 31 - 1, DEFAULT_FIT_SETTINGS.seed),
    nStarts: intIn(p, 'nStarts', 1, 32, DEFAULT_FIT_SETTINGS.nStarts),
    maxEvals: intIn(p, 'maxEvals', 20, 5000, DEFAULT_FIT_SETTINGS.maxEvals),
    refineBest: intIn(p, 'refineBest', 0, 32, DEFAULT_FIT_SETTINGS.refineBest),
    refineEvals: intIn(p, 'refineEvals', 0, 20000, DEFAULT_FIT_SETTINGS.refineEvals),
    maxSamples: intIn(p, 'maxSamples', 50, 100000, DEFAULT_FIT_SETTINGS.maxSamples),
    targetRhat: DEFAULT_FIT_SETTINGS.targetRhat,
    inflateAbove: DEFAULT_FIT_SETTINGS.inflateAbove,
    maxDepth: intIn(p, 'maxDepth', 3, 12, DEFAULT_FIT_SETTINGS.maxDepth),
    targetEss: intIn(p, 'targetEss', 0, 100000, DEFAULT_FIT_SETTINGS.targetEss),
    maxModeRounds: intIn(p, 'maxModeRounds', 0, 10, DEFAULT_FIT_SETTINGS.maxModeRounds),
    workers: intIn(p, 'workers', 0, 16, 2),
    maxSeconds: intIn(p, 'maxSeconds', 0, 86400, FIT_JOB_MAX_SECONDS),
  };
  Object.assign(out, parseJobTargets('fit', p, { consensus: true }));
  out.maxSamples = Math.max(out.maxSamples, out.samples);
  if (p.preset !== undefined) {
    getPreset(String(p.preset)); // throws naming the unknown preset
    out.preset = String(p.preset);
  }
  return out;
}

export const fitKind: JobKind<FitParams> = {
  kind: 'fit',
  prepare: (p) => prepareFit(p),
  async run(ctx) {
    const { params } = ctx;
    const db = ctx.repo.db;
    const key = settingsKey(params);
    const targets = fitTargets(db, params);
    const done = fittedSourceIds(db, key);
    const todo = targets.filter((t) => !done.has(t.sourceId));
    const dir = join(ctx.workspaceDir, 'cutouts', 'fits');
    mkdirSync(dir, { recursive: true });
    const total = targets.length;
    let fitted = 0;
    const failed: { sourceId: number; error: string }[] = [];
    const walls: number[] = [];
    // Fits that ran but did not settle (converged: false), with the reason (issue 21): shown in the job result.
    const notConverged: { sourceId: number; reason: string }[] = [];
    const abort = new AbortController();
    const poll = setInterval(() => ctx.cancelled() && abort.abort(), 200);
    try {
      for (const t of todo) {
        ctx.checkCancelled();
        const base = total - todo.length + fitted + failed.length;
        let input;
        let stamp;
        try {
          stamp = readStampFile(isAbsolute(t.path) ? t.path : resolve(ctx.workspaceDir, t.path));
          input = fitInputFromStamp(stamp, params.preset ?? presetOfSurvey(t.survey, 'lsst')).input;
        } catch (e) {
          failed.push({ sourceId: t.sourceId, error: (e as Error).message });
          continue;
        }
        const tag = `source ${t.sourceId} (${base + 1}/${total})`;
        let out;
        try {
          out = await fitLens(input, params, {
            // Under a budget every chain runs from the start (one thread each, sharing the cores): with 2 workers for 4
            // chains the budget would end while chains 3–4 wait, leaving 2 chains for R̂ (measured on a demo lens).
            workers: params.maxSeconds > 0 && params.workers > 0 ? Math.max(params.workers, params.chains) : params.workers,
            signal: abort.signal, ...(params.maxSeconds > 0 ? { maxSeconds: params.maxSeconds } : {}),
            onProgress: (d, n, phase) => ctx.progress(base * 1000 + Math.round((1000 * d) / n), total * 1000, `${tag}: ${phase}`),
          });
        } catch (e) {
          if (e instanceof CancelledError || ctx.cancelled()) throw new CancelledError('fit cancelled');
          failed.push({ sourceId: t.sourceId, error: (e as Error).message });
          continue;
        }
        const { report, plan, physical } = out;
        if (!physical.length) {
          // The budget ended the fit before any draw (the MAP search alone used it): no posterior to store.
          failed.push({ sourceId: t.sourceId, error: out.reason ?? 'no posterior draws' });
          continue;
        }
        const n = input.size * input.size;
        const planes = (a: Float64Array) => input.bands.map((_, b) => Float32Array.from(a.subarray(b * n, (b + 1) * n)));
        const common = { width: input.size, height: input.size, bands: input.bands, ra: stamp.ra, dec: stamp.dec, pixelScale: input.pixelScale };
        for (const [kind, data] of [['model', out.model], ['residual', out.residual]] as const) {
          const file = join(dir, `${t.sourceId}-${kind}.fits`);
          writeStampFile(file, { ...common, planes: planes(data) }, [
            { keyword: 'FITKIND', value: kind, comment: kind === 'model' ? 'best-fit (MAP) lens model, e-' : '(data - model) / sigma' },
          ]);
          upsertFitCutout(db, t.sourceId, kind, relative(ctx.workspaceDir, file), input.size, input.size, input.bands);
        }
        const P = FIT_PARAM_NAMES.length;
        // Chains hold samples × rounds draws each (fit-lens continues until the targets are met).
        const perChain = physical[0]!.nSamples;
        const samples = new Float64Array(physical.length * perChain * P);
        physical.forEach((r, c) => samples.set(r.draws.subarray(0, perChain * P), c * perChain * P));
        const te = report.params[0]!;
        insertPosterior(db, {
          sourceId: t.sourceId, jobId: ctx.jobId, parameters: [...FIT_PARAM_NAMES],
          summaries: report.params.map((s) => ({
            name: s.name, mean: s.mean, sd: s.sd, q2_5: s.q2_5, q16: s.q16, q50: s.q50, q84: s.q84, q97_5: s.q97_5,
            rhat: s.rhat, essBulk: s.essBulk, essTail: s.essTail,
          })),
          samples,
          diagnostics: {
            settings: key, chains: params.chains, drawsPerChain: perChain, rounds: out.rounds, converged: out.converged,
            ...(out.replanned ? { replanned: out.replanned } : {}),
            reason: out.reason, modeRounds: out.modeRounds, startModes: out.startModes, bestDrawChi2: out.modeCheck.bestDrawChi2,
            chi2Expected: out.chi2Expected, mapChi2Z: out.mapChi2Z,
            varianceInflation: out.varianceInflation, mapChi2PerPixel: out.mapChi2PerPixel,
            rhatMax: report.rhatMax, essBulkMin: report.essBulkMin, essTailMin: report.essTailMin,
            divergences: report.sampler.divergences, warmupDivergences: report.sampler.warmupDivergences,
            treeDepthSaturated: report.sampler.treeDepthSaturated, ebfmi: report.sampler.ebfmi, stepSize: report.sampler.stepSize,
            gradientEvaluations: report.sampler.gradientEvals, wallSeconds: out.wallSeconds, mapSeconds: out.mapSeconds,
            mapChi2: plan.mapChi2, npix: n * input.bands.length, mapTheta: plan.mapTheta,
            thetaE: { mean: te.mean, sd: te.sd, rhat: te.rhat, essBulk: te.essBulk },
          },
        });
        fitted++;
        walls.push(out.wallSeconds);
        if (!out.converged) notConverged.push({ sourceId: t.sourceId, reason: out.reason ?? 'targets not met' });
        ctx.progress((base + 1) * 1000, total * 1000, `${tag}: θE = ${te.mean.toFixed(3)} ± ${te.sd.toFixed(3)}″, R̂ ${report.rhatMax.toFixed(3)}${out.converged ? '' : `, NOT converged: ${out.reason}`}`);
      }
    } finally {
      clearInterval(poll);
    }
    return {
      settings: key, candidates: total, fitted, skipped: total - todo.length,
      failed: failed.length, failures: failed.slice(0, 20), notConverged: notConverged.slice(0, 20),
      meanWallSeconds: walls.length ? +(walls.reduce((a, b) => a + b, 0) / walls.length).toFixed(1) : null,
    };
  },
};
