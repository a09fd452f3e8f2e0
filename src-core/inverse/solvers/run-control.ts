// Stopping, progress and cancellation shared by the solvers (same shape as src-core/infer's samplers:
// a `signal` polled between steps; cancellation throws CancelledError, never a partial result).
import { CancelledError } from '../../errors';

export interface RunControl {
  signal?: { aborted: boolean };
  /** Called after each level (samplers) or iteration (optimisers): done out of total. */
  onProgress?: (done: number, total: number) => void;
}

export function checkCancelled(signal: { aborted: boolean } | undefined, what: string, at: number): void {
  if (signal?.aborted) throw new CancelledError(`${what} cancelled at ${at}`);
}
