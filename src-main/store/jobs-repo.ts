// The jobs table: background work (ingest, score, export, …) with its state and progress, so a
// job survives a restart and an interrupted one can be resumed.
import type Database from 'better-sqlite3';
import type { JobInfo, JobState } from '../../src-core/api/contract';
import { NotFoundError } from '../../src-core/errors';
import { json, type Row } from './rows';

type Db = Database.Database;

/** The columns a job update may set (undefined ones are left alone). */
export type JobUpdate = Partial<{
  state: JobState;
  progress: number;
  total: number;
  message: string;
  error: object | null;
  result: object | null;
  pid: number | null;
}>;

function jobInfo(r: Row): JobInfo {
  return {
    id: r.id as number,
    kind: String(r.kind),
    params: json(r.params, {}),
    state: r.state as JobState,
    progress: r.progress as number,
    total: r.total as number,
    message: String(r.message ?? ''),
    error: json(r.error, null),
    result: json(r.result, null),
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
  };
}

export function createJob(db: Db, kind: string, params: object): JobInfo {
  const r = db.prepare('INSERT INTO jobs(kind, params) VALUES (?, ?)').run(kind, JSON.stringify(params));
  return getJob(db, Number(r.lastInsertRowid));
}

export function getJob(db: Db, id: number): JobInfo {
  const r = db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
  if (!r) throw new NotFoundError('NO_JOB', `no job with id ${id}`, { jobId: id });
  return jobInfo(r);
}

export function listJobs(db: Db, limit = 50): JobInfo[] {
  return (db.prepare('SELECT * FROM jobs ORDER BY id DESC LIMIT ?').all(limit) as Row[]).map(jobInfo);
}

export function updateJob(db: Db, id: number, u: JobUpdate): JobInfo {
  const sets: string[] = ["updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')"];
  const args: unknown[] = [];
  // Keys are the fixed JobUpdate column names (typed), never user input, so they may go into the SQL.
  for (const [k, v] of Object.entries(u)) {
    if (v === undefined) continue;
    sets.push(`${k} = ?`);
    args.push(k === 'error' || k === 'result' ? (v === null ? null : JSON.stringify(v)) : v);
  }
  db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
  return getJob(db, id);
}

/** Jobs left 'running' or 'queued' by a process that died: mark them interrupted (resumable). */
export function markOrphanedJobs(db: Db, isAlive: (pid: number) => boolean): JobInfo[] {
  const rows = db.prepare("SELECT * FROM jobs WHERE state IN ('running','queued')").all() as Row[];
  const out: JobInfo[] = [];
  for (const r of rows) {
    const pid = r.pid as number | null;
    if (pid && pid !== process.pid && isAlive(pid)) continue;
    out.push(updateJob(db, r.id as number, { state: 'interrupted', message: 'interrupted (process ended); resumable' }));
  }
  return out;
}
