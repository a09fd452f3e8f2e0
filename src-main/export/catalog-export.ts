// Builds the vetted-catalog export from the workspace: one row per source passing the filter,
// with position, active-model score, consensus of all reviewers' current grades, each reviewer's
// own current grade (one column per reviewer), the latest lens-model fit (θE mean/sd, R̂,
// converged), and provenance (models, thresholds, reviewers, date). Every format carries the same
// columns; formatting is src-core/catalog's (pure) exporters.
import type { CatalogRow, CatalogValue, ColumnSpec, Provenance } from '../../src-core/catalog/columns';
import { safeColumnName, STANDARD_COLUMNS } from '../../src-core/catalog/columns';
import { exportCsv } from '../../src-core/catalog/export-csv';
import { exportEcsv } from '../../src-core/catalog/export-ecsv';
import { exportFitsTable } from '../../src-core/catalog/export-fits';
import { exportVoTable } from '../../src-core/catalog/export-votable';
import { gradeLetter } from '../../src-core/grades';
import type { Repo } from '../store/repo';
import { thetaESummaries } from '../store/posteriors';
import { latestBlendScores } from '../store/blend-scores';

export const EXPORT_FORMATS = ['csv', 'ecsv', 'fits', 'votable', 'bundle'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = { csv: '.csv', ecsv: '.ecsv', fits: '.fits', votable: '.vot', bundle: '-bundle' };

const GRADE_SCALE = '0–3: X=0, C=1, B=2, A=3';

export const EXPORT_COLUMNS: ColumnSpec[] = [
  STANDARD_COLUMNS.id,
  STANDARD_COLUMNS.ra,
  STANDARD_COLUMNS.dec,
  { name: 'catalog', type: 'string', ucd: 'meta.dataset', description: 'Source catalog in the workspace' },
  { name: 'score', type: 'double', ucd: 'stat.probability', description: 'Lens score of the active model' },
  { name: 'n_grades', type: 'int', ucd: 'meta.number', description: 'Reviewers with a current grade' },
  { name: 'grade_mean', type: 'double', ucd: 'meta.code.qual;stat.mean', description: `Mean of the reviewers' current grades (${GRADE_SCALE})` },
  // max − min is a difference of two grades, not a standard deviation (UCD1+ arith.diff).
  { name: 'grade_spread', type: 'int', ucd: 'meta.code.qual;arith.diff', description: 'Largest minus smallest current grade (range, not a standard deviation)' },
  { name: 'consensus', type: 'string', ucd: 'meta.code.qual', description: 'Consensus letter (mean grade rounded); null when nobody graded' },
  { name: 'disagreement', type: 'boolean', ucd: 'meta.code', description: 'Grades spread by 2 or more' },
];

/** The latest lens-model fit of each source (null where a source has none). */
export const LENS_MODEL_COLUMNS: ColumnSpec[] = [
  { name: 'theta_e_mean', type: 'double', unit: 'arcsec', ucd: 'phys.angSize;stat.mean', description: 'Einstein radius θE, posterior mean (SIE + shear lens model, NUTS)' },
  // stat.stdev is a primary-only UCD1+ word; an uncertainty of a quantity is stat.error;<quantity>.
  { name: 'theta_e_sd', type: 'double', unit: 'arcsec', ucd: 'stat.error;phys.angSize', description: 'Einstein radius θE, posterior standard deviation' },
  { name: 'theta_e_rhat', type: 'double', ucd: 'stat.fit.goodness', description: 'Largest split R̂ over the lens-model parameters (Vehtari et al. 2021)' },
  { name: 'fit_converged', type: 'boolean', ucd: 'meta.code.status', description: 'Lens-model fit converged: R̂ < 1.01 and θE bulk ESS ≥ 400' },
];

/** The latest blend score of each source (issue 14; null where a source has none). */
export const BLEND_COLUMNS: ColumnSpec[] = [
  { name: 'blend_probability', type: 'double', ucd: 'stat.probability', description: 'Calibrated probability that the stamp\'s central object is a blend (morphology flow model, docs/deblend.md)' },
  { name: 'likely_blend', type: 'boolean', ucd: 'meta.code', description: 'blend_probability at or above the model threshold (0.5)' },
];

/** One int column per reviewer with a current grade: name grade_<reviewer, sanitised>. */
export function reviewerGradeColumns(reviewers: readonly string[], taken: readonly ColumnSpec[]): Array<{ reviewer: string; column: ColumnSpec }> {
  const names = new Set(taken.map((c) => c.name.toLowerCase()));
  return reviewers.map((reviewer) => ({
    reviewer,
    column: { name: safeColumnName('grade_', reviewer, names), type: 'int', ucd: 'meta.code.qual', description: `Current grade by reviewer '${reviewer}' (${GRADE_SCALE})` },
  }));
}

export interface ExportTable {
  columns: ColumnSpec[];
  rows: CatalogRow[];
  provenance: Provenance;
  sourceIds: number[];
}

/** The rows and columns every format writes. */
export function exportTable(
  repo: Repo,
  p: { minConsensus?: number; minScore?: number; hideBlends?: boolean },
  /** Keep only these sources (the cutout bundle drops rows whose stamps it could not include). */
  only?: ReadonlySet<number>,
): ExportTable {
  const rows = repo.exportRows(p).filter((r) => !only || only.has(r.sourceId));
  const modelId = repo.activeModelId();
  const model = repo.models().find((m) => m.id === modelId);
  const provenance: Provenance = {
    date: new Date().toISOString(),
    software: 'LensDesk 0.1.0',
    models: model ? [{ name: model.name, version: model.version }] : [],
    thresholds: {
      ...(p.minConsensus !== undefined ? { consensus_min: p.minConsensus } : {}),
      ...(p.minScore !== undefined ? { score_min: p.minScore } : {}),
      ...(p.hideBlends ? { likely_blends_excluded: 1 } : {}),
    },
    reviewers: repo.reviewerNames(),
  };
  // Per-reviewer grades: every reviewer holding a current grade gets a column (stable across
  // filters), cells are that reviewer's grade of the row's source or null.
  const byReviewer = new Map<string, Map<number, number>>();
  for (const g of repo.currentGrades()) {
    if (!byReviewer.has(g.reviewer)) byReviewer.set(g.reviewer, new Map());
    byReviewer.get(g.reviewer)!.set(g.sourceId, g.grade);
  }
  const perReviewer = reviewerGradeColumns([...byReviewer.keys()].sort(), [...EXPORT_COLUMNS, ...LENS_MODEL_COLUMNS, ...BLEND_COLUMNS]);
  const te = thetaESummaries(repo.db, rows.map((r) => r.sourceId));
  const blend = latestBlendScores(repo.db, rows.map((r) => r.sourceId));
  const columns = [...EXPORT_COLUMNS, ...BLEND_COLUMNS, ...perReviewer.map((c) => c.column), ...LENS_MODEL_COLUMNS];
  const out = rows.map((r) => {
    const fit = te.get(r.sourceId);
    const row: Record<string, CatalogValue> = {
      id: r.name,
      ra: r.ra,
      dec: r.dec,
      catalog: r.catalog,
      score: r.score,
      n_grades: r.n,
      grade_mean: r.mean,
      grade_spread: r.spread,
      consensus: r.mean === null ? null : gradeLetter(Math.round(r.mean)),
      disagreement: r.spread !== null ? r.spread >= 2 : false,
      theta_e_mean: fit?.mean ?? null,
      theta_e_sd: fit?.sd ?? null,
      theta_e_rhat: fit?.rhat ?? null,
      fit_converged: fit ? fit.converged : null,
      blend_probability: blend.get(r.sourceId)?.probability ?? null,
      likely_blend: blend.get(r.sourceId)?.likelyBlend ?? null,
    };
    for (const { reviewer, column } of perReviewer) row[column.name] = byReviewer.get(reviewer)!.get(r.sourceId) ?? null;
    return row;
  });
  return { columns, rows: out, provenance, sourceIds: rows.map((r) => r.sourceId) };
}

export function buildExport(
  repo: Repo,
  p: { format: Exclude<ExportFormat, 'bundle'>; minConsensus?: number; minScore?: number; hideBlends?: boolean },
  only?: ReadonlySet<number>,
): { bytes: Uint8Array; nRows: number; sourceIds: number[] } {
  const { columns, rows, provenance, sourceIds } = exportTable(repo, p, only);
  const enc = new TextEncoder();
  const bytes =
    p.format === 'csv' ? enc.encode(exportCsv(columns, rows))
    : p.format === 'ecsv' ? enc.encode(exportEcsv(columns, rows, provenance))
    : p.format === 'votable' ? enc.encode(exportVoTable(columns, rows, provenance))
    : exportFitsTable(columns, rows, provenance, { extname: 'LENSDESK' });
  return { bytes, nRows: rows.length, sourceIds };
}
