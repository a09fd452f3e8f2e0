// The restore parts of the contract: products.list (a candidate's image products, newest first, one kind)
// and jobs.start('restore', …) refused before anything is queued when a field is wrong.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProductInfo } from '../../src-core/api/contract';
import { tempDir } from '../../test/workspace-fixture';
import { insertProduct } from '../store/products';
import { openWorkspace } from '../store/workspace';
import { Backend } from './backend';

const t = tempDir('lensdesk-products-api-');
let backend: Backend;
let sourceId: number;

beforeAll(() => {
  backend = new Backend(openWorkspace(join(t.dir, 'ws')), { mode: 'browser', reviewer: 'alice' });
  const repo = backend.repo;
  const cat = repo.ensureCatalog('c', 'test', 'folder', null);
  repo.insertSources(cat, [{ row: 0, name: 's0', ra: null, dec: null }, { row: 1, name: 's1', ra: null, dec: null }]);
  sourceId = repo.db.prepare('SELECT id FROM sources ORDER BY id').pluck().get() as number;
  insertProduct(repo.db, { sourceId, kind: 'restore', path: 'products/restore/a.fits', params: { prior: 'auto' }, summary: { prior: 'wiener' }, jobId: null });
  insertProduct(repo.db, { sourceId, kind: 'deblend', path: 'products/deblend/a.fits' });
  insertProduct(repo.db, { sourceId, kind: 'restore', path: 'products/restore/b.fits', params: { prior: 'auto' }, summary: { prior: 'score-unet' } });
});
afterAll(async () => {
  await backend.close();
  t.cleanup();
});

describe('products.list and jobs.start restore', () => {
  it('lists a source’s products newest first, filtered by kind', async () => {
    const all = (await backend.call('products.list', { sourceId })) as ProductInfo[];
    expect(all.map((p) => p.path)).toEqual(['products/restore/b.fits', 'products/deblend/a.fits', 'products/restore/a.fits']);
    const restore = (await backend.call('products.list', { sourceId, kind: 'restore' })) as ProductInfo[];
    expect(restore.map((p) => p.summary.prior)).toEqual(['score-unet', 'wiener']);
    expect(await backend.call('products.list', { sourceId: sourceId + 1 })).toEqual([]);
    await expect(backend.call('products.list', { sourceId, kind: 'Restore!' })).rejects.toThrow(/kind/);
    await expect(backend.call('products.list', { sourceId: -1 })).rejects.toThrow(/sourceId/);
  });

  it('refuses a restore job with a wrong field, naming it, and queues nothing', async () => {
    await expect(backend.call('jobs.start', { kind: 'restore', params: { sourceIds: [sourceId], pror: 'wiener' } })).rejects.toThrow(/pror/);
    await expect(backend.call('jobs.start', { kind: 'restore', params: { sourceIds: [sourceId], op: 'sharpen' } })).rejects.toThrow(/op/);
    await expect(backend.call('jobs.start', { kind: 'restore', params: {} })).rejects.toThrow(/sourceIds/);
    expect(await backend.call('jobs.list', {})).toEqual([]);
  });
});
