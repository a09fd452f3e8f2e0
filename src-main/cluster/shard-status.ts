// `lensdesk shard status PLAN`: which shards are done (valid _SUCCESS marker and Parquet checksum),
// failed (temp files left by a killed run, a log whose last line says failed/cancelled, or a marker
// that does not match its Parquet) or missing (never started), and the command that resubmits only
// the unfinished ones (`sbatch --array=LIST`, list syntax from src-core/cluster/array-list.ts).
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { formatArrayList } from '../../src-core/cluster/array-list';
import type { ShardPlan } from '../../src-core/cluster/plan-schema';
import { readPlan, shardFiles } from './plan-read';
import { validSuccess } from './shard-score';

export type ShardState = 'done' | 'running' | 'failed' | 'missing';

export interface ShardStatus {
  index: number;
  state: ShardState;
  items: number;
  rows?: number;
  why?: string;
}

export interface PlanStatus {
  planId: string;
  plan: string;
  shards: number;
  done: number[];
  running: number[];
  failed: number[];
  missing: number[];
  detail: ShardStatus[];
  /** Shards to run again (failed + missing) in sbatch --array syntax; '' when none. */
  resubmit: string;
  commands: string[];
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lastLogLine(path: string): string {
  if (!existsSync(path)) return '';
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

export function shardStatus(planDir: string, plan: ShardPlan, i: number, items: number): ShardStatus {
  const f = shardFiles(planDir, i);
  const ok = validSuccess(planDir, plan, i);
  if (ok) return { index: i, state: 'done', items, rows: ok.rows };
  const last = lastLogLine(f.log);
  const temp = [f.tmpDb, f.tmpWal, f.tmpParquet].some(existsSync);
  const m = / start host=(\S+) pid=(\d+)$/.exec(last);
  if (m && m[1] === hostname() && pidAlive(Number(m[2]))) return { index: i, state: 'running', items, why: `pid ${m[2]} on this host` };
  if (existsSync(f.success)) return { index: i, state: 'failed', items, why: '_SUCCESS marker does not match the Parquet file (checksum/size/plan id)' };
  if (/ (failed|cancelled): /.test(last)) return { index: i, state: 'failed', items, why: last.replace(/^\S+ /, '') };
  if (temp) return { index: i, state: 'failed', items, why: m ? `killed (temp files left; started on ${m[1]} pid ${m[2]}, or still running there)` : 'killed (temp files left)' };
  if (m) return { index: i, state: 'failed', items, why: `started on ${m[1]} pid ${m[2]} and never finished` };
  return { index: i, state: 'missing', items };
}

export function planStatus(planDir: string): PlanStatus {
  const plan = readPlan(planDir);
  const detail = plan.shards.map((s) => shardStatus(planDir, plan, s.index, s.items));
  const pick = (st: ShardState) => detail.filter((d) => d.state === st).map((d) => d.index);
  const failed = pick('failed');
  const missing = pick('missing');
  const resubmit = formatArrayList([...failed, ...missing]);
  // Slurm: the generated array script (lensdesk cluster slurm PLAN writes PLAN/slurm.sh); anywhere else,
  // one `lensdesk score` per listed shard.
  const commands = resubmit ? [`sbatch --array=${resubmit} ${join(planDir, 'slurm.sh')}`, `lensdesk score --plan ${planDir} --shard I   # for each I in ${resubmit}`] : [];
  return { planId: plan.planId, plan: planDir, shards: plan.shards.length, done: pick('done'), running: pick('running'), failed, missing, detail, resubmit, commands };
}
