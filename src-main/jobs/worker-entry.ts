// Worker-thread entry: opens its own connection to the workspace database (WAL allows a reader
// and writers side by side), runs one job kind and reports to the manager.
import { parentPort, workerData } from 'node:worker_threads';
import { CancelledError, serializeError } from '../../src-core/errors';
import { jobDiskError } from '../store/disk-error';
import { Repo } from '../store/repo';
import { openWorkspace, type Workspace } from '../store/workspace';
import { jobKinds } from './registry';
import type { JobContext, JobKind, WorkerMessage } from './types';

interface Data {
  jobId: number;
  kind: string;
  params: Record<string, unknown>;
  workspaceDir: string;
}

const data = workerData as Data;
let cancelled = false;
parentPort!.on('message', (m: { type: string }) => {
  if (m?.type === 'cancel') cancelled = true;
});
const post = (m: WorkerMessage) => parentPort!.postMessage(m);

async function runJob(): Promise<void> {
  let ws: Workspace | undefined;
  try {
    ws = openWorkspace(data.workspaceDir);
    const kind = jobKinds[data.kind];
    if (!kind) throw new Error(`unknown job kind ${data.kind}`);
    let last = 0;
    const ctx: JobContext = {
      jobId: data.jobId,
      params: data.params,
      repo: new Repo(ws.db),
      workspaceDir: ws.dir,
      progress(done, total, message = '') {
        const now = Date.now();
        if (now - last < 100 && done < total) return; // at most 10 updates per second
        last = now;
        post({ type: 'progress', done, total, message });
      },
      cancelled: () => cancelled,
      checkCancelled() {
        if (cancelled) throw new CancelledError(`job ${data.jobId} cancelled`);
      },
    };
    const result = await (kind as unknown as JobKind).run(ctx);
    post({ type: 'done', result });
  } catch (e) {
    const disk = jobDiskError(e, ws?.dbPath ?? null, data.workspaceDir);
    post({ type: 'error', error: serializeError(disk ?? e) as never });
  } finally {
    try {
      ws?.close();
    } catch {
      /* closing after a disk error may fail again; the transactions are already rolled back */
    }
  }
}

void runJob();
