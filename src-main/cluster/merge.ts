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
import { openDuck, sqlFileList, sqlString } from './duckdb';
import { readPlan, shardFiles, writeJsonAtomic } from './plan-read';
import { validSuccess } from './shard-score';
import { planStatus } from './shard-status';
import { formatArrayList } from '../../src-core/cluster/array-list';

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
    const src = `read_parquet(${sqlFileList(files)}, filename = true)`;
    // Per file: row count and the row-id range, against the marker and the plan.
    const per = (await duck.conn.runAndReadAll(`SELECT filename, count(*)::BIGINT AS n, min(row_id) AS lo, max(row_id) AS hi, count(DISTINCT model_version)::BIGINT AS nv, any_value(model_version) AS v FROM ${src} GROUP BY filename`)).getRowObjects();
    let rows = 0;
    for (const i of st.done) {
      const file = shardFiles(dir, i).parquet;
      const r = per.find((p) => String(p.filename) === file);
      const want = validSuccess(dir, plan, i)!;
      const n = r ? Number(r.n) : 0;
      if (n !== want.rows) throw new InputError('SHARD_ROWS', `${file} has ${n} rows, its _SUCCESS marker says ${want.rows}`, { path: file });
      const s = plan.shards[i]!;
      if (r && n && (s.firstRow === null || Number(r.lo) < s.firstRow || Number(r.hi) > s.lastRow!)) {
        throw new InputError('SHARD_RANGE', `${file} has row ids ${String(r.lo)}-${String(r.hi)} outside shard ${i}'s planned ${s.firstRow}-${s.lastRow}`, { path: file });
      }
      if (r && n && (Number(r.nv) !== 1 || String(r.v) !== plan.model.version)) throw new InputError('SHARD_MODEL', `${file} was scored by model version ${String(r.v)}, the plan's is ${plan.model.version}`, { path: file });
      rows += n;
    }
    const dups = (await duck.conn.runAndReadAll(`SELECT row_id, count(*)::BIGINT AS c FROM ${src} GROUP BY row_id HAVING count(*) > 1 ORDER BY row_id LIMIT 10`)).getRowObjects();
    if (dups.length) throw new InputError('DUPLICATE_ROWS', `row ids scored more than once: ${dups.map((d) => `${String(d.row_id)}×${String(d.c)}`).join(', ')}`, { path: dir });
    const t1 = performance.now();
    const merged = join(mergedDir, 'scores.parquet');
    const tmp = `${merged}.tmp`;
    rmSync(tmp, { force: true });
    const meta = `{plan_id: ${sqlString(plan.planId)}, model: ${sqlString(model)}, shards: ${sqlString(formatArrayList(st.done))}}`;
    await duck.conn.run(`COPY (SELECT row_id, source_id, ra, dec, score, model_version FROM read_parquet(${sqlFileList(files)})) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd, KV_METADATA ${meta})`);
    renameSync(tmp, merged);
    const t2 = performance.now();
    const where = opts.minScore !== undefined ? `WHERE score >= ${Number(opts.minScore)}` : '';
    const top = opts.top > 0
      ? (await duck.conn.runAndReadAll(`SELECT row_id, score FROM read_parquet(${sqlString(merged)}) ${where} ORDER BY score DESC, row_id LIMIT ${Math.floor(opts.top)}`)).getRowObjects()
        .map((r) => ({ sourceId: Number(r.row_id), probability: Number(r.score) }))
      : [];
    const t3 = performance.now();
    const provenance = { planId: plan.planId, plan: dir, model, modelSha256: plan.model.sha256, shards: formatArrayList(st.done), missingShards: formatArrayList(notDone), rows, merged, top: opts.top, minScore: opts.minScore ?? null };
    let jobId: number | null = null;
    let wsDir: string | null = null;
    if (top.length) {
      const ws = openWorkspace(opts.workspace ?? plan.source.path);
      wsDir = ws.dir;
      try {
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
