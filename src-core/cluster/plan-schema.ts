// The shard plan manifest (PLAN/plan.json) and one item line of a shard list (PLAN/shards/shard-I.ndjson),
// as zod schemas: a plan written by one LensDesk and read by another on a cluster node is checked
// field by field, and a wrong one is named, not half-used.
import { z } from 'zod';

export const PLAN_FORMAT = 'lensdesk-shard-plan/1';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const modelFileSchema = z.object({ name: z.string(), bytes: z.number().int().nonnegative(), sha256 });

export const planModelSchema = z.object({
  name: z.string(),
  version: z.string(),
  kind: z.string(),
  /** Folder of the model copy, relative to the plan folder; null for the placeholder heuristic. */
  path: z.string().nullable(),
  /** sha256 over the files' names and sha256s (sorted by name); null for the placeholder. */
  sha256: sha256.nullable(),
  files: z.array(modelFileSchema),
  card: z.record(z.string(), z.unknown()),
});

export const planShardSchema = z.object({
  index: z.number().int().nonnegative(),
  /** Number of cutouts (= output rows when all read). */
  items: z.number().int().nonnegative(),
  /** Row ids covered, inclusive; null for an empty shard. */
  firstRow: z.number().int().nullable(),
  lastRow: z.number().int().nullable(),
  /** Item list, relative to the plan folder, and its checksum; absent for a catalog plan (its items are catalog rows firstRow…lastRow). */
  file: z.string().optional(),
  sha256: sha256.optional(),
});

/**
 * A catalog + survey images plan: the nodes stream their rows of the catalog and cut each stamp from
 * the images themselves (as `lensdesk ingest --catalog-file … --images …` would), so 10⁸ rows never
 * pass through one machine first. Row ids are 0-based catalog data rows, as ingest's.
 */
export const planCatalogSchema = z.object({
  path: z.string(),
  sha256,
  bytes: z.number().int().nonnegative(),
  /** Data rows in the file, rows with invalid RA/Dec included (they are scored as failures). */
  rows: z.number().int().nonnegative(),
  raColumn: z.string().nullable(),
  decColumn: z.string().nullable(),
  idColumn: z.string().nullable(),
  images: z.array(z.object({ band: z.string(), path: z.string(), hdu: z.number().int().nonnegative().nullable(), bytes: z.number().int().nonnegative(), sha256 })).min(1),
  /** Stamp side in pixels of the first band's grid. */
  size: z.number().int().positive(),
  resampling: z.enum(['nearest', 'bilinear']),
});

export type PlanCatalog = z.infer<typeof planCatalogSchema>;

export const planSchema = z.object({
  format: z.literal(PLAN_FORMAT),
  /** First 16 hex digits of the sha256 of the shard lists and model: names this plan in provenance. */
  planId: z.string().regex(/^[0-9a-f]{16}$/),
  createdAt: z.string(),
  createdBy: z.object({ software: z.string(), host: z.string(), user: z.string(), command: z.string() }),
  source: z.object({
    /** 'workspace': the stamps of a LensDesk workspace; 'folder': a folder of FITS cutouts (as `lensdesk ingest FOLDER` reads); 'catalog': a catalog file + survey images (`catalog` below). */
    kind: z.enum(['workspace', 'folder', 'catalog']),
    /** Absolute path of the workspace (merge imports into it by default) or of the cutout folder. */
    path: z.string(),
    catalogId: z.number().int().nullable(),
    catalog: planCatalogSchema.optional(),
  }),
  /** Whether each item carries the sha256 of its cutout file (checked before scoring it). */
  itemChecksums: z.boolean(),
  nItems: z.number().int().nonnegative(),
  model: planModelSchema,
  shards: z.array(planShardSchema).min(1),
});

export type ShardPlan = z.infer<typeof planSchema>;
export type PlanModel = z.infer<typeof planModelSchema>;

/**
 * One cutout to score: its row id (the workspace source id; for a folder, the cutout's 0-based index
 * over the sorted files), name, position and file; `cutout` is the index inside a multi-cutout cube
 * (as `lensdesk simulate` writes), absent for a one-stamp file.
 */
export const planItemSchema = z.object({
  row: z.number().int(),
  id: z.string(),
  /** Degrees, ICRS; null when the source has no position. */
  ra: z.number().nullable(),
  dec: z.number().nullable(),
  /** Absolute path of the stamp FITS file. */
  path: z.string(),
  cutout: z.number().int().nonnegative().optional(),
  sha256: sha256.optional(),
});

export type PlanItem = z.infer<typeof planItemSchema>;
