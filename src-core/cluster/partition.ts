// Splitting a plan's items into shards. Items are sorted by row id first, so the same input always
// gives the same plan (determinism), then cut into contiguous runs whose sizes differ by at most one
// (balance by cutout count: every cutout costs the same network forward pass). Contiguous runs keep
// each shard's rows one id range, so a merge can check coverage by ranges, not by sets.
import { InputError } from '../errors';

export interface ShardRange {
  index: number;
  /** Offsets into the sorted item list: [start, end). */
  start: number;
  end: number;
}

/** N contiguous ranges over n items; the first n mod N shards get one more item. */
export function partitionBalanced(n: number, shards: number): ShardRange[] {
  if (!Number.isInteger(shards) || shards < 1) throw new InputError('BAD_SHARDS', `--shards must be a positive integer (got ${shards})`, { field: 'shards' });
  if (!Number.isInteger(n) || n < 0) throw new InputError('BAD_ITEMS', `item count must be a non-negative integer (got ${n})`, { field: 'items' });
  const base = Math.floor(n / shards);
  const extra = n % shards;
  const out: ShardRange[] = [];
  let start = 0;
  for (let i = 0; i < shards; i++) {
    const size = base + (i < extra ? 1 : 0);
    out.push({ index: i, start, end: start + size });
    start += size;
  }
  return out;
}

/** Shard index from the CLI flag or, when absent, the array-job environment (Slurm, then Kubernetes). */
export function shardIndexFrom(flag: string | undefined, env: Record<string, string | undefined>, nShards: number): number {
  const text = flag ?? env.SLURM_ARRAY_TASK_ID ?? env.JOB_COMPLETION_INDEX;
  const from = flag !== undefined ? '--shard' : env.SLURM_ARRAY_TASK_ID !== undefined ? 'SLURM_ARRAY_TASK_ID' : 'JOB_COMPLETION_INDEX';
  if (text === undefined) throw new InputError('NO_SHARD', 'no shard given: pass --shard I or run as an array task (SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX)', { field: 'shard' });
  if (!/^\d+$/.test(text.trim())) throw new InputError('BAD_SHARD', `${from}='${text}' is not a shard index`, { field: from });
  const i = Number(text.trim());
  if (i >= nShards) throw new InputError('BAD_SHARD', `${from}=${i} but the plan has shards 0-${nShards - 1}`, { field: from });
  return i;
}
