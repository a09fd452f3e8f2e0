// Builds the vetted-catalog export from the workspace: one row per source passing the filter,
// with position, active-model score, consensus of all reviewers' current grades, and provenance
// (models, thresholds, reviewers, date). Formatting is src-core/catalog's (pure) exporters.
import type { ColumnSpec, Provenance } from '../../src-core/catalog/columns';
import { STANDARD_COLUMNS } from '../../src-core/catalog/columns';
import { exportCsv } from '../../src-core/catalog/export-csv';
import { exportFitsTable } from '../../src-core/catalog/export-fits';
import { exportVoTable } from '../../src-core/catalog/export-votable';
import { gradeLetter } from '../../src-core/grades';
import type { Repo } from '../store/repo';
import { thetaESummaries } from '../store/posteriors';

export const EXPORT_FORMATS = ['csv', 'fits', 'votable', 'bundle'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_COLUMNS: ColumnSpec[] = [
  STANDARD_COLUMNS.id,
  STANDARD_COLUMNS.ra,
  STANDARD_COLUMNS.dec,
  { name: 'catalog', type: 'string', ucd: 'meta.dataset', description: 'Source catalog in the workspace' },
  { name: 'score', type: 'double', ucd: 'stat.probability', description: 'Lens score of the active model' },
  { name: 'n_grades', type: 'int', ucd: 'meta.number', description: 'Reviewers with a current grade' },
  { name: 'grade_mean', type: 'double', ucd: 'meta.code.qual;stat.mean', description: 'Mean grade on 0–3 (X=0, C=1, B=2, A=3)' },
  { name: 'grade_spread', type: 'int', ucd: 'meta.code.qual;stat.stdev', description: 'Max − min grade' },
  { name: 'consensus', type: 'string', ucd: 'meta.code.qual', description: 'Consensus letter (mean rounded)' },
  { name: 'disagreement', type: 'boolean', ucd: 'meta.code', description: 'Grades spread by 2 or more' },
];

/** Added when any exported source has a lens-model posterior (latest fit per source). */
export const THETA_E_COLUMNS: ColumnSpec[] = [
  { name: 'theta_e_mean', type: 'double', unit: 'arcsec', ucd: 'phys.angSize;stat.mean', description: 'Einstein radius, posterior mean (SIE + shear lens model, NUTS)' },
  { name: 'theta_e_sd', type: 'double', unit: 'arcsec', ucd: 'phys.angSize;stat.stdev', description: 'Einstein radius, posterior standard deviation' },
  { name: 'theta_e_rhat', type: 'double', ucd: 'stat.fit.goodness', description: 'Largest split R-hat of the lens-model fit (converged below 1.01)' },
];

export function buildExport(
  repo: Repo,
  p: { format: Exclude<ExportFormat, 'bundle'>; minConsensus?: number; minScore?: number },
  /** Keep only these sources (the cutout bundle drops rows whose stamps it could not include). */
  only?: ReadonlySet<number>,
): { bytes: Uint8Array; nRows: number; sourceIds: number[] } {
  const rows = repo.exportRows(p).filter((r) => !only || only.has(r.sourceId));
  const modelId = repo.activeModelId();
  const model = repo.models().find((m) => m.id === modelId);
  const prov: Provenance = {
    date: new Date().toISOString(),
    software: 'LensDesk 0.1.0',
    models: model ? [{ name: model.name, version: model.version }] : [],
    thresholds: {
      ...(p.minConsensus !== undefined ? { consensus_min: p.minConsensus } : {}),
      ...(p.minScore !== undefined ? { score_min: p.minScore } : {}),
    },
    reviewers: repo.reviewerNames(),
  };
  const te = thetaESummaries(repo.db, rows.map((r) => r.sourceId));
  const columns = te.size ? [...EXPORT_COLUMNS, ...THETA_E_COLUMNS] : EXPORT_COLUMNS;
  const out = rows.map((r) => ({
    id: r.name,
    ra: r.ra,
    dec: r.dec,
    catalog: r.catalog,
    score: r.score,
    n_grades: r.n,
    grade_mean: r.mean,
    grade_spread: r.spread,
    consensus: r.mean === null ? '' : gradeLetter(Math.round(r.mean)),
    disagreement: r.spread !== null ? r.spread >= 2 : false,
    ...(te.size ? { theta_e_mean: te.get(r.sourceId)?.mean ?? null, theta_e_sd: te.get(r.sourceId)?.sd ?? null, theta_e_rhat: te.get(r.sourceId)?.rhat ?? null } : {}),
  }));
  const enc = new TextEncoder();
  const bytes =
    p.format === 'csv'
      ? enc.encode(exportCsv(columns, out, prov))
      : p.format === 'votable'
        ? enc.encode(exportVoTable(columns, out, prov))
        : exportFitsTable(columns, out, prov, { extname: 'LENSDESK' });
  return { bytes, nRows: out.length, sourceIds: rows.map((r) => r.sourceId) };
}
