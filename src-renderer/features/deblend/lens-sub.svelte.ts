// Lens-subtracted frames and blend scores for the sources the grid shows (deblend.grid), cached by source
// id; refreshed when a 'deblend' or 'blend-score' job progresses or finishes. The grid shows them instead of the stamp when the display
// option "lens-subtracted" is on (display.s.lensSub) and one exists.
import type { DeblendGridEntry } from '../../../src-core/api/contract';
import { api } from '../../lib/api';
import { jobs } from '../../state/jobs.svelte';

class LensSubStore {
  byId = $state<Record<number, DeblendGridEntry>>({});
  private last: number[] = [];

  constructor() {
    jobs.onUpdate((j) => {
      if ((j.kind === 'deblend' || j.kind === 'blend-score') && (j.state === 'done' || j.state === 'running')) void this.load(this.last);
    });
  }

  async load(ids: number[]): Promise<void> {
    this.last = ids.slice(0, 1000);
    if (!this.last.length) return;
    const rows = await api.call('deblend.grid', { sourceIds: this.last });
    const next = { ...this.byId };
    for (const r of rows) next[r.sourceId] = r;
    this.byId = next;
  }

  /** The lens-subtracted frame's image path, or null. */
  path(id: number): string | null {
    return this.byId[id]?.lensSubtracted ?? null;
  }
}

export const lensSub = new LensSubStore();
