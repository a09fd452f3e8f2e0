// The one API contract between the backend (src-main/api) and the renderer (src-renderer/lib/api.ts).
// Each method has a zod schema for its params (validated at runtime on the backend for every call,
// whatever the transport) and a TypeScript result type. Events flow backend → renderer.
import { z } from 'zod';
import type { SerializedError } from '../errors';
import type { Consensus } from '../grades';
import type { ParameterSummary } from '../infer/summary';

const id = z.number().int().positive();
const grade = z.number().int().min(0).max(3);
const tag = z.string().min(1).max(40).regex(/^[\w .:+-]+$/, 'tags use letters, digits, space and . : + -');

export const SORT_KEYS = ['score', 'name', 'ra', 'dec', 'grade', 'consensus', 'spread', 'random', 'column'] as const;
export const JOB_KINDS = ['ingest', 'ingest-catalog', 'score', 'export', 'demo', 'simulate', 'train', 'fit', 'finetune', 'massmap', 'restore', 'source', 'deblend', 'blend-score', 'galaxy-posterior'] as const;

export const candidateFilter = z
  .object({
    minScore: z.number().min(0).max(1).optional(),
    maxScore: z.number().min(0).max(1).optional(),
    graded: z.enum(['any', 'mine', 'notMine']).optional(),
    catalogId: id.optional(),
    tag: tag.optional(),
    disagreement: z.boolean().optional(),
    /** Only sources with a score from this model (model version filter). */
    scoredBy: id.optional(),
    /** Consensus mean grade at least this (0–3). */
    minConsensus: z.number().min(0).max(3).optional(),
    /** Hide sources whose latest blend score flags them as likely blends (issue 14). */
    hideBlends: z.boolean().optional(),
  })
  .strict();

/** A catalog column kept in sources.extra (JSON), for sort 'column'. */
const columnName = z.string().min(1).max(64).regex(/^[A-Za-z_][\w]*$/, 'column names are letters, digits and _');
/** A SAMP lock URL (SAMP 1.3 §3.3): only local lockfiles. */
const lockUrl = z.string().max(4096).regex(/^std-lockurl:file:/, 'a SAMP hub is named by std-lockurl:file:…');

/** How grades become labels (src-core/classify/graded-set.ts): lens 1, non-lens 0, ignored null. */
const gradeTarget = z.union([z.literal(0), z.literal(1), z.null()]);
const gradeMapping = z.object({ A: gradeTarget, B: gradeTarget, C: gradeTarget, X: gradeTarget }).partial().strict();
const gradeWeights = z.object({ A: z.number().min(0).max(100), B: z.number().min(0).max(100), C: z.number().min(0).max(100), X: z.number().min(0).max(100) }).partial().strict();

/** A local file or folder path given by the user (read by the backend only; never served). */
const localPath = z.string().trim().min(1).max(4096).refine((v) => !v.includes('\0'), 'paths cannot contain NUL');
const bandName = z.string().regex(/^[A-Za-z]{1,8}$/, 'band names are letters');

/**
 * Params of the 'simulate' (and 'demo') job beyond its scalars: pixelised PSFs and real galaxy
 * stamps as sources (docs/simulate.md). `psf`: one FITS file for all bands (image or bands × H × W
 * cube) or {band: file}; `sourceStamps`: a folder of FITS stamps or one file (N × H × W).
 * Checked by the job kind's prepare (src-main/jobs/kinds/simulate.ts); unknown keys pass through.
 */
export const simulateJobParams = z
  .object({
    name: z.string().max(100).optional(),
    count: z.number().int().min(1).max(1_000_000).optional(),
    seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
    preset: z.string().max(32).optional(),
    lensFraction: z.number().min(0).max(1).optional(),
    hardness: z.number().min(0).max(1).optional(),
    /** Fraction of the lenses whose source is a lensed quasar (doubles and quads, issue 18). */
    quasarFraction: z.number().min(0).max(1).optional(),
    psf: z.union([localPath, z.record(bandName, localPath)]).optional(),
    sourceStamps: localPath.optional(),
    sourceStampScale: z.number().positive().max(60).optional(),
    sourceStampFraction: z.number().min(0).max(1).optional(),
    /** Lensed sources: 'profiles' (default: clumpy Sérsic), 'flowvae' (the bundled Flow-VAE) or 'flowvae:MODEL_DIR' (issue 16). */
    sources: z.string().min(1).max(4096).optional(),
    /** Flow-VAE galaxies decoded once for the set (default 1000). */
    flowvaeCount: z.number().int().min(1).max(100_000).optional(),
  })
  .loose();

export const schemas = {
  'session.info': z.object({}).strict(),
  'reviewer.set': z.object({ name: z.string().trim().min(1).max(64) }).strict(),
  'candidates.list': z
    .object({
      sort: z.enum(SORT_KEYS).default('score'),
      order: z.enum(['asc', 'desc']).default('desc'),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200),
      modelId: id.optional(),
      /** Column of sources.extra to sort by when sort = 'column'. */
      column: columnName.optional(),
      filter: candidateFilter.default({}),
    })
    .strict(),
  'candidates.facets': z.object({}).strict(),
  'candidate.get': z.object({ sourceId: id }).strict(),
  'labels.add': z
    .object({
      sourceId: id,
      grade: grade.nullable(),
      tags: z.array(tag).max(20).default([]),
      comment: z.string().max(2000).default(''),
      /** Practice mode: return the simulation truth after the grade is stored (Space Warps-style feedback). */
      practice: z.boolean().default(false),
    })
    .strict(),
  'labels.undo': z.object({}).strict(),
  'jobs.list': z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict(),
  /** params: checked against the kind's own schema (./job-params.ts) by the job manager. */
  'jobs.start': z
    .object({
      kind: z.enum(JOB_KINDS),
      params: z.record(z.string(), z.unknown()).default({}),
    })
    .strict(),
  'jobs.cancel': z.object({ jobId: id }).strict(),
  'jobs.resume': z.object({ jobId: id }).strict(),
  'models.list': z.object({}).strict(),
  /** The models shipped in models/ (not yet used by this workspace too): layout and card, for the models view. */
  'models.bundled': z.object({}).strict(),
  /** The workspace's graded set under a mapping: counts and whether a held-out split is possible. */
  'models.graded': z.object({ mapping: gradeMapping.optional(), weights: gradeWeights.optional() }).strict(),
  /** ROC, metrics and reliability curve of one model version's stored scores on the graded set. */
  'models.evaluate': z
    .object({
      modelId: id,
      mapping: gradeMapping.optional(),
      weights: gradeWeights.optional(),
      /** 'all' graded sources, or the deterministic held-out quarter the fine-tune job keeps out of training. */
      subset: z.enum(['all', 'heldOut']).default('all'),
      bins: z.number().int().min(2).max(50).default(10),
    })
    .strict(),
  /** The reviewer's choice on a fine-tuned candidate: make it the active model, or keep the current one. */
  'models.promote': z.object({ modelId: id, decision: z.enum(['promote', 'keep']).default('promote') }).strict(),
  'consensus.summary': z.object({ limit: z.number().int().min(1).max(2000).default(300) }).strict(),
  'samp.status': z.object({}).strict(),
  /** Registers with the hub named by `hub`, else $SAMP_HUB, else ~/.samp. */
  'samp.connect': z.object({ hub: lockUrl.optional() }).strict(),
  'samp.disconnect': z.object({}).strict(),
  /** image.load.fits of a cutout (stamp or context) to every subscribed client (DS9, Aladin). */
  'samp.sendImage': z.object({ sourceId: id, kind: z.enum(['stamp', 'context']).default('stamp') }).strict(),
  /** table.load.votable of the candidate list (filtered like an export) to TOPCAT. */
  'samp.sendTable': z
    .object({ minConsensus: z.number().min(0).max(3).optional(), minScore: z.number().min(0).max(1).optional() })
    .strict(),
  'samp.pointAt': z.object({ sourceId: id }).strict(),
  /** Lens-model posteriors of one source, newest first (summaries and diagnostics, no draws). */
  'posteriors.list': z.object({ sourceId: id }).strict(),
  /** Draws of one posterior for corner and trace plots, thinned to at most maxDraws per chain. */
  'posterior.samples': z.object({ posteriorId: id, maxDraws: z.number().int().min(10).max(5000).default(250) }).strict(),
  /** Latest θE summary of each given source that has a fit (grid column). */
  'posteriors.thetaE': z.object({ sourceIds: z.array(id).max(1000) }).strict(),
  /** Survey presets the simulator knows (for the Simulate form): names, bands, stamp sizes. */
  'simulate.presets': z.object({}).strict(),
  /** The workspace's mass maps (products of kind 'massmap'), newest first. */
  'massmaps.list': z.object({}).strict(),
  /** Peaks of one mass map and the workspace's candidates inside its field (for the overlays). */
  'massmap.overlay': z.object({ productId: id }).strict(),
  /** Image products of a source (restore, source, …; src-main/store/products.ts), newest first; optionally one kind. */
  'products.list': z.object({ sourceId: id, kind: z.string().max(40).regex(/^[a-z][a-z0-9-]*$/, 'product kinds are lower-case words').optional() }).strict(),
  /** Latest deblend product of a source (components, fluxes, colours), or null (jobs/kinds/deblend.ts). */
  'deblend.get': z.object({ sourceId: id }).strict(),
  /** Per source: its lens-subtracted frame (image path) where one exists, and the blend score (grid). */
  'deblend.grid': z.object({ sourceIds: z.array(id).max(1000) }).strict(),
  /** Latest blend score of a source (explicit-likelihood morphology model), or null (jobs/kinds/blend-score.ts). */
  'blend.get': z.object({ sourceId: id }).strict(),
} as const;

export type Method = keyof typeof schemas;
export type Params<M extends Method> = z.input<(typeof schemas)[M]>;
export type ParsedParams<M extends Method> = z.output<(typeof schemas)[M]>;
export type CandidateFilter = z.infer<typeof candidateFilter>;
export type SortKey = (typeof SORT_KEYS)[number];
export type JobKind = (typeof JOB_KINDS)[number];

export interface SessionInfo {
  version: string;
  workspace: string;
  reviewer: { id: number; name: string };
  mode: 'electron' | 'browser';
  backend: { name: string; detail: string };
  scorer: { modelId: number | null; name: string; placeholder: boolean; note: string };
  counts: { sources: number; graded: number; gradedByMe: number };
}

export interface CandidateRow {
  sourceId: number;
  name: string;
  ra: number | null;
  dec: number | null;
  score: number | null;
  myGrade: number | null;
  consensus: Consensus;
  tags: string[];
  /** URL path of the stamp FITS through the image protocol (relative to the image base). */
  stamp: string | null;
  bands: string[];
}

export interface LabelEntry {
  id: number;
  uid: string;
  reviewer: string;
  grade: number | null;
  tags: string[];
  comment: string;
  action: string;
  createdAt: string;
}

/** What a practice item was, revealed only after it is graded. */
export interface PracticeTruth {
  isLens: boolean;
  kind: string;
  thetaE: number | null;
}

export interface CandidateDetail extends CandidateRow {
  catalog: string;
  extra: Record<string, unknown>;
  truth: Record<string, unknown> | null;
  scores: { modelId: number; model: string; version: string; probability: number }[];
  history: LabelEntry[];
  cutouts: { kind: string; path: string; bands: string[]; width: number | null; height: number | null }[];
}

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';
export interface JobInfo {
  id: number;
  kind: string;
  params: Record<string, unknown>;
  state: JobState;
  progress: number;
  total: number;
  message: string;
  error: SerializedError | null;
  result: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
}

export interface ModelInfo {
  id: number;
  name: string;
  version: string;
  kind: string;
  parentId: number | null;
  nScores: number;
  card: Record<string, unknown>;
  /** The workspace's active model (grid order, exports, next fine-tune's parent). */
  active?: boolean;
}

/** A model folder in models/: what cutouts it fits (src-core/classify/choose-model.ts) and its card. */
export interface BundledModelInfo {
  name: string;
  bands: string[];
  pixelScale: number | null;
  inputSize: number;
  preset: string | null;
  card: Record<string, unknown>;
}

export interface GradedSetSummary {
  counts: { sources: number; lens: number; nonLens: number; ignored: number; conflicts: number; grades: number };
  mapping: Record<'A' | 'B' | 'C' | 'X', 0 | 1 | null>;
  weights: Record<'A' | 'B' | 'C' | 'X', number>;
  /** True when each class is big enough for a held-out quarter (else fine-tune evaluates in-sample). */
  heldOut: boolean;
  nTrain: number;
  nTest: number;
}

export interface ModelEvaluation {
  modelId: number;
  subset: 'all' | 'heldOut';
  /** Graded sources in the subset, and how many of them this version has scored. */
  nGraded: number;
  nScored: number;
  /** null when the scored part lacks a class (then `note` says why). */
  report: {
    n: number; nPositive: number; nNegative: number; auroc: number; tpr0: number; tpr10: number; fprAtTpr50: number;
    precisionAtK: Record<string, number>;
    calibration: { bins: { lower: number; upper: number; count: number; meanPredicted: number; fractionPositive: number }[]; brier: number; ece: number } | null;
    roc: { fpr: number[]; tpr: number[]; thresholds: (number | null)[] };
  } | null;
  note: string;
}

export interface ConsensusSummary {
  reviewers: { name: string; graded: number; practiceLenses: number; practiceDuds: number; pL: number; pD: number; skill: number }[];
  /**
   * Fleiss' kappa over the candidates graded by ≥ 2 reviewers (`subjects`, with min–max raters);
   * `graded` candidates have any grade, from `reviewers` reviewers; `summary` is the line to show.
   */
  kappa: { value: number | null; subjects: number; minRaters: number; maxRaters: number; graded: number; reviewers: number; summary: string };
  swap: { lens: number; dud: number; active: number; prior: number };
  items: {
    sourceId: number;
    name: string;
    grades: Record<string, number>;
    mean: number;
    spread: number;
    pLens: number | null;
    status: 'lens' | 'dud' | 'active' | 'practice';
  }[];
}

export interface Facets {
  tags: { tag: string; n: number }[];
  columns: string[];
  catalogs: { id: number; name: string; n: number }[];
  models: { id: number; name: string; version: string; nScores: number }[];
}

export interface SampStatus {
  connected: boolean;
  hub: string | null;
  selfId: string | null;
  /** Other registered clients: id, samp.name, whether they take images / tables / positions. */
  clients: { id: string; name: string; image: boolean; table: boolean; sky: boolean }[];
  error: string | null;
  /** Last message in or out, for the status line. */
  last: string | null;
}

export interface SampSent {
  url: string;
  recipients: string[];
  rows?: number;
}

/** One parameter of a lens-model posterior (units: arcsec for θE, positions, radii; e, γ dimensionless):
 * the wire subset of src-core/infer's ParameterSummary. */
export type PosteriorParamSummary = Pick<
  ParameterSummary,
  'name' | 'mean' | 'sd' | 'q2_5' | 'q16' | 'q50' | 'q84' | 'q97_5' | 'rhat' | 'essBulk' | 'essTail'
>;

export interface PosteriorInfo {
  id: number;
  sourceId: number;
  method: string;
  /** Fit settings key (chains, warm-up, draws, seed, MAP starts). */
  settings: string;
  jobId: number | null;
  createdAt: string;
  parameters: string[];
  summaries: PosteriorParamSummary[];
  diagnostics: {
    chains: number; drawsPerChain: number; rhatMax: number; essBulkMin: number; essTailMin: number;
    divergences: number; warmupDivergences: number; treeDepthSaturated: number; ebfmi: number[]; stepSize: number[];
    gradientEvaluations: number; wallSeconds: number; mapSeconds: number; mapChi2: number; npix: number;
    /** R̂ < 1.01 for every parameter and bulk-ESS(θE) ≥ 400. */
    converged: boolean;
    /** Every variance was multiplied by this before sampling because χ²/pixel at the MAP was this high
     * (the model misses structure in the cutout); 1 = the cutout's own variances. */
    varianceInflation: number;
    /** Why `converged` is false (R̂/ESS targets missed, draws below the MAP, chains in another basin,
     * unconfirmed MAP); null when converged. */
    reason?: string | null;
    /** Re-optimisations from a draw below the MAP, and the best draw's χ² (fits since issue 21). */
    modeRounds?: number;
    bestDrawChi2?: number;
  };
  thetaE: { mean: number; sd: number };
  /** Image-protocol paths of the best-fit model and (data − model)/σ stamps (latest fit of the source). */
  images: { model: string | null; residual: string | null };
}

export interface PosteriorSamples {
  id: number;
  parameters: string[];
  chains: number;
  /** Draws kept per chain after thinning by `thin`. */
  drawsPerChain: number;
  thin: number;
  /** One array per chain, draws × parameters row-major. */
  draws: number[][];
}

export interface PosteriorThetaE {
  sourceId: number;
  posteriorId: number;
  mean: number;
  sd: number;
  rhat: number;
  converged: boolean;
}

/** A survey preset of the simulator (src-core/lens/presets.ts), as the Simulate form shows it. */
export interface SimulatePresetInfo {
  name: string;
  description: string;
  /** arcsec per pixel */
  pixelScale: number;
  /** stamp side, pixels */
  size: number;
  /** Bands a simulate job renders (the preset's default bands, in cube order). */
  bands: string[];
  /** Every band the preset defines. */
  allBands: string[];
  /** True where some numbers are approximations (see the preset's sources). */
  approximate: boolean;
}

/** One image product of a source (a row of the workspace's products table). */
export interface ProductInfo {
  id: number;
  sourceId: number | null;
  /** 'restore', 'source', 'deblend', … */
  kind: string;
  /** The product FITS, relative to the workspace folder. */
  path: string;
  /** What was asked (restore: op, prior, samples, seed, preset, settings key). */
  params: Record<string, unknown>;
  /** What ran (restore: prior used and why, per-band noise σ, mean posterior std, seconds, frames). */
  summary: Record<string, unknown>;
  jobId: number | null;
  createdAt: string;
}

/** A deblend product as the candidate view shows it (summary of src-core/deblend/candidate.ts). */
export interface DeblendInfo {
  productId: number;
  jobId: number | null;
  createdAt: string;
  prior: string;
  bands: string[];
  components: Array<{ id: number; x: number; y: number; flux: Record<string, number>; dataFlux: Record<string, number>; colours: Record<string, number | null>; deflector: boolean }>;
  deflector: number | null;
  chi2PerPixel: number | null;
  iterations: number;
  converged: boolean;
  warnings: string[];
}

export interface DeblendGridEntry {
  sourceId: number;
  /** Image-protocol path of the lens-subtracted frame, or null. */
  lensSubtracted: string | null;
  /** Latest calibrated P(blend) of the source's stamp, or null when not scored (issue 14, blend flag). */
  blendProbability?: number | null;
  likelyBlend?: boolean | null;
}

/** A source's latest blend score (src-main/store/blend-scores.ts). */
export interface BlendScoreInfo {
  sourceId: number;
  model: string;
  probability: number;
  likelyBlend: boolean;
  logpPerPixel: number;
  statistic: number;
  jobId: number | null;
  createdAt: string;
}

export interface Results {
  'session.info': SessionInfo;
  'reviewer.set': SessionInfo['reviewer'];
  'candidates.list': { total: number; rows: CandidateRow[] };
  'candidate.get': CandidateDetail;
  'labels.add': LabelEntry & { truth?: PracticeTruth };
  'labels.undo': { sourceId: number | null; restored: number | null };
  'jobs.list': JobInfo[];
  'jobs.start': JobInfo;
  'jobs.cancel': JobInfo;
  'jobs.resume': JobInfo;
  'models.list': ModelInfo[];
  'models.bundled': BundledModelInfo[];
  'models.graded': GradedSetSummary;
  'models.evaluate': ModelEvaluation;
  'models.promote': { activeModelId: number | null };
  'consensus.summary': ConsensusSummary;
  'candidates.facets': Facets;
  'samp.status': SampStatus;
  'samp.connect': SampStatus;
  'samp.disconnect': SampStatus;
  'samp.sendImage': SampSent;
  'samp.sendTable': SampSent;
  'samp.pointAt': SampSent;
  'posteriors.list': PosteriorInfo[];
  'posterior.samples': PosteriorSamples;
  'posteriors.thetaE': PosteriorThetaE[];
  'products.list': ProductInfo[];
  'deblend.get': DeblendInfo | null;
  'deblend.grid': DeblendGridEntry[];
  'blend.get': BlendScoreInfo | null;
  'simulate.presets': { presets: SimulatePresetInfo[]; defaults: { preset: string; lensFraction: number; hardness: number; seed: number } };
  'massmaps.list': MassMapInfo[];
  'massmap.overlay': MassMapOverlay;
}

/** One stored mass map (a `products` row of kind 'massmap'); path is relative to the workspace. */
export interface MassMapInfo {
  id: number;
  jobId: number | null;
  path: string;
  params: Record<string, unknown>;
  summary: Record<string, unknown>;
  createdAt: string;
}

export interface MassMapOverlay {
  /** 0-based pixel (x, y), sky position (deg), κ, its std and S/N = κ/std (highest first). */
  peaks: { x: number; y: number; ra: number; dec: number; kappa: number; std: number; snr: number }[];
  /** What the S/N divides by (posterior std, KS noise std, or the map's rms). */
  snrFrom: string;
  /** Candidates of the workspace inside the map's field. */
  candidates: { sourceId: number; name: string; ra: number; dec: number }[];
}
export type Result<M extends Method> = Results[M];

export interface Events {
  'job.update': JobInfo;
  'labels.changed': { sourceId: number };
  'samp.status': SampStatus;
  /** Another SAMP client highlighted a row of a table we sent: select that candidate. */
  'samp.highlight': { sourceId: number; sender: string };
}
export type EventName = keyof Events;

/** Wire format of one request / response / event (used by the WebSocket transport). */
export interface RpcRequest {
  id: number;
  method: string;
  params: unknown;
}
export type RpcResponse =
  | { id: number; result: unknown }
  | { id: number; error: SerializedError };
export interface RpcEvent {
  event: EventName;
  data: unknown;
}

export const isMethod = (m: unknown): m is Method => typeof m === 'string' && Object.hasOwn(schemas, m);
