// `lensdesk deblend --catalog NAME|ID --lens-light` on a workspace: the app's Deblend job from the shell
// (job system, worker threads), the catalog found by name or id, and the option rules.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src-core/errors';
import { simulateBlend } from '../../../src-core/deblend/index';
import { writeStampFile } from '../../stamps/stamp-file';
import { Repo } from '../../store/repo';
import { listProducts } from '../../store/products';
import { openWorkspace } from '../../store/workspace';
import { tempDir } from '../../../test/workspace-fixture';
import type { CliIO } from '../command';
import { deblendCommand } from './deblend';

const t = tempDir('lensdesk-deblend-cli-');
afterAll(() => rmSync(t.dir, { recursive: true, force: true }));

function io(): CliIO & { lines: string[]; errs: string[] } {
  const lines: string[] = [], errs: string[] = [];
  return { lines, errs, out: (x) => lines.push(x), err: (x) => errs.push(x), progress: () => {}, signal: new AbortController().signal };
}

describe('lensdesk deblend on a workspace catalog', () => {
  const ws = openWorkspace(t.dir);
  const repo = new Repo(ws.db);
  const catalogId = repo.ensureCatalog('my lenses', 'test', 'simulated', repo.ensureSurvey('sim-lsst', 0.2, ['g', 'r', 'i']));
  mkdirSync(join(t.dir, 'cutouts'), { recursive: true });
  for (let k = 0; k < 3; k++) {
    const sim = simulateBlend(30 + k, { size: 41, nSources: 2, bands: ['g', 'r', 'i'] });
    const path = `cutouts/${k}.fits`;
    writeStampFile(join(t.dir, path), { width: 41, height: 41, bands: sim.bands, planes: sim.images.map((p) => Float32Array.from(p)), variance: sim.variance.map((p) => Float32Array.from(p)), ra: 150, dec: 2, pixelScale: 0.2 });
    repo.insertSources(catalogId, [{ row: k, name: `L${k}`, ra: 150, dec: 2, cutout: { path, width: 41, height: 41, bands: sim.bands } }]);
  }
  const ids = ws.db.prepare('SELECT id FROM sources WHERE catalog_id = ? ORDER BY id').pluck().all(catalogId) as number[];
  ws.close();

  it('--lens-light runs the batch job on the catalog named, with worker threads; every source gets its lens-subtracted frame', { timeout: 120_000 }, async () => {
    const o = io();
    expect(await deblendCommand.run(['--catalog', 'my lenses', '--lens-light', '--workers', '2', '--workspace', t.dir, '--json'], o)).toBe(0);
    expect(JSON.parse(o.lines.join('\n'))).toMatchObject({ mode: 'lens-light', prior: 'none', workers: 2, candidates: 3, deblended: 3, failed: 0 });
    const w = openWorkspace(t.dir);
    try {
      for (const id of ids) expect(listProducts(w.db, id, 'lens-subtracted')).toHaveLength(1);
    } finally {
      w.close();
    }
    // By id, again: everything is done already (resume semantics), nothing is redone.
    const again = io();
    expect(await deblendCommand.run(['--catalog', String(catalogId), '--lens-light', '--workspace', t.dir, '--json'], again)).toBe(0);
    expect(JSON.parse(again.lines.join('\n'))).toMatchObject({ deblended: 0, skipped: 3 });
  });

  it('refuses an unknown catalog (listing the catalogs), settings --lens-light fixes, and workspace options without a catalog', async () => {
    await expect(deblendCommand.run(['--catalog', 'nope', '--lens-light', '--workspace', t.dir], io())).rejects.toThrow(/no such catalog .*1 'my lenses'/);
    await expect(deblendCommand.run(['--catalog', 'my lenses', '--lens-light', '--prior', 'flow', '--workspace', t.dir], io())).rejects.toThrow(/leave out --prior/);
    await expect(deblendCommand.run(['--lens-light', 'x.fits'], io())).rejects.toThrow(InputError);
    await expect(deblendCommand.run(['x.fits', '--catalog', '1', '--workspace', t.dir], io())).rejects.toThrow(/not both/);
  });
});
