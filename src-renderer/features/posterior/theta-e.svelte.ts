// θE summaries for the sources the grid shows (posteriors.thetaE), cached by source id; refreshed when a
// 'fit' job finishes. Use: `thetaE.load(rows.map((r) => r.sourceId))`, then `thetaE.get(id)` in a cell.
import type { PosteriorThetaE } from '../../../src-core/api/contract';
import { api } from '../../lib/api';
import { jobs } from '../../state/jobs.svelte';

class ThetaEStore {
  byId = $state<Record<number, PosteriorThetaE>>({});
  private last: number[] = [];

  constructor() {
    jobs.onUpdate((j) => {
      if (j.kind === 'fit' && (j.state === 'done' || j.state === 'running')) void this.load(this.last);
    });
  }

  async load(ids: number[]): Promise<void> {
    this.last = ids.slice(0, 1000);
    if (!this.last.length) return;
    const rows = await api.call('posteriors.thetaE', { sourceIds: this.last });
    const next = { ...this.byId };
    for (const r of rows) next[r.sourceId] = r;
    this.byId = next;
  }

  get(id: number): PosteriorThetaE | undefined {
    return this.byId[id];
  }
}

export const thetaE = new ThetaEStore();
