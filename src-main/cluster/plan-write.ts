// `lensdesk shard plan`: lists a workspace's stamps in source-id order (or a folder's cutouts, plan-sources.ts), cuts them into balanced
// contiguous shards (src-core/cluster/partition.ts) and writes PLAN/plan.json, one NDJSON item list
// per shard (streamed: one line per cutout, never the whole list in memory beyond one page) and a copy
// of the model, so a cluster node needs only the plan folder and the cutout files.
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { partitionBalanced } from '../../src-core/cluster/partition';
import { PLAN_FORMAT, planSchema, type PlanModel, type ShardPlan } from '../../src-core/cluster/plan-schema';
import { CancelledError, InputError } from '../../src-core/errors';
import { loadScorer } from '../scoring/scorer';
import { folderItems, isWorkspaceDir, workspaceItems } from './plan-sources';
import { folderSha256, folderSums, sha256File, sha256Text } from './checksum';
import { writeJsonAtomic } from './plan-read';
import { describeCatalog, type CatalogPlanInput } from './catalog-plan';

export interface PlanOptions {
  /** A workspace folder (has lensdesk.sqlite) or a folder of FITS cutouts; ignored when `catalog` is given. */
  input: string;
  /** Plan from a catalog file + survey images instead (stamps are cut on the nodes; catalog-plan.ts). */
  catalog?: CatalogPlanInput;
  shards: number;
  out: string;
  catalogId?: number;
  modelPath?: string;
  placeholder?: boolean;
  /** sha256 of every cutout file (default true; off for very large surveys: only sizes of the lists are checked). */
  checksums?: boolean;
  command?: string;
  signal?: AbortSignal;
  progress?: (done: number, total: number) => void;
}

/** Resolves the model as `lensdesk score` would, copies it into PLAN/model and checksums it. */
async function planModel(defaultModelPath: string | undefined, opts: PlanOptions, planDir: string): Promise<PlanModel> {
  const modelPath = opts.modelPath ?? (opts.placeholder ? undefined : defaultModelPath);
  const scorer = await loadScorer({ modelPath, placeholder: opts.placeholder });
  try {
    const m = scorer.model;
    if (m.kind === 'placeholder' || !m.path) return { name: m.name, version: m.version, kind: m.kind, path: null, sha256: null, files: [], card: m.card };
    const copy = join(planDir, 'model');
    rmSync(copy, { recursive: true, force: true });
    cpSync(m.path, copy, { recursive: true });
    const files = folderSums(copy);
    return { name: m.name, version: m.version, kind: m.kind, path: 'model', sha256: folderSha256(files), files, card: m.card };
  } finally {
    await scorer.dispose();
  }
}

export async function writePlan(opts: PlanOptions): Promise<ShardPlan> {
  const planDir = resolve(opts.out);
  if (existsSync(join(planDir, 'plan.json'))) {
    throw new InputError('PLAN_EXISTS', `${join(planDir, 'plan.json')} exists: a plan is never rewritten under running shards; choose a new --out`, { path: planDir });
  }
  if (existsSync(planDir) && readdirSync(planDir).length) throw new InputError('PLAN_DIR_NOT_EMPTY', `${planDir} is not empty; choose a new --out`, { path: planDir });
  const checksums = opts.checksums !== false;
  if (opts.catalog) return writeCatalogPlan(opts, opts.catalog, planDir, checksums);
  const src = isWorkspaceDir(opts.input) ? workspaceItems(opts.input, opts.catalogId, checksums) : folderItems(opts.input, checksums);
  mkdirSync(join(planDir, 'shards'), { recursive: true });
  mkdirSync(join(planDir, 'out'), { recursive: true });
  try {
    const n = src.n;
    const ranges = partitionBalanced(n, opts.shards);
    const model = await planModel(src.defaultModelPath, opts, planDir);
    const shards: ShardPlan['shards'] = [];
    let done = 0;
    for (const range of ranges) {
      const file = `shards/shard-${range.index}.ndjson`;
      const tmp = join(planDir, `${file}.tmp`);
      const fd = openSync(tmp, 'w');
      let firstRow: number | null = null;
      let lastRow: number | null = null;
      try {
        for (let k = range.start; k < range.end; k++) {
          if (opts.signal?.aborted) throw new CancelledError('shard plan cancelled');
          const item = src.next();
          if (!item) throw new InputError('INPUT_CHANGED', `${src.path} changed while planning (fewer cutouts than counted)`, { path: src.path });
          firstRow ??= item.row;
          lastRow = item.row;
          writeSync(fd, JSON.stringify(item) + '\n');
          opts.progress?.(++done, n);
        }
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, join(planDir, file));
      shards.push({ index: range.index, items: range.end - range.start, firstRow, lastRow, file, sha256: sha256File(join(planDir, file)) });
    }
    const planId = sha256Text(JSON.stringify({ shards: shards.map((s) => s.sha256), model: model.sha256 ?? model.version, at: new Date().toISOString() })).slice(0, 16);
    return finishPlan(opts, planDir, { planId, source: { kind: src.kind, path: src.path, catalogId: opts.catalogId ?? null }, itemChecksums: checksums, nItems: n, model, shards });
  } catch (e) {
    // A failed plan leaves no plan.json, so nothing half-written is ever scored.
    rmSync(join(planDir, 'plan.json'), { force: true });
    throw e;
  } finally {
    src.close();
  }
}

function finishPlan(opts: PlanOptions, planDir: string, body: Pick<ShardPlan, 'planId' | 'source' | 'itemChecksums' | 'nItems' | 'model' | 'shards'>): ShardPlan {
  const plan: ShardPlan = planSchema.parse({
    format: PLAN_FORMAT,
    createdAt: new Date().toISOString(),
    createdBy: { software: 'lensdesk 0.1.0', host: hostname(), user: userInfo().username, command: opts.command ?? '' },
    ...body,
  });
  writeJsonAtomic(join(planDir, 'plan.json'), plan);
  return plan;
}

/** A catalog plan: shards are contiguous ranges of catalog rows (no item lists: the rows are the list). */
async function writeCatalogPlan(opts: PlanOptions, input: CatalogPlanInput, planDir: string, checksums: boolean): Promise<ShardPlan> {
  const catalog = await describeCatalog(input, checksums, opts.signal);
  mkdirSync(join(planDir, 'out'), { recursive: true });
  const ranges = partitionBalanced(catalog.rows, opts.shards);
  const model = await planModel(undefined, opts, planDir);
  const shards: ShardPlan['shards'] = ranges.map((r) => ({ index: r.index, items: r.end - r.start, firstRow: r.end > r.start ? r.start : null, lastRow: r.end > r.start ? r.end - 1 : null }));
  const planId = sha256Text(JSON.stringify({ catalog: catalog.sha256, images: catalog.images.map((i) => i.sha256), ranges, model: model.sha256 ?? model.version, at: new Date().toISOString() })).slice(0, 16);
  return finishPlan(opts, planDir, { planId, source: { kind: 'catalog', path: catalog.path, catalogId: null, catalog }, itemChecksums: checksums, nItems: catalog.rows, model, shards });
}
