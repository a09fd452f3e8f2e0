// One schema per job kind: what `jobs.start` (the app) and the CLI may pass as a job's params.
// The job manager checks every start against it, so a wrong type, a value out of range or an
// unknown field (a typo like `minscore`) is an InputError naming `params.<field>` before anything
// is queued. Each kind's prepare() then resolves paths, fills defaults and checks what needs the
// disk (files exist) or several fields at once. Part of the API contract (issue #19).
import { z } from 'zod';
import { simulateJobParams, JOB_KINDS, type JobKind } from './contract';

const path = z.string().trim().min(1).max(4096).refine((v) => !v.includes('\0'), 'paths cannot contain NUL');
const id = z.number().int().positive();
const name = z.string().max(100);
/** `--bands g,r,i,z`: names of the cutouts' planes in file order (issue 18; src-core/stamps/band-keywords.ts). */
const bandList = z.union([z.string().max(400), z.array(z.string().max(40)).min(1).max(64)]);
const gradeTarget = z.union([z.literal(0), z.literal(1), z.null()]);

export const jobParamSchemas = {
  /** A folder of FITS cutouts becomes a catalog (jobs/kinds/ingest.ts). */
  ingest: z
    .object({
      folder: path, catalog: name.optional(), survey: name.optional(), recursive: z.boolean().optional(),
      /** Survey images the stamps came from: context cutouts are cut from them by WCS. */
      contextImages: z.array(z.object({ band: z.string().max(32).optional(), path, hdu: z.number().int().min(0).optional() }).strict()).min(1).max(32).optional(),
      contextSize: z.number().int().min(8).max(2048).optional(),
      bands: bandList.optional(),
    })
    .strict(),
  /** A catalog (CSV/FITS table) + survey images: stamps cut by WCS (jobs/kinds/ingest-catalog.ts). */
  'ingest-catalog': z
    .object({
      catalogFile: path,
      images: z.array(z.object({ band: z.string().max(32).optional(), path, hdu: z.number().int().min(0).optional() }).strict()).min(1).max(32),
      name: name.optional(),
      size: z.number().int().min(8).max(1024).optional(),
      contextSize: z.number().int().min(0).max(2048).optional(),
      resampling: z.enum(['nearest', 'bilinear']).optional(),
      raColumn: z.string().max(64).optional(),
      decColumn: z.string().max(64).optional(),
      idColumn: z.string().max(64).optional(),
    })
    .strict(),
  /** Score a catalog (or everything) with a model version (jobs/kinds/score.ts). */
  score: z
    .object({ catalogId: id.optional(), modelPath: path.optional(), placeholder: z.boolean().optional(), activate: z.boolean().optional(), bands: bandList.optional() })
    .strict(),
  /** The vetted catalog to a file (jobs/kinds/export.ts); the API confines `out` to exports/. */
  export: z
    .object({
      format: z.enum(['csv', 'ecsv', 'fits', 'votable', 'bundle']).optional(),
      out: path.optional(),
      overwrite: z.boolean().optional(),
      minConsensus: z.number().min(0).max(3).optional(),
      minScore: z.number().min(0).max(1).optional(),
      /** Leave out likely blends, as the grid's "hide likely blends" (issue 14); excludeLikelyBlends is its synonym. */
      hideBlends: z.boolean().optional(),
      excludeLikelyBlends: z.boolean().optional(),
    })
    .strict(),
  demo: simulateJobParams,
  simulate: simulateJobParams,
  /** Not a job the app starts: `lensdesk train` runs in its own process. */
  train: z.object({}).strict(),
  /** Lens-model posteriors of candidates (jobs/kinds/fit.ts); sampler settings have their own ranges there. */
  fit: z
    .object({
      sourceIds: z.array(id).min(1).max(100_000).optional(),
      catalogId: id.optional(),
      minConsensus: z.number().min(0).max(3).optional(),
      preset: z.string().max(32).optional(),
      chains: z.number().int().optional(),
      warmup: z.number().int().optional(),
      samples: z.number().int().optional(),
      seed: z.number().int().optional(),
      nStarts: z.number().int().optional(),
      maxEvals: z.number().int().optional(),
      refineBest: z.number().int().optional(),
      refineEvals: z.number().int().optional(),
      maxSamples: z.number().int().optional(),
      maxDepth: z.number().int().optional(),
      targetEss: z.number().int().optional(),
      workers: z.number().int().optional(),
    })
    .loose(),
  /** Fine-tune the lens finder on the grades (jobs/kinds/finetune.ts). */
  finetune: z
    .object({
      mapping: z.object({ A: gradeTarget, B: gradeTarget, C: gradeTarget, X: gradeTarget }).partial().strict().optional(),
      weights: z.object({ A: z.number().min(0).max(100), B: z.number().min(0).max(100), C: z.number().min(0).max(100), X: z.number().min(0).max(100) }).partial().strict().optional(),
      epochs: z.number().int().min(1).max(200).optional(),
      learningRate: z.number().gt(0).lt(1).optional(),
      batchSize: z.number().int().min(2).max(512).optional(),
      simulated: z.number().int().min(0).max(100_000).nullable().optional(),
      simulatedSeed: z.number().int().optional(),
      holdoutFraction: z.number().min(0).lt(1).optional(),
      minPerClass: z.number().int().min(2).optional(),
      seed: z.number().int().optional(),
      rescore: z.boolean().optional(),
      promote: z.union([z.boolean(), z.enum(['never', 'auto', 'always'])]).optional(),
      version: z.string().max(64).optional(),
      parentModelId: id.optional(),
      parentPath: path.optional(),
    })
    .strict(),
  /** Weak-lensing mass map from a shear catalog (jobs/kinds/massmap.ts, docs/massmap.md). */
  massmap: z
    .object({
      catalog: path,
      method: z.enum(['ks93', 'wiener', 'hybrid']).optional(),
      ps: path.optional(),
      pixArcmin: z.number().min(0.01).max(600).optional(),
      smoothArcmin: z.number().min(0).max(600).optional(),
      samples: z.number().int().min(0).max(1000).optional(),
      seed: z.number().int().min(0).optional(),
      pad: z.number().min(1).max(8).optional(),
      flipE1: z.boolean().optional(),
      flipE2: z.boolean().optional(),
      // hybrid only: κ prior folder, σ-ladder levels, Langevin steps per level, onnxruntime threads
      prior: path.optional(),
      levels: z.number().int().min(2).max(200).optional(),
      stepsPerLevel: z.number().int().min(1).max(100).optional(),
      threads: z.number().int().min(1).max(64).optional(),
    })
    .strict(),
  /** Restored stamps (posterior mean and std) of candidates (jobs/kinds/restore.ts, docs/learned-priors.md). */
  restore: z
    .object({
      sourceIds: z.array(id).min(1).max(100_000).optional(),
      catalogId: id.optional(),
      minConsensus: z.number().min(0).max(3).optional(),
      op: z.enum(['auto', 'deconvolve', 'denoise', 'inpaint']).optional(),
      prior: z.enum(['auto', 'learned', 'wiener', 'tv', 'l1']).optional(),
      samples: z.number().int().min(0).max(512).optional(),
      seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
      stepsPerLevel: z.number().int().min(1).max(1000).optional(),
      threads: z.number().int().min(1).max(64).optional(),
      preset: z.string().max(32).optional(),
    })
    .strict(),
  /** The unlensed source behind a candidate's lens model (jobs/kinds/source.ts, docs/learned-priors.md). */
  source: z
    .object({
      sourceId: id,
      posteriorId: id.optional(),
      prior: z.enum(['wiener', 'learned']).optional(),
      samples: z.number().int().min(0).max(256).optional(),
      lensDraws: z.number().int().min(1).max(64).optional(),
      grid: z.number().int().min(8).max(128).optional(),
      seed: z.number().int().min(0).optional(),
    })
    .strict(),
  /** Deblend candidates, lens-light subtraction (jobs/kinds/deblend.ts, docs/deblend.md). */
  deblend: z
    .object({
      sourceIds: z.array(id).min(1).max(100_000).optional(),
      catalogId: id.optional(),
      prior: z.string().min(1).max(4096).optional(),
      constraints: z.string().max(64).optional(),
      maxIter: z.number().int().min(1).max(5000).optional(),
      force: z.boolean().optional(),
      /** 'lens-light': the catalog-wide batch lens-light subtraction (constraints only, ≤ 50 iterations). */
      mode: z.enum(['deblend', 'lens-light']).optional(),
      workers: z.number().int().min(1).max(64).optional(),
    })
    .strict(),
  /** Blend flag of candidates' stamps by the morphology model (jobs/kinds/blend-score.ts, docs/deblend.md). */
  'blend-score': z
    .object({
      sourceIds: z.array(id).min(1).max(100_000).optional(),
      catalogId: id.optional(),
      model: z.string().min(1).max(4096).optional(),
      force: z.boolean().optional(),
      /** Score stamps whose pixel scale is > 10 % off the model's (default: counted as failed). */
      allowScaleMismatch: z.boolean().optional(),
    })
    .strict(),
  /** Flow-VAE galaxy posterior of candidates' stamps (jobs/kinds/galaxy-posterior.ts, docs/flowvae.md). */
  'galaxy-posterior': z
    .object({
      sourceIds: z.array(id).min(1).max(100_000).optional(),
      catalogId: id.optional(),
      minConsensus: z.number().min(0).max(3).optional(),
      model: z.string().min(1).max(4096).optional(),
      method: z.enum(['nuts', 'vi']).optional(),
      samples: z.number().int().min(2).max(5000).optional(),
      chains: z.number().int().min(1).max(16).optional(),
      warmup: z.number().int().min(0).max(20_000).optional(),
      seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
      band: z.string().min(1).max(40).optional(),
    })
    .strict(),
} satisfies Record<JobKind, z.ZodType>;

export type JobParams<K extends JobKind> = z.input<(typeof jobParamSchemas)[K]>;

/** The kinds a caller may name, for messages. */
export const JOB_KIND_NAMES: readonly string[] = JOB_KINDS;
