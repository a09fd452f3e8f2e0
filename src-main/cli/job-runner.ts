// Runs one job from the CLI with the same job system as the app: a worker thread, a progress line
// on stderr, Ctrl-C cancels cleanly (work done so far is kept; `lensdesk jobs resume ID` goes on).
import type { JobInfo } from '../../src-core/api/contract';
import { LensDeskError } from '../../src-core/errors';
import { JobManager } from '../jobs/manager';
import { Repo } from '../store/repo';
import { openWorkspace } from '../store/workspace';
import type { CliIO } from './command';

export const WORKSPACE_HELP = '  --workspace DIR   workspace folder (default: $LENSDESK_WORKSPACE or the user data directory)';

export async function runJobCli(
  io: CliIO,
  workspace: string | undefined,
  start: (jm: JobManager) => JobInfo,
  json = false,
): Promise<number> {
  const ws = openWorkspace(workspace);
  const repo = new Repo(ws.db);
  const jm = new JobManager(repo, ws.dir);
  try {
    jm.recover();
    const job = start(jm);
    io.err(`job #${job.id} ${job.kind} started (workspace ${ws.dir})`);
    jm.on('update', (j: JobInfo) => {
      if (j.id === job.id && j.state === 'running' && j.total > 0) io.progress(j.progress, j.total, `#${j.id} ${j.kind}`);
    });
    const onAbort = () => jm.cancel(job.id);
    io.signal.addEventListener('abort', onAbort);
    const final = await jm.wait(job.id);
    io.signal.removeEventListener('abort', onAbort);
    if (final.state === 'done') {
      io.out(json ? JSON.stringify({ job: final.id, ...final.result }, null, 2) : summarise(final));
      return 0;
    }
    if (final.state === 'cancelled') {
      io.err(`job #${final.id} cancelled; resume with: lensdesk jobs resume ${final.id}`);
      return 130;
    }
    io.err(`job #${final.id} ${final.state}: ${final.error?.message ?? final.message}`);
    return 2;
  } catch (e) {
    if (e instanceof LensDeskError) throw e;
    throw e;
  } finally {
    await jm.shutdown();
    ws.close();
  }
}

function summarise(j: JobInfo): string {
  const r = j.result ?? {};
  const head = `job #${j.id} ${j.kind} done: ` + Object.entries(r)
    .filter(([, v]) => typeof v !== 'object')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  // Name every file a job could not take and why (ingest: unreadable files, links, FIFOs).
  const lines = [head];
  const list = (key: string, label: string, why: (e: Record<string, unknown>) => unknown) => {
    const items = Array.isArray(r[key]) ? (r[key] as Record<string, unknown>[]) : [];
    for (const e of items) lines.push(`  ${label} ${e.file !== undefined ? String(e.file) : `source ${String(e.sourceId)}`}: ${String(why(e))}`);
  };
  list('failures', 'failed ', (e) => e.error);
  list('skippedFiles', 'skipped', (e) => e.reason);
  const more = (Number(r.failed ?? 0) - ((r.failures as unknown[] | undefined)?.length ?? 0)) +
    (Number(r.notIngested ?? 0) - ((r.skippedFiles as unknown[] | undefined)?.length ?? 0));
  if (more > 0) lines.push(`  … and ${more} more`);
  return lines.join('\n');
}
