// `lensdesk score --plan PLAN --shard I`: scores one shard of a plan on whatever machine runs it, with
// the scorer `lensdesk score` uses (loadScorer: onnxruntime/tfjs/placeholder as available). Rows go
// through a DuckDB appender into an on-disk temp database (memory stays bounded by one batch plus
// DuckDB's memory_limit, whatever the shard size), then DuckDB writes PLAN/out/shard-I.parquet.tmp,
// which is renamed into place; the _SUCCESS marker (with the Parquet's sha256) is written last, so
// its presence means complete. A rerun skips a shard whose marker and checksum agree and otherwise
// deletes the leftovers of a killed run and starts that shard again (a shard is the unit of retry,
// as a Slurm array task is).
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { ShardPlan } from '../../src-core/cluster/plan-schema';
import { CancelledError, InputError } from '../../src-core/errors';
import type { Stamp } from '../../src-core/stamps/stamp';
import { loadScorer, type Scorer } from '../scoring/scorer';
import { readStampFile } from '../stamps/stamp-file';
import { folderSha256, folderSums, sha256File } from './checksum';
import { openDuck, SCORE_TABLE_DDL, sqlString } from './duckdb';
import { CubeReader } from './cube-reader';
import { catalogRows, checkCatalogInputs, type ShardRow } from './catalog-plan';
import { readPlan, readShardItems, shardFiles, writeJsonAtomic } from './plan-read';

export interface ShardSuccess {
  planId: string;
  shard: number;
  rows: number;
  failed: number;
  failures: { row: number; path: string; error: string }[];
  parquetBytes: number;
  parquetSha256: string;
  model: string;
  runtime: string;
  host: string;
  startedAt: string;
  finishedAt: string;
}

export interface ShardScoreOptions {
  signal?: AbortSignal;
  progress?: (done: number, total: number, label: string) => void;
  log?: (text: string) => void;
  /** DuckDB memory ceiling for the shard writer. */
  memoryLimit?: string;
}

const MAX_LISTED_FAILURES = 100;

/** The success marker of shard i when it is valid (plan id matches, Parquet present with its checksum); else null. */
export function validSuccess(planDir: string, plan: ShardPlan, i: number): ShardSuccess | null {
  const f = shardFiles(planDir, i);
  if (!existsSync(f.success) || !existsSync(f.parquet)) return null;
  try {
    const s = JSON.parse(readFileSync(f.success, 'utf8')) as ShardSuccess;
    if (s.planId !== plan.planId || s.shard !== i) return null;
    if (statSync(f.parquet).size !== s.parquetBytes || sha256File(f.parquet) !== s.parquetSha256) return null;
    return s;
  } catch {
    return null;
  }
}

function removeLeftovers(f: ReturnType<typeof shardFiles>): void {
  for (const p of [f.tmpDb, f.tmpWal, f.tmpParquet, f.success, f.parquet]) rmSync(p, { force: true });
}

async function loadPlanScorer(planDir: string, plan: ShardPlan): Promise<Scorer> {
  const m = plan.model;
  if (m.kind === 'placeholder' || !m.path) return loadScorer({ placeholder: true });
  const dir = join(resolve(planDir), m.path);
  const sum = existsSync(dir) ? folderSha256(folderSums(dir)) : null;
  if (sum !== m.sha256) throw new InputError('MODEL_CHECKSUM', `model copy ${dir} does not match the plan (sha256 ${sum ?? 'missing'}, plan says ${m.sha256})`, { path: dir });
  const scorer = await loadScorer({ modelPath: dir });
  if (scorer.model.name !== m.name || scorer.model.version !== m.version) {
    await scorer.dispose();
    throw new InputError('MODEL_MISMATCH', `${dir} loads as ${scorer.model.name} ${scorer.model.version}, the plan wants ${m.name} ${m.version}`, { path: dir });
  }
  return scorer;
}

export async function scoreShard(planDir: string, i: number, opts: ShardScoreOptions = {}): Promise<{ skipped: boolean } & ShardSuccess> {
  const plan = readPlan(planDir);
  const shard = plan.shards.find((s) => s.index === i);
  if (!shard) throw new InputError('BAD_SHARD', `plan ${plan.planId} has no shard ${i} (shards 0-${plan.shards.length - 1})`, { field: 'shard' });
  const f = shardFiles(planDir, i);
  const done = validSuccess(planDir, plan, i);
  if (done) return { skipped: true, ...done };
  removeLeftovers(f);
  const cat = plan.source.kind === 'catalog' ? plan.source.catalog : undefined;
  if (plan.source.kind === 'catalog' && !cat) throw new InputError('BAD_PLAN', `plan ${plan.planId}: source.kind is 'catalog' but source.catalog is missing`, { field: 'source.catalog' });
  if (cat) checkCatalogInputs(plan, cat);
  else {
    if (!shard.file || !shard.sha256) throw new InputError('BAD_PLAN', `plan ${plan.planId}: shard ${i} has no item list`, { field: `shards.${i}.file` });
    const listPath = join(resolve(planDir), shard.file);
    if (sha256File(listPath) !== shard.sha256) throw new InputError('PLAN_CHECKSUM', `${listPath} does not match its sha256 in plan.json`, { path: listPath });
  }

  const startedAt = new Date().toISOString();
  const logLine = (t: string) => appendFileSync(f.log, `${new Date().toISOString()} ${t}\n`);
  logLine(`start host=${hostname()} pid=${process.pid}`);
  let duck: Awaited<ReturnType<typeof openDuck>> | null = null;
  let scorer: Scorer | null = null;
  let closeSource = () => {};
  try {
    scorer = await loadPlanScorer(planDir, plan);
    duck = await openDuck(f.tmpDb, opts.memoryLimit ?? '256MB');
    await duck.conn.run(SCORE_TABLE_DDL);
    // Printed once the temp database exists: from here a kill leaves files that status reports as failed.
    opts.log?.(`shard ${i}: ${shard.items} cutouts with ${scorer.model.name} ${scorer.model.version} (${scorer.runtime})`);
    const app = await duck.conn.createAppender('scores');
    const version = scorer.model.version;
    let rows = 0;
    let seen = 0;
    const failures: ShardSuccess['failures'] = [];
    let failed = 0;
    const cubes = new CubeReader();
    const source = cat ? catalogRows(cat, shard.firstRow ?? 0, shard.lastRow ?? -1, opts.signal) : { rows: fileRows(planDir, shard.file!, cubes), close() {} };
    closeSource = () => {
      source.close();
      cubes.close();
    };
    const items = source.rows;
    for (;;) {
      if (opts.signal?.aborted) throw new CancelledError(`shard ${i} cancelled`);
      const batch: { row: number; id: string; ra: number | null; dec: number | null }[] = [];
      const stamps: Stamp[] = [];
      let end = false;
      while (stamps.length < scorer.batchSize) {
        const next = await items.next();
        if (next.done) {
          end = true;
          break;
        }
        const it = next.value;
        seen++;
        try {
          const stamp = it.load();
          stamps.push(stamp);
          // A folder plan leaves positions to the file (RA/DEC keywords or the WCS reference point).
          batch.push({ row: it.row, id: it.id, ra: it.ra ?? stamp.ra ?? null, dec: it.dec ?? stamp.dec ?? null });
        } catch (e) {
          failed++;
          if (failures.length < MAX_LISTED_FAILURES) failures.push({ row: it.row, path: it.path, error: (e as Error).message });
        }
      }
      if (stamps.length) {
        const p = await scorer.score(stamps);
        batch.forEach((b, k) => {
          app.appendBigInt(BigInt(b.row));
          app.appendVarchar(b.id);
          if (b.ra === null) app.appendNull();
          else app.appendDouble(b.ra);
          if (b.dec === null) app.appendNull();
          else app.appendDouble(b.dec);
          app.appendDouble(p[k]!);
          app.appendVarchar(version);
          app.endRow();
        });
        app.flushSync();
        rows += batch.length;
      }
      opts.progress?.(seen, shard.items, `shard ${i}`);
      if (end) break;
    }
    closeSource();
    app.closeSync();
    if (opts.signal?.aborted) throw new CancelledError(`shard ${i} cancelled`);
    const meta = `{plan_id: ${sqlString(plan.planId)}, shard: ${sqlString(String(i))}, model: ${sqlString(`${scorer.model.name} ${version}`)}}`;
    await duck.conn.run(`COPY scores TO ${sqlString(f.tmpParquet)} (FORMAT parquet, COMPRESSION zstd, KV_METADATA ${meta})`);
    duck.close();
    duck = null;
    renameSync(f.tmpParquet, f.parquet);
    const success: ShardSuccess = {
      planId: plan.planId, shard: i, rows, failed, failures,
      parquetBytes: statSync(f.parquet).size, parquetSha256: sha256File(f.parquet),
      model: `${scorer.model.name} ${version}`, runtime: scorer.runtime, host: hostname(), startedAt, finishedAt: new Date().toISOString(),
    };
    writeJsonAtomic(f.success, success);
    rmSync(f.tmpDb, { force: true });
    rmSync(f.tmpWal, { force: true });
    logLine(`done rows=${rows} failed=${failed}`);
    return { skipped: false, ...success };
  } catch (e) {
    try {
      duck?.close();
    } catch {
      /* closing after a failure: the original error is what the user needs */
    }
    duck = null;
    for (const p of [f.tmpDb, f.tmpWal, f.tmpParquet]) rmSync(p, { force: true });
    logLine(`${e instanceof CancelledError ? 'cancelled' : 'failed'}: ${(e as Error).message.replace(/\s+/g, ' ')}`);
    throw e;
  } finally {
    closeSource();
    await scorer?.dispose();
  }
}

/** A workspace or folder plan's item list as rows; `load` checks the file's sha256 (when planned) and reads the stamp. */
async function* fileRows(planDir: string, file: string, cubes: CubeReader): AsyncGenerator<ShardRow> {
  // Consecutive items often share a file (cutouts of one cube): hash it and open it once.
  let sumOf: { path: string; sum: string } | null = null;
  const checkedSum = (path: string) => (sumOf?.path === path ? sumOf.sum : (sumOf = { path, sum: sha256File(path) }).sum);
  for await (const it of readShardItems(planDir, file)) {
    yield {
      row: it.row, id: it.id, ra: it.ra, dec: it.dec, path: it.path,
      load: (): Stamp => {
        if (it.sha256 && checkedSum(it.path) !== it.sha256) throw new Error('file changed since the plan (sha256 differs)');
        return it.cutout === undefined ? readStampFile(it.path) : cubes.read(it.path, it.cutout);
      },
    };
  }
}
