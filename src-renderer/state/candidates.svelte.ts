// The candidate list as the grid sees it: a sparse window over a possibly huge sorted, filtered
// list, fetched page by page as the grid scrolls, plus the selection and grading actions.
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type { CandidateFilter, CandidateRow, SortKey } from '../../src-core/api/contract';
import { api } from '../lib/api';
import { display } from './display.svelte';
import { session } from './session.svelte';
import { gradeLetter } from '../../src-core/grades';

const PAGE = 200;

class Candidates {
  sort = $state<SortKey>('score');
  order = $state<'asc' | 'desc'>('desc');
  filter = $state<CandidateFilter>({});
  /** Score of which model version the grid shows and sorts by (undefined = the active model). */
  modelId = $state<number | undefined>(undefined);
  /** Catalog column for sort 'column'. */
  column = $state<string | undefined>(undefined);
  total = $state(0);
  rows = new SvelteMap<number, CandidateRow>();
  /** Index of the focused candidate in the current ordering. */
  cursor = $state(0);
  /** Extra selected indices for bulk grading (shift+arrows / shift+click). */
  selection = new SvelteSet<number>();
  loaded = $state(false);
  private pages = new Map<number, Promise<void>>();
  private generation = 0;

  get current(): CandidateRow | undefined {
    return this.rows.get(this.cursor);
  }

  async reload(): Promise<void> {
    this.generation++;
    this.pages.clear();
    this.rows.clear();
    this.selection.clear();
    await this.ensure(0, Math.max(PAGE, this.cursor + 1));
    this.cursor = Math.min(this.cursor, Math.max(0, this.total - 1));
    this.loaded = true;
  }

  /** Makes sure rows [from, to) are loaded (or loading). */
  ensure(from: number, to: number): Promise<void> {
    const jobs: Promise<void>[] = [];
    for (let p = Math.floor(from / PAGE); p * PAGE < Math.max(to, from + 1); p++) {
      if (!this.pages.has(p)) this.pages.set(p, this.fetchPage(p));
      jobs.push(this.pages.get(p)!);
    }
    return Promise.all(jobs).then(() => undefined);
  }

  private async fetchPage(p: number): Promise<void> {
    const gen = this.generation;
    const r = await api.call('candidates.list', {
      sort: this.sort,
      order: this.order,
      offset: p * PAGE,
      limit: PAGE,
      ...(this.modelId !== undefined ? { modelId: this.modelId } : {}),
      ...(this.sort === 'column' && this.column ? { column: this.column } : {}),
      filter: $state.snapshot(this.filter) as CandidateFilter,
    });
    if (gen !== this.generation) return;
    this.total = r.total;
    r.rows.forEach((row, i) => this.rows.set(p * PAGE + i, row));
  }

  move(delta: number, extend = false): void {
    if (this.total === 0) return;
    const next = Math.min(this.total - 1, Math.max(0, this.cursor + delta));
    if (extend) {
      this.selection.add(this.cursor);
      this.selection.add(next);
    } else this.selection.clear();
    this.cursor = next;
    void this.ensure(next, next + PAGE / 2);
  }

  async setSort(sort: SortKey, order?: 'asc' | 'desc'): Promise<void> {
    this.sort = sort;
    if (order) this.order = order;
    this.cursor = 0;
    await this.reload();
  }

  async setModel(modelId: number | undefined): Promise<void> {
    this.modelId = modelId;
    this.cursor = 0;
    await this.reload();
  }

  async setColumn(column: string): Promise<void> {
    this.column = column;
    await this.setSort('column', this.sort === 'column' ? this.order : 'asc');
  }

  /** Puts the cursor on a source (SAMP highlight, consensus table); false when the filter hides it. */
  async focusSource(sourceId: number): Promise<boolean> {
    const i = await this.indexOf(sourceId);
    if (i === null) return false;
    this.selection.clear();
    this.cursor = i;
    return true;
  }

  async setFilter(f: CandidateFilter): Promise<void> {
    this.filter = f;
    this.cursor = 0;
    await this.reload();
  }

  /**
   * Grades the focused candidate (or the bulk selection) and moves on at once: the display and
   * the cursor update optimistically, the label is appended in the background, and a failure
   * reverts the badge and says so (nothing is silently lost).
   */
  async grade(grade: number | null, opts: { advance?: boolean; tags?: string[]; comment?: string } = {}): Promise<void> {
    const targets = this.selection.size ? [...this.selection].sort((a, b) => a - b) : [this.cursor];
    const rows = targets.map((i) => [i, this.rows.get(i)] as const).filter((x): x is readonly [number, CandidateRow] => !!x[1]);
    for (const [i, row] of rows) this.rows.set(i, { ...row, myGrade: grade, tags: opts.tags ?? row.tags });
    const last = targets[targets.length - 1]!;
    this.selection.clear();
    if (opts.advance !== false && last < this.total - 1) {
      this.cursor = last;
      this.move(1);
    }
    await Promise.all(
      rows.map(async ([i, row]) => {
        try {
          const r = await api.call('labels.add', {
            sourceId: row.sourceId, grade, tags: opts.tags ?? row.tags, comment: opts.comment ?? '', practice: display.s.practice,
          });
          if (r.truth && grade !== null) {
            const saidLens = grade >= 2;
            const right = saidLens === r.truth.isLens;
            const what = r.truth.isLens ? `a lens${r.truth.thetaE ? ` (θE ${r.truth.thetaE.toFixed(2)}″)` : ''}` : `not a lens (${r.truth.kind})`;
            session.notify(`${right ? '✓' : '✗'} ${row.name}: you said ${gradeLetter(grade)}; it was ${what}`, right ? 'info' : 'error');
          }
        } catch (e) {
          const now = this.rows.get(i);
          if (now?.sourceId === row.sourceId) this.rows.set(i, { ...now, myGrade: row.myGrade });
          session.notify(`Grade not saved for ${row.name}: ${(e as Error).message}`, 'error');
        }
      }),
    );
    void session.refresh();
  }

  async undo(): Promise<void> {
    const r = await api.call('labels.undo', {});
    if (!r.sourceId) return session.notify('Nothing to undo');
    for (const [i, row] of this.rows) {
      if (row.sourceId === r.sourceId) {
        this.rows.set(i, { ...row, myGrade: r.restored });
        this.cursor = i;
        break;
      }
    }
    session.notify(`Undone: ${r.restored === null ? 'grade cleared' : 'grade restored'}`);
    void session.refresh();
  }

  /** Index of a source in the current ordering (scans loaded pages, then loads more). */
  async indexOf(sourceId: number): Promise<number | null> {
    for (let from = 0; from < Math.max(this.total, 1); from += PAGE) {
      await this.ensure(from, from + PAGE);
      for (let i = from; i < Math.min(from + PAGE, this.total); i++) if (this.rows.get(i)?.sourceId === sourceId) return i;
    }
    return null;
  }

  async refreshRow(sourceId: number): Promise<void> {
    for (const [i, row] of this.rows) {
      if (row.sourceId !== sourceId) continue;
      const d = await api.call('candidate.get', { sourceId });
      this.rows.set(i, { ...row, myGrade: d.myGrade, consensus: d.consensus, tags: d.tags, score: d.score });
    }
  }
}

export const candidates = new Candidates();
