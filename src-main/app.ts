// Opening the app on a workspace, shared by the Electron main process, browser mode and the CLI:
// open (and migrate) the database, recover jobs a crash left behind, and make the demo survey on
// first start so there is something real to review with no download.
import { Backend, type BackendOptions } from './api/backend';
import { workspaceDiskError } from './store/disk-error';
import { openWorkspace } from './store/workspace';

export interface OpenAppOptions extends BackendOptions {
  workspace?: string;
  /** Create the demo survey when the workspace has no sources (default true for the app). */
  demo?: boolean;
  demoCount?: number;
}

export function openApp(o: OpenAppOptions): Backend {
  const ws = openWorkspace(o.workspace);
  try {
    return startBackend(ws, o);
  } catch (e) {
    // Start-up writes (reviewer, job recovery) on a still-full disk: say so, not "internal error".
    ws.close();
    throw workspaceDiskError(e, ws.dir, ws.dbPath) ?? e;
  }
}

function startBackend(ws: ReturnType<typeof openWorkspace>, o: OpenAppOptions): Backend {
  const backend = new Backend(ws, o);
  const orphans = backend.jobs.recover();
  // Resume what a crash interrupted: kinds are idempotent, so this never duplicates rows.
  for (const j of orphans) backend.jobs.resume(j.id);
  if (o.demo !== false && backend.repo.countSources() === 0 && !orphans.some((j) => j.kind === 'demo')) {
    const running = backend.repo.listJobs(20).some((j) => j.kind === 'demo' && ['queued', 'running'].includes(j.state));
    if (!running) backend.jobs.start('demo', { count: o.demoCount ?? 240 });
  }
  return backend;
}
