// One candidate's product-making job (Restore, Galaxy posterior, …): the latest products of a kind for
// the source, the job working on it however it was started (button, key, the grid's selection), errors
// from the job or its per-source failures, and a start() that does not start a second one. The panels
// differ only in what they show, so this state lives once.
import { onDestroy } from 'svelte';
import type { JobInfo, JobKind, ProductInfo } from '../../src-core/api/contract';
import { api } from '../lib/api';
import { jobs } from './jobs.svelte';
import { session } from './session.svelte';

export interface SourceJobOptions {
  /** The job kind, and the product kind it stores (the same name in both panels today). */
  kind: JobKind;
  productKind: string;
  /** The result field counting the sources this run actually worked on ('restored', 'fitted'). */
  doneField: string;
  /** Shown when the job failed without a message, and when nothing was redone. */
  failed: string;
  alreadyDone: string;
}

export class SourceJob {
  products = $state<ProductInfo[]>([]);
  error = $state('');
  readonly job: JobInfo | undefined = $derived(jobs.list.find((j) => this.mine(j) && (j.state === 'running' || j.state === 'queued')));

  constructor(private readonly o: SourceJobOptions, private readonly sourceId: () => number) {
    $effect(() => {
      this.error = '';
      void this.load(this.sourceId());
    });
    onDestroy(jobs.onUpdate((j) => this.onUpdate(j)));
  }

  get current(): ProductInfo | undefined {
    return this.products[0];
  }

  private mine(j: JobInfo): boolean {
    return j.kind === this.o.kind && Array.isArray(j.params.sourceIds) && (j.params.sourceIds as number[]).includes(this.sourceId());
  }

  private async load(id: number): Promise<void> {
    try {
      const p = await api.call('products.list', { sourceId: id, kind: this.o.productKind });
      if (id === this.sourceId()) this.products = p;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private onUpdate(j: JobInfo): void {
    if (!this.mine(j)) return;
    if (j.state === 'failed') this.error = j.error?.message ?? this.o.failed;
    if (j.state !== 'done') return;
    const id = this.sourceId();
    void this.load(id);
    const r = j.result as ({ failures?: { sourceId: number; error: string }[]; skipped?: number } & Record<string, unknown>) | null;
    const f = r?.failures?.find((x) => x.sourceId === id);
    if (f) this.error = f.error;
    else if (r && r[this.o.doneField] === 0 && (r.skipped ?? 0) > 0 && (j.params.sourceIds as number[]).length === 1) session.notify(this.o.alreadyDone);
  }

  async start(): Promise<void> {
    if (this.job) return;
    this.error = '';
    try {
      const j = await jobs.start(this.o.kind, { sourceIds: [this.sourceId()] });
      if (!jobs.list.some((x) => x.id === j.id)) jobs.list = [j, ...jobs.list];
    } catch (e) {
      this.error = (e as Error).message;
    }
  }
}
