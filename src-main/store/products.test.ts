import { describe, expect, it } from 'vitest';
import { tempWorkspaces } from '../../test/workspace-fixture';
import { getCandidate } from './candidates';
import { Repo } from './repo';
import { getProduct, insertProduct, latestProduct, listProducts, upsertFrameCutout } from './products';

const open = tempWorkspaces();
const ws = () => {
  const w = open();
  return { db: w.db, repo: new Repo(w.db) };
};

describe('products (image products of a source or a catalog)', () => {
  it('inserts, never replaces; the latest per source and kind is current; catalog-level rows have no source', () => {
    const w = ws();
    const cat = w.repo.ensureCatalog('c', '/x', 'cutouts', null);
    w.repo.insertSources(cat, [{ row: 0, name: 'a', ra: 1, dec: 2 }, { row: 1, name: 'b', ra: 3, dec: 4 }]);
    const [s1, s2] = w.db.prepare('SELECT id FROM sources ORDER BY id').pluck().all() as number[];
    const a = insertProduct(w.db, { sourceId: s1!, kind: 'restore', path: 'products/restore/a1.fits', params: { op: 'deconvolve', prior: 'wiener' }, summary: { rms: 0.1 } });
    const b = insertProduct(w.db, { sourceId: s1!, kind: 'restore', path: 'products/restore/a2.fits', params: { op: 'denoise' } });
    insertProduct(w.db, { sourceId: s2!, kind: 'restore', path: 'products/restore/b.fits' });
    insertProduct(w.db, { sourceId: null, kind: 'massmap', path: 'massmaps/m.fits', summary: { peaks: 3 } });
    expect(listProducts(w.db, s1!).map((p) => p.id)).toEqual([b, a]);
    expect(latestProduct(w.db, s1!, 'restore')!.path).toBe('products/restore/a2.fits');
    expect(getProduct(w.db, a)).toMatchObject({ params: { op: 'deconvolve', prior: 'wiener' }, summary: { rms: 0.1 }, jobId: null });
    expect(listProducts(w.db, null).map((p) => p.kind)).toEqual(['massmap']);
    expect(latestProduct(w.db, s2!, 'deblend')).toBeNull();
  });

  it('registers blink frames as cutouts of the source (replacing the same kind), never the stamp', () => {
    const w = ws();
    const cat = w.repo.ensureCatalog('c', '/x', 'cutouts', null);
    w.repo.insertSources(cat, [{ row: 0, name: 'a', ra: 1, dec: 2 }]);
    const id = w.db.prepare('SELECT id FROM sources').pluck().get() as number;
    upsertFrameCutout(w.db, id, 'restore-mean', 'products/restore/1-mean.fits', 45, 45, ['g', 'r']);
    upsertFrameCutout(w.db, id, 'restore-mean', 'products/restore/2-mean.fits', 45, 45, ['g', 'r']);
    upsertFrameCutout(w.db, id, 'restore-std', 'products/restore/2-std.fits', 45, 45, ['g', 'r']);
    expect(() => upsertFrameCutout(w.db, id, 'stamp', 'x.fits', 1, 1, [])).toThrow(/not a product frame/);
    const kinds = (w.db.prepare('SELECT kind, path FROM cutouts WHERE source_id = ? ORDER BY id').all(id) as { kind: string; path: string }[]);
    expect(kinds).toEqual([{ kind: 'restore-mean', path: 'products/restore/2-mean.fits' }, { kind: 'restore-std', path: 'products/restore/2-std.fits' }]);
    // the candidate detail lists them (the blink shows every cutout but the stamp and context)
    const detail = getCandidate(w.db, id, w.repo.ensureReviewer('tester').id);
    expect(detail.cutouts.map((c) => c.kind)).toEqual(['restore-mean', 'restore-std']);
  });
});
