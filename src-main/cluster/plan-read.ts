// Reading a shard plan back (validated against src-core/cluster/plan-schema.ts), the file names of
// one shard's outputs, and streaming a shard's item list line by line (bounded memory).
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../stamps/stamp-file';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { planItemSchema, planSchema, type PlanItem, type ShardPlan } from '../../src-core/cluster/plan-schema';
import { InputError } from '../../src-core/errors';

export function readPlan(planDir: string): ShardPlan {
  const file = join(resolve(planDir), 'plan.json');
  if (!existsSync(file)) throw new InputError('NO_PLAN', `${file} not found: make one with lensdesk shard plan WORKSPACE --shards N --out PLAN`, { path: file });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError('BAD_PLAN', `${file} is not JSON: ${(e as Error).message}`, { path: file });
  }
  const r = planSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new InputError('BAD_PLAN', `${file}: field ${issue.path.join('.') || '(root)'}: ${issue.message}`, { path: file, field: issue.path.join('.') });
  }
  return r.data;
}

/** Everything one shard writes under PLAN/out/. */
export function shardFiles(planDir: string, i: number) {
  const out = join(resolve(planDir), 'out');
  return {
    out,
    parquet: join(out, `shard-${i}.parquet`),
    success: join(out, `shard-${i}._SUCCESS`),
    log: join(out, `shard-${i}.log`),
    /** Temporary: the appender's DuckDB database (and its WAL) and the Parquet file before the rename. */
    tmpDb: join(out, `shard-${i}.tmp.duckdb`),
    tmpWal: join(out, `shard-${i}.tmp.duckdb.wal`),
    tmpParquet: join(out, `shard-${i}.parquet.tmp`),
  };
}

/** Writes JSON to a temp file, fsyncs and renames, so readers see the old file or the whole new one. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, Buffer.from(JSON.stringify(value, null, 2) + '\n'));
}

/** The items of one shard, one parsed line at a time; a bad line is named by file and line number. */
export async function* readShardItems(planDir: string, file: string): AsyncGenerator<PlanItem> {
  const path = join(resolve(planDir), file);
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (!text.trim()) continue;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new InputError('BAD_PLAN_ITEM', `${path} line ${line}: not JSON`, { path, row: line });
    }
    const r = planItemSchema.safeParse(v);
    if (!r.success) throw new InputError('BAD_PLAN_ITEM', `${path} line ${line}: field ${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`, { path, row: line });
    yield r.data;
  }
}
