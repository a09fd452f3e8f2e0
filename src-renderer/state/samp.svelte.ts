// SAMP (talking to DS9, TOPCAT, Aladin through a hub): status, and the messages LensDesk sends.
// Highlight requests from other tools arrive as 'samp.highlight' events (handled in App.svelte).
import type { SampStatus } from '../../src-core/api/contract';
import { api } from '../lib/api';
import { session } from './session.svelte';

class Samp {
  status = $state<SampStatus | null>(null);
  busy = $state(false);

  constructor() {
    api.on('samp.status', (s) => (this.status = s));
  }

  async refresh(): Promise<void> {
    this.status = await api.call('samp.status', {});
  }

  private async run<T>(what: string, f: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    try {
      return await f();
    } catch (e) {
      session.notify(`SAMP ${what}: ${(e as Error).message}`, 'error');
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  async connect(): Promise<void> {
    const s = await this.run('connect', () => api.call('samp.connect', {}));
    if (s) {
      this.status = s;
      if (s.error) session.notify(`SAMP: ${s.error}`, 'error');
      else session.notify(`SAMP: connected (${s.clients.length} other client(s))`);
    }
  }
  async disconnect(): Promise<void> {
    const s = await this.run('disconnect', () => api.call('samp.disconnect', {}));
    if (s) this.status = s;
  }
  async sendImage(sourceId: number, kind: 'stamp' | 'context' = 'stamp'): Promise<void> {
    const r = await this.run('image', () => api.call('samp.sendImage', { sourceId, kind }));
    if (r) session.notify(`Cutout sent (image.load.fits) to ${r.recipients.length} client(s)`);
  }
  async sendTable(p: { minConsensus?: number; minScore?: number } = {}): Promise<void> {
    const r = await this.run('table', () => api.call('samp.sendTable', p));
    if (r) session.notify(`${r.rows} candidates sent (table.load.votable) to ${r.recipients.length} client(s)`);
  }
  async pointAt(sourceId: number): Promise<void> {
    const r = await this.run('point', () => api.call('samp.pointAt', { sourceId }));
    if (r) session.notify(`Position sent (coord.pointAt.sky) to ${r.recipients.length} client(s)`);
  }
}

export const samp = new Samp();
