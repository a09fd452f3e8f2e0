// Repository facade: every SQL statement of the app lives in src-main/store, behind typed
// functions; callers never write SQL. The statements are split by concern into modules that take
// the database handle:
//   settings.ts      settings (key/value)
//   catalogs.ts      surveys, catalogs, sources, cutout paths
//   models-repo.ts   model versions, the active model; scores.ts: writing scores
//   labels.ts        reviewers, labels, history, undo, current grades
//   candidates.ts    the grid's list/get/facets queries (takes CandidateQuery, not API params)
//   exports-repo.ts  export rows, the exports record
//   jobs-repo.ts     the jobs table
// Repo keeps the old method-per-statement surface for existing callers, each method one line of
// delegation. New code should import the concern module it needs directly, not grow this class.
import type Database from 'better-sqlite3';
import type { CandidateDetail, CandidateRow, Facets, JobInfo, LabelEntry, ModelInfo } from '../../src-core/api/contract';
import * as candidates from './candidates';
import type { CandidateQuery } from './candidates';
import * as catalogs from './catalogs';
import type { CatalogSummary, SourceInsert } from './catalogs';
import * as exportsRepo from './exports-repo';
import type { ExportRow } from './exports-repo';
import * as jobs from './jobs-repo';
import type { JobUpdate } from './jobs-repo';
import * as labels from './labels';
import type { LabelInput } from './labels';
import * as models from './models-repo';
import * as scores from './scores';
import * as settings from './settings';

export class Repo {
  constructor(readonly db: Database.Database) {}

  // ---- settings (settings.ts) -------------------------------------------------------------
  getSetting(key: string): string | null { return settings.getSetting(this.db, key); }
  setSetting(key: string, value: string): void { settings.setSetting(this.db, key, value); }

  // ---- surveys, catalogs, sources (catalogs.ts) ------------------------------------------------
  ensureSurvey(name: string, pixelScale: number | null, bands: string[]): number { return catalogs.ensureSurvey(this.db, name, pixelScale, bands); }
  ensureCatalog(name: string, origin: string, kind: string, surveyId: number | null): number { return catalogs.ensureCatalog(this.db, name, origin, kind, surveyId); }
  catalogs(): CatalogSummary[] { return catalogs.listCatalogs(this.db); }
  catalogRowsDone(catalogId: number): Set<number> { return catalogs.catalogRowsDone(this.db, catalogId); }
  insertSources(catalogId: number, items: SourceInsert[]): number { return catalogs.insertSources(this.db, catalogId, items); }
  countSources(): number { return catalogs.countSources(this.db); }
  stampsAfter(afterId: number, limit: number, catalogId?: number): { sourceId: number; path: string; bands: string[] }[] { return catalogs.stampsAfter(this.db, afterId, limit, catalogId); }
  stampPathOfSource(sourceId: number): string | null { return catalogs.stampPathOfSource(this.db, sourceId); }
  cutoutPath(cutoutId: number): string | null { return catalogs.cutoutPath(this.db, cutoutId); }

  // ---- models and scores (models-repo.ts, scores.ts) ------------------------------------------
  ensureModel(name: string, version: string, kind: string, path: string | null, card: object, parentId: number | null = null): number { return models.ensureModel(this.db, name, version, kind, path, card, parentId); }
  models(): ModelInfo[] { return models.listModels(this.db); }
  activeModelId(): number | null { return models.activeModelId(this.db); }
  scoredSourceIds(modelId: number): Set<number> { return scores.scoredSourceIds(this.db, modelId); }
  writeScores(modelId: number, jobId: number | null, items: { sourceId: number; probability: number }[]): void { scores.writeScores(this.db, modelId, jobId, items); }

  // ---- reviewers and labels (labels.ts) -------------------------------------------------------
  ensureReviewer(name: string): { id: number; name: string } { return labels.ensureReviewer(this.db, name); }
  addLabel(reviewerId: number, p: LabelInput, action = 'grade', undoes: string | null = null, uid?: string, createdAt?: string): LabelEntry { return labels.addLabel(this.db, reviewerId, p, action, undoes, uid, createdAt); }
  undoLastLabel(reviewerId: number): { sourceId: number | null; restored: number | null } { return labels.undoLastLabel(this.db, reviewerId); }
  labelHistory(sourceId: number): LabelEntry[] { return labels.labelHistory(this.db, sourceId); }
  gradedCounts(reviewerId: number): { graded: number; gradedByMe: number } { return labels.gradedCounts(this.db, reviewerId); }
  practiceTruth(sourceId: number): ReturnType<typeof labels.practiceTruth> { return labels.practiceTruth(this.db, sourceId); }
  currentGrades(): ReturnType<typeof labels.currentGrades> { return labels.currentGrades(this.db); }
  reviewerNames(): string[] { return labels.reviewerNames(this.db); }

  // ---- candidates (candidates.ts) -------------------------------------------------------------
  listCandidates(q: CandidateQuery, reviewerId: number): { total: number; rows: CandidateRow[] } { return candidates.listCandidates(this.db, q, reviewerId); }
  getCandidate(sourceId: number, reviewerId: number): CandidateDetail { return candidates.getCandidate(this.db, sourceId, reviewerId); }
  facets(): Facets { return candidates.facets(this.db); }

  // ---- exports (exports-repo.ts) --------------------------------------------------------------
  exportRows(p: { minConsensus?: number; minScore?: number; hideBlends?: boolean }): ExportRow[] { return exportsRepo.exportRows(this.db, p); }
  recordExport(jobId: number | null, format: string, path: string, filter: object, nRows: number): void { exportsRepo.recordExport(this.db, jobId, format, path, filter, nRows); }

  // ---- jobs (jobs-repo.ts) --------------------------------------------------------------------
  createJob(kind: string, params: object): JobInfo { return jobs.createJob(this.db, kind, params); }
  getJob(id: number): JobInfo { return jobs.getJob(this.db, id); }
  listJobs(limit = 50): JobInfo[] { return jobs.listJobs(this.db, limit); }
  updateJob(id: number, u: JobUpdate): JobInfo { return jobs.updateJob(this.db, id, u); }
  markOrphanedJobs(isAlive: (pid: number) => boolean): JobInfo[] { return jobs.markOrphanedJobs(this.db, isAlive); }
}
