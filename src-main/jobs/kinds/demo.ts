// Demo job: on first start LensDesk makes a small simulated survey in the workspace (LSST-like
// g,r,i,z 45×45 stamps, a quarter of them lenses, the rest hard negatives) with the project's own
// simulator, then scores it, so there is something real to review with no download.
import type { JobKind } from '../types';
import { runScore } from './score';
import { prepareSimulate, simulateIntoWorkspace, type SimulateParams } from './simulate';

export const demoKind: JobKind<SimulateParams> = {
  kind: 'demo',
  prepare: (p) => prepareSimulate(p, { name: 'Demo survey (simulated)', count: 240 }),
  async run(ctx) {
    const p = ctx.params;
    const { catalogId } = await simulateIntoWorkspace(ctx, p, p.count * 2); // simulate, then score
    const scored = await runScore({ ...ctx, params: { catalogId } }, p.count, 1);
    return { catalogId, sources: p.count, ...scored };
  },
};
