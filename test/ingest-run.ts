// Runs the folder-ingest job kind in-process as its worker would (no cancellation), for tests.
import { ingestKind, type IngestParams } from '../src-main/jobs/kinds/ingest';
import type { JobContext } from '../src-main/jobs/types';
import { Repo } from '../src-main/store/repo';
import type { Workspace } from '../src-main/store/workspace';

export async function runIngest(ws: Workspace, p: Record<string, unknown>): Promise<Record<string, unknown>> {
  const ctx: JobContext<IngestParams> = {
    jobId: 1, params: ingestKind.prepare(p, ws.dir), repo: new Repo(ws.db), workspaceDir: ws.dir,
    progress() {}, cancelled: () => false, checkCancelled() {},
  };
  return ingestKind.run(ctx);
}
