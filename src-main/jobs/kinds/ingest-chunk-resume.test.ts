// A multi-cutout file (lensdesk simulate's chunks) cut short by a crash is finished on resume:
// the cutouts already stored are kept, the missing ones added, none twice; a one-stamp file added
// meanwhile takes a new row below the chunk rows.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeSimulationFits } from '../../../src-core/lens/fits-cube';
import { simulateRange } from '../../../src-core/lens/simulate';
import { encodeStamp } from '../../../src-core/stamps/format';
import { runIngest } from '../../../test/ingest-run';
import { tempDir, tempWorkspaces } from '../../../test/workspace-fixture';
import { CHUNK_ROW, slug } from './ingest';

const t = tempDir();
afterAll(() => t.cleanup());
const newWorkspace = tempWorkspaces();


describe('folder ingest of simulate chunks', () => {
  it('finishes a chunk cut short, adds a new file, and stores every cutout once', async () => {
    const ws = newWorkspace();
    const dir = join(t.dir, 'sim');
    mkdirSync(dir);
    writeFileSync(join(dir, 'chunk-0000.fits'), encodeSimulationFits(simulateRange({ preset: 'lsst' }, 7, 0, 6), { ra: 150, dec: 2 }));
    const first = await runIngest(ws, { folder: dir, catalog: 'sim' });
    expect(first).toMatchObject({ added: 6, failed: 0 });
    const rows = () => ws.db.prepare('SELECT row FROM sources ORDER BY row').pluck().all() as number[];
    expect(rows()).toEqual([0, 1, 2, 3, 4, 5].map((j) => CHUNK_ROW + j));

    // A crash after the first 3 cutouts: the rest were never stored.
    ws.db.prepare('DELETE FROM cutouts WHERE source_id IN (SELECT id FROM sources WHERE row >= ?)').run(CHUNK_ROW + 3);
    ws.db.prepare('DELETE FROM sources WHERE row >= ?').run(CHUNK_ROW + 3);
    for (const j of [3, 4, 5]) rmSync(join(ws.dir, 'cutouts', slug('sim'), `${CHUNK_ROW + j}.fits`), { force: true });
    // Meanwhile a one-stamp file arrives.
    const planes = [0, 1].map((b) => Float32Array.from({ length: 81 }, (_, k) => Math.cos(k + b)));
    writeFileSync(join(dir, 'extra.fits'), encodeStamp({ width: 9, height: 9, bands: ['g', 'r'], planes, ra: 150.2, dec: 2.1 }));

    const second = await runIngest(ws, { folder: dir, catalog: 'sim' });
    expect(second).toMatchObject({ added: 4, failed: 0 });
    expect(rows()).toEqual([1, ...[0, 1, 2, 3, 4, 5].map((j) => CHUNK_ROW + j)]);
    const names = ws.db.prepare('SELECT name FROM sources').pluck().all() as string[];
    expect(new Set(names).size).toBe(7);
    expect(readdirSync(join(ws.dir, 'cutouts', slug('sim'))).length).toBe(7);

    const third = await runIngest(ws, { folder: dir, catalog: 'sim' });
    expect(third).toMatchObject({ added: 0, failed: 0 });
    expect(rows().length).toBe(7);
  });
});
