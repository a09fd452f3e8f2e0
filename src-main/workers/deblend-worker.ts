// Worker thread for DeblendPool: runs the pure deblender (src-core/deblend/solver) on one stamp and
// posts the result back (structured clone: copied, see deblend-pool.ts).
import { parentPort } from 'node:worker_threads';
import { serializeError } from '../../src-core/errors';
import { deblend } from '../../src-core/deblend/solver';
import { candidatePositions } from '../../src-core/deblend/candidate';
import type { DeblendTask, DeblendWorkerReply } from './deblend-pool';

parentPort!.on('message', ({ id, task }: { id: number; task: DeblendTask }) => {
  try {
    const positions = task.positions ?? (task.candidatePositions ? candidatePositions(task.images, task.rows, task.cols, { variance: task.variance }) : undefined);
    const result = deblend({ ...task, positions, constraints: new Set(task.constraints) });
    parentPort!.postMessage({ type: 'done', id, result } satisfies DeblendWorkerReply);
  } catch (e) {
    parentPort!.postMessage({ type: 'error', id, error: serializeError(e) } satisfies DeblendWorkerReply);
  }
});
