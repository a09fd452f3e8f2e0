// A JobContext for running one job kind's `run` directly in a test (no manager, no worker): progress
// messages are collected, and `cancelled` makes every checkCancelled() throw as a user's cancel does.
import { CancelledError } from '../src-core/errors';
import type { JobContext } from '../src-main/jobs/types';
import type { Repo } from '../src-main/store/repo';

export function jobContext<P>(repo: Repo, workspaceDir: string, params: P, cancelled = false): JobContext<P> & { messages: string[] } {
  const messages: string[] = [];
  return {
    jobId: null as unknown as number, params, repo, workspaceDir, messages,
    progress: (_d, _n, m) => void messages.push(m ?? ''),
    cancelled: () => cancelled,
    checkCancelled: () => { if (cancelled) throw new CancelledError('cancelled'); },
  };
}
