// `lensdesk merge PLAN --top K`: reads every finished shard's Parquet with DuckDB, checks the
// shards together (each file's row count matches its _SUCCESS marker, row ids stay inside the
// shard's planned range, no row id twice), writes the whole score table as PLAN/merged/scores.parquet
// (temp name + rename) and imports the K highest scores into the workspace as scores of the plan's
// model, under a 'shard-merge' job whose params and result carry the provenance (plan id, model,
// shards). Missing or failed shards stop the merge, named, unless allowPartial.
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../../src-core/errors';
import { Repo } from '../store/repo';
import { missingSourceIds } from '../store/shard-sources';
import { openWorkspace } from '../store/workspace';
import { openDuck, sqlFileList, sqlString, type Duck } from './duckdb';
import { readPlan, shardFiles, writeJsonAtomic } from './plan-read';
import { planStatus } from './shard-status';
import { formatArrayList } from '../../src-core/cluster/array-list';
import { importFolderItems, planItemsByRow } from './import-folder';
import { importCatalogRows } from './import-catalog';

export interface MergeOptions {
  top: number;
  minScore?: number;
  workspace?: string;
  allowPartial?: boolean;
  memoryLimit?: string;
  log?: (text: string) => void;
}

export interface MergeResult {
  planId: string;
  model: string;
  shards: number[];
  missingShards: number[];
  rows: number;
  merged: string;
  imported: number;
  workspace: string | null;
  jobId: number | null;
  seconds: { check: number; write: number; top: number };
}

export interface FileStats {
  file: string;
  rows: number;
  lo: number | null;
  hi: number | null;
  versions: number;
  version: string | null;
}

/** Row count, row-id range and model versions of each Parquet file (one DuckDB scan). */
export async function parquetFileStats(duck: Duck, files: string[]): Promise<FileStats[]> {
  const src = `read_parquet(${sqlFileList(files)}, filename = true)`;
  const per = (await duck.conn.runAndReadAll(`SELECT filename, count(*)::BIGINT AS n, min(row_id) AS lo, max(row_id) AS hi, count(DISTINCT model_version)::BIGINT AS nv, any_value(model_version) AS v FROM ${src} GROUP BY filename`)).getRowObjects();
  return files.map((file) => {
    const r = per.find((p) => String(p.filename) === file);
    return r
      ? { file, rows: Number(r.n), lo: Number(r.lo), hi: Number(r.hi), versions: Number(r.nv), version: String(r.v) }
      : { file, rows: 0, lo: null, hi: null, versions: 0, version: null };
  });
}

/** Up to 10 row ids that occur more than once across the files (DuckDB hash aggregate; spills past memory_limit). */
export async function duplicateRowIds(duck: Duck, files: string[]): Promise<{ row: number; count: number }[]> {
  const rows = (await duck.conn.runAndReadAll(`SELECT row_id, count(*)::BIGINT AS c FROM read_parquet(${sqlFileList(files)}) GROUP BY row_id HAVING count(*) > 1 ORDER BY row_id LIMIT 10`)).getRowObjects();
  return rows.map((d) => ({ row: Number(d.row_id), count: Number(d.c) }));
}

/** Writes the files as one Parquet file (temp name, then rename), with key/value metadata. */
export async function writeMergedParquet(duck: Duck, files: string[], merged: string, meta: Record<string, string>): Promise<void> {
  const tmp = `${merged}.tmp`;
  rmSync(tmp, { force: true });
  const kv = `{${Object.entries(meta).map(([k, v]) => `${k}: ${sqlString(v)}`).join(', ')}}`;
  await duck.conn.run(`COPY (SELECT row_id, source_id, ra, dec, score, model_version FROM read_parquet(${sqlFileList(files)})) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd, KV_METADATA ${kv})`);
  renameSync(tmp, merged);
}

/** The K highest scores (ties by row id), optionally ≥ minScore: DuckDB's top-N keeps only K rows in memory. */
export async function topScores(duck: Duck, parquet: string, k: number, minScore?: number): Promise<{ sourceId: number; probability: number }[]> {
  if (k <= 0) return [];
  const where = minScore !== undefined ? `WHERE score >= ${Number(minScore)}` : '';
  return (await duck.conn.runAndReadAll(`SELECT row_id, score FROM read_parquet(${sqlString(parquet)}) ${where} ORDER BY score DESC, row_id LIMIT ${Math.floor(k)}`)).getRowObjects()
    .map((r) => ({ sourceId: Number(r.row_id), probability: Number(r.score) }));
}

export async function mergePlan(planDir: string, opts: MergeOptions): Promise<MergeResult> {
  const dir = resolve(planDir);
  const plan = readPlan(dir);
  const st = planStatus(dir);
  const notDone = [...st.failed, ...st.missing, ...st.running].sort((a, b) => a - b);
  if (notDone.length && !opts.allowPartial) {
    throw new InputError('SHARDS_MISSING', `plan ${plan.planId}: shards not finished: ${formatArrayList(notDone)} (failed ${formatArrayList(st.failed) || 'none'}, missing ${formatArrayList(st.missing) || 'none'}, running ${formatArrayList(st.running) || 'none'}); run them (lensdesk shard status ${planDir}) or pass --allow-partial`, { path: dir });
  }
  if (!st.done.length) throw new InputError('NO_SHARDS_DONE', `plan ${plan.planId}: no shard is finished`, { path: dir });
  const files = st.done.map((i) => shardFiles(dir, i).parquet);
  const mergedDir = join(dir, 'merged');
  mkdirSync(mergedDir, { recursive: true });
  const tmpDir = join(mergedDir, '.duckdb-tmp');
  const duck = await openDuck(':memory:', opts.memoryLimit ?? '1GB', tmpDir);
  const model = `${plan.model.name} ${plan.model.version}`;
  try {
    const t0 = performance.now();
    const stats = await parquetFileStats(duck, files);
    let rows = 0;
    for (const [k, i] of st.done.entries()) {
      const r = stats[k]!;
      // planStatus already validated each marker against its Parquet's sha256: reuse its row count.
      const want = st.detail.find((d) => d.index === i)!;
      if (r.rows !== want.rows) throw new InputError('SHARD_ROWS', `${r.file} has ${r.rows} rows, its _SUCCESS marker says ${want.rows}`, { path: r.file });
      const s = plan.shards[i]!;
      if (r.rows && (s.firstRow === null || r.lo! < s.firstRow || r.hi! > s.lastRow!)) {
        throw new InputError('SHARD_RANGE', `${r.file} has row ids ${r.lo}-${r.hi} outside shard ${i}'s planned ${s.firstRow}-${s.lastRow}`, { path: r.file });
      }
      if (r.rows && (r.versions !== 1 || r.version !== plan.model.version)) throw new InputError('SHARD_MODEL', `${r.file} was scored by model version ${r.version}, the plan's is ${plan.model.version}`, { path: r.file });
      rows += r.rows;
    }
    const dups = await duplicateRowIds(duck, files);
    if (dups.length) throw new InputError('DUPLICATE_ROWS', `row ids scored more than once: ${dups.map((d) => `${d.row}×${d.count}`).join(', ')}`, { path: dir });
    const t1 = performance.now();
    const merged = join(mergedDir, 'scores.parquet');
    await writeMergedParquet(duck, files, merged, { plan_id: plan.planId, model, shards: formatArrayList(st.done) });
    const t2 = performance.now();
    const top = await topScores(duck, merged, opts.top, opts.minScore);
    const t3 = performance.now();
    const provenance = { planId: plan.planId, plan: dir, model, modelSha256: plan.model.sha256, shards: formatArrayList(st.done), missingShards: formatArrayList(notDone), rows, merged, top: opts.top, minScore: opts.minScore ?? null };
    let jobId: number | null = null;
    let wsDir: string | null = null;
    if (top.length) {
      // A folder or catalog plan's cutouts join the given (or default) workspace; a workspace plan's go back to it.
      const ws = openWorkspace(opts.workspace ?? (plan.source.kind === 'workspace' ? plan.source.path : undefined));
      wsDir = ws.dir;
      try {
        if (plan.source.kind === 'catalog') {
          const ids = await importCatalogRows(ws, plan, top.map((t) => t.sourceId));
          for (const t of top) t.sourceId = ids.get(t.sourceId) ?? -1;
        } else if (plan.source.kind === 'folder') {
          const items = await planItemsByRow(dir, plan, top.map((t) => t.sourceId));
          const lost = top.filter((t) => !items.has(t.sourceId)).map((t) => t.sourceId);
          if (lost.length) throw new InputError('PLAN_ROWS_MISSING', `rows ${lost.slice(0, 10).join(', ')} of the merged table are in no shard list of plan ${plan.planId}`, { path: dir });
          const ids = importFolderItems(ws, plan, top.map((t) => items.get(t.sourceId)!));
          for (const t of top) t.sourceId = ids.get(t.sourceId)!;
        }
        const missing = missingSourceIds(ws.db, top.map((t) => t.sourceId));
        if (missing.length) throw new InputError('NOT_IN_WORKSPACE', `workspace ${ws.dir} has no sources ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ' …' : ''}: merge into the workspace the plan was made from (${plan.source.path})`, { path: ws.dir });
        const repo = new Repo(ws.db);
        const m = plan.model;
        const modelId = repo.ensureModel(m.name, m.version, m.kind, m.path ? join(dir, m.path) : null, m.card);
        const job = repo.createJob('shard-merge', provenance);
        repo.writeScores(modelId, job.id, top);
        repo.setSetting('active_model_id', String(modelId));
        repo.updateJob(job.id, { state: 'done', progress: top.length, total: top.length, message: `imported top ${top.length} of ${rows} from plan ${plan.planId}`, result: { ...provenance, imported: top.length, modelId } });
        jobId = job.id;
      } finally {
        ws.close();
      }
    }
    const result: MergeResult = {
      planId: plan.planId, model, shards: st.done, missingShards: notDone, rows, merged, imported: top.length, workspace: wsDir, jobId,
      seconds: { check: (t1 - t0) / 1000, write: (t2 - t1) / 1000, top: (t3 - t2) / 1000 },
    };
    writeJsonAtomic(join(mergedDir, 'merge.json'), { ...provenance, ...result, mergedBytes: statSync(merged).size, at: new Date().toISOString() });
    return result;
  } finally {
    duck.close();
    rmSync(tmpDir, { recursive: true, force: true });
  }
}
