// SQL for lens-model posteriors (table `posteriors`, db/migrations/0001-init.sql) and the model /
// normalised-residual stamps a fit leaves in `cutouts` (kinds 'model', 'residual'). No new columns:
// the fit settings key, θE summary and sampler diagnostics live in the `diagnostics` JSON, samples in the
// `samples` BLOB as little-endian Float64, chains × draws × parameters (row-major).
import type Database from 'better-sqlite3';
import type { PosteriorInfo, PosteriorParamSummary, PosteriorSamples, PosteriorThetaE } from '../../src-core/api/contract';
import { NotFoundError } from '../../src-core/errors';
import { upsertFrameCutout } from './products';

export interface PosteriorDiagnostics {
  /** settingsKey() of src-main/fit/fit-lens.ts: a resumed job skips sources with this key. */
  settings: string;
  chains: number;
  drawsPerChain: number;
  /** Sampling rounds and whether the fit met its targets (absent in fits stored before rounds existed). */
  rounds?: number;
  converged?: boolean;
  /** Why converged is false (issue 21; null or absent when converged or stored before the reason existed). */
  reason?: string | null;
  /** Re-optimisations from a draw below the MAP, distinct optimiser optima the chains started from, the best
   * draw's χ², and χ² expected for a well-specified model with the MAP's z-score (issue 21). */
  modeRounds?: number;
  startModes?: number;
  bestDrawChi2?: number;
  chi2Expected?: { mean: number; sd: number };
  mapChi2Z?: number;
  /** Variance factor applied before sampling (misspecified cutouts, fit-lens FitSettings.inflateAbove). */
  varianceInflation?: number;
  mapChi2PerPixel?: number;
  rhatMax: number;
  essBulkMin: number;
  essTailMin: number;
  divergences: number;
  warmupDivergences: number;
  treeDepthSaturated: number;
  ebfmi: number[];
  stepSize: number[];
  gradientEvaluations: number;
  wallSeconds: number;
  mapSeconds: number;
  mapChi2: number;
  npix: number;
  mapTheta: number[];
  thetaE: { mean: number; sd: number; rhat: number; essBulk: number };
}

export interface NewPosterior {
  sourceId: number;
  jobId: number | null;
  parameters: string[];
  summaries: PosteriorParamSummary[];
  /** chains × draws × parameters. */
  samples: Float64Array;
  diagnostics: PosteriorDiagnostics;
}

type Row = Record<string, unknown>;
const parse = <T>(v: unknown, d: T): T => (typeof v === 'string' && v ? (JSON.parse(v) as T) : d);

/** Sources that already have a posterior with this settings key (for resume). */
export function fittedSourceIds(db: Database.Database, settings: string): Set<number> {
  const ids = db
    .prepare("SELECT DISTINCT source_id FROM posteriors WHERE method = 'nuts' AND json_extract(diagnostics, '$.settings') = ?")
    .pluck()
    .all(settings) as number[];
  return new Set(ids);
}

export function insertPosterior(db: Database.Database, p: NewPosterior): number {
  const blob = Buffer.from(p.samples.buffer, p.samples.byteOffset, p.samples.byteLength);
  const r = db
    .prepare('INSERT INTO posteriors(source_id, method, parameters, summaries, samples, diagnostics, job_id) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(p.sourceId, 'nuts', JSON.stringify(p.parameters), JSON.stringify(p.summaries), blob, JSON.stringify(p.diagnostics), p.jobId);
  return Number(r.lastInsertRowid);
}

/** Records (or replaces) the 'model' / 'residual' stamp of a source (path relative to the workspace). */
export function upsertFitCutout(db: Database.Database, sourceId: number, kind: 'model' | 'residual', path: string, width: number, height: number, bands: string[]): void {
  upsertFrameCutout(db, sourceId, kind, path, width, height, bands);
}

function fitCutouts(db: Database.Database, sourceId: number): { model: string | null; residual: string | null } {
  const rows = db.prepare("SELECT id, kind FROM cutouts WHERE source_id = ? AND kind IN ('model', 'residual')").all(sourceId) as Row[];
  const path = (k: string) => {
    const r = rows.find((x) => x.kind === k);
    return r ? `cutout/${r.id as number}` : null;
  };
  return { model: path('model'), residual: path('residual') };
}

function toInfo(db: Database.Database, r: Row): PosteriorInfo {
  const d = parse<PosteriorDiagnostics>(r.diagnostics, {} as PosteriorDiagnostics);
  return {
    id: r.id as number,
    sourceId: r.source_id as number,
    method: String(r.method),
    settings: d.settings ?? '',
    jobId: (r.job_id as number) ?? null,
    createdAt: String(r.created_at),
    parameters: parse<string[]>(r.parameters, []),
    summaries: parse<PosteriorParamSummary[]>(r.summaries, []),
    diagnostics: {
      chains: d.chains, drawsPerChain: d.drawsPerChain, rhatMax: d.rhatMax, essBulkMin: d.essBulkMin, essTailMin: d.essTailMin,
      divergences: d.divergences, warmupDivergences: d.warmupDivergences, treeDepthSaturated: d.treeDepthSaturated,
      ebfmi: d.ebfmi ?? [], stepSize: d.stepSize ?? [], gradientEvaluations: d.gradientEvaluations,
      wallSeconds: d.wallSeconds, mapSeconds: d.mapSeconds, mapChi2: d.mapChi2, npix: d.npix,
      converged: d.converged ?? (d.rhatMax < 1.01 && d.thetaE?.essBulk >= 400),
      varianceInflation: d.varianceInflation ?? 1,
      reason: d.reason ?? null,
      ...(d.modeRounds !== undefined ? { modeRounds: d.modeRounds } : {}),
      ...(d.bestDrawChi2 !== undefined ? { bestDrawChi2: d.bestDrawChi2 } : {}),
    },
    thetaE: { mean: d.thetaE?.mean ?? NaN, sd: d.thetaE?.sd ?? NaN },
    images: fitCutouts(db, r.source_id as number),
  };
}

/** A source's posteriors, newest first (no samples). */
export function listPosteriors(db: Database.Database, sourceId: number): PosteriorInfo[] {
  const rows = db
    .prepare('SELECT id, source_id, method, parameters, summaries, diagnostics, job_id, created_at FROM posteriors WHERE source_id = ? ORDER BY id DESC')
    .all(sourceId) as Row[];
  return rows.map((r) => toInfo(db, r));
}

/** Draws of one posterior, thinned to at most maxDraws per chain (every k-th draw). */
export function posteriorSamples(db: Database.Database, posteriorId: number, maxDraws = 250): PosteriorSamples {
  const r = db.prepare('SELECT parameters, samples, diagnostics FROM posteriors WHERE id = ?').get(posteriorId) as Row | undefined;
  if (!r) throw new NotFoundError('NO_POSTERIOR', `no posterior with id ${posteriorId}`, { posteriorId });
  const parameters = parse<string[]>(r.parameters, []);
  const d = parse<PosteriorDiagnostics>(r.diagnostics, {} as PosteriorDiagnostics);
  const buf = r.samples as Buffer | null;
  const all = buf ? new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)) : new Float64Array(0);
  const P = parameters.length;
  const chains = d.chains || 1;
  const perChain = Math.floor(all.length / (P * chains));
  const thin = Math.max(1, Math.ceil(perChain / maxDraws));
  const kept = Math.ceil(perChain / thin);
  const draws: number[][] = [];
  for (let c = 0; c < chains; c++) {
    const out: number[] = [];
    for (let i = 0; i < perChain; i += thin) for (let j = 0; j < P; j++) out.push(all[(c * perChain + i) * P + j]!);
    draws.push(out);
  }
  return { id: posteriorId, parameters, chains, drawsPerChain: kept, thin, draws };
}

/** Latest θE summary per source, for grid columns and export (sources without a fit are absent). */
export function thetaESummaries(db: Database.Database, sourceIds?: number[]): Map<number, PosteriorThetaE> {
  const sql = `SELECT p.source_id AS sourceId, json_extract(p.diagnostics, '$.thetaE.mean') AS mean, json_extract(p.diagnostics, '$.thetaE.sd') AS sd,
                      json_extract(p.diagnostics, '$.rhatMax') AS rhat, json_extract(p.diagnostics, '$.thetaE.essBulk') AS ess, p.id AS posteriorId
               FROM posteriors p
               WHERE p.id = (SELECT MAX(id) FROM posteriors q WHERE q.source_id = p.source_id)
               ${sourceIds ? 'AND p.source_id IN (SELECT value FROM json_each(?))' : ''}`;
  const rows = (sourceIds ? db.prepare(sql).all(JSON.stringify(sourceIds)) : db.prepare(sql).all()) as Row[];
  return new Map(rows.map((r) => [r.sourceId as number, {
    sourceId: r.sourceId as number, posteriorId: r.posteriorId as number,
    mean: r.mean as number, sd: r.sd as number, rhat: r.rhat as number, converged: (r.rhat as number) < 1.01 && (r.ess as number) >= 400,
  }]));
}

/** Sources a fit job should model: given ids, a catalog, or consensus ≥ minConsensus; with their stamp path. */
export function fitTargets(
  db: Database.Database,
  p: { sourceIds?: number[]; catalogId?: number; minConsensus?: number },
): { sourceId: number; path: string; survey: string | null }[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (p.sourceIds) (where.push('s.id IN (SELECT value FROM json_each(?))'), args.push(JSON.stringify(p.sourceIds)));
  if (p.catalogId !== undefined) (where.push('s.catalog_id = ?'), args.push(p.catalogId));
  if (p.minConsensus !== undefined) {
    where.push('(SELECT AVG(grade) FROM current_labels l WHERE l.source_id = s.id AND l.grade IS NOT NULL) >= ?');
    args.push(p.minConsensus);
  }
  return db
    .prepare(
      `SELECT s.id AS sourceId, cu.path, sv.name AS survey FROM sources s
       JOIN cutouts cu ON cu.source_id = s.id AND cu.kind = 'stamp'
       JOIN catalogs c ON c.id = s.catalog_id LEFT JOIN surveys sv ON sv.id = c.survey_id
       ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY s.id`,
    )
    .all(...args) as never;
}
