// Catalog + images ingest end to end: per-band images with a TAN WCS (the r band on a grid rotated
// by 30° and shifted by 7.3 px, resampled onto g's), a CSV catalog with rows inside, at the edge and outside; cutouts are cut by WCS,
// padded with NaN at the edge, and rows outside every image are skipped and counted.
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../test/shared';
import { tempDir } from '../../test/workspace-fixture';
import { SURVEY_SCALE, writeSurveyImage } from '../../test/survey-images';
import { readStampFile } from '../stamps/stamp-file';

const t = tempDir();
afterAll(() => t.cleanup());
const cli = ['--import', 'tsx', join(PROJECT_ROOT, 'src-main/cli/entry.ts')];
const SCALE = SURVEY_SCALE;
const image = (path: string, rotDeg: number, crpixShift: number, fill: (x: number, y: number) => number) => writeSurveyImage(path, rotDeg, crpixShift, fill);

describe('ingest-catalog job', () => {
  it('cuts stamps and context cutouts by WCS, NaN-padded at edges, skipping rows outside', () => {
    // g: axis-aligned, the catalog centre (CRVAL) exactly on 0-based pixel (99, 99).
    image(join(t.dir, 'g.fits'), 0, 0, (x, y) => x + 1000 * y);
    // r: a grid rotated by 30° and shifted by 7.3 px, filled with 2 × (the g value at the same sky
    // position). Both are TAN about the same CRVAL, so r pixel → g pixel is affine and bilinear
    // resampling onto the g grid reproduces 2 × g exactly (up to float32 storage).
    const ROT = 30;
    const SHIFT = 7.3;
    const c = Math.cos((ROT * Math.PI) / 180), sn = Math.sin((ROT * Math.PI) / 180);
    image(join(t.dir, 'r.fits'), ROT, SHIFT, (x, y) => {
      const dx = x + 1 - (100 + SHIFT), dy = y + 1 - 100; // 1-based pixel minus CRPIX
      const ix = -SCALE * c * dx + SCALE * sn * dy, iy = SCALE * sn * dx + SCALE * c * dy; // CD · d (deg)
      const gx = ix / -SCALE + 100 - 1, gy = iy / SCALE + 100 - 1; // g's 0-based pixel
      return 2 * (gx + 1000 * gy);
    });
    writeFileSync(join(t.dir, 'cat.csv'), [
      'name,RA,DEC,mag',
      'centre,150.0,2.0,20.1',
      'edge,' + (150 + (95 * 0.2) / 3600) + ',2.0,21.5', // 95 px east of centre: 5 px from the east (low-x) edge
      'far,151.0,3.0,19.0',
    ].join('\n'));
    const ws = join(t.dir, 'ws');
    const r = spawnSync(process.execPath, [...cli, 'ingest', '--catalog-file', join(t.dir, 'cat.csv'), '--images', `g=${join(t.dir, 'g.fits')},r=${join(t.dir, 'r.fits')}`,
      '--size', '21', '--context-size', '41', '--json', '--workspace', ws], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res).toMatchObject({ rows: 3, added: 2, outside: 1 });
    const db = new Database(join(ws, 'lensdesk.sqlite'), { readonly: true });
    const rows = db.prepare(`SELECT s.name, s.extra, c.kind, c.path FROM sources s JOIN cutouts c ON c.source_id = s.id ORDER BY s.row, c.kind`).all() as any[];
    db.close();
    expect(rows.map((x) => `${x.name}:${x.kind}`)).toEqual(['centre:context', 'centre:stamp', 'edge:context', 'edge:stamp']);
    expect(Number(JSON.parse(rows[1].extra).mag)).toBe(20.1);
    const centre = readStampFile(join(ws, rows[1].path));
    expect(centre.bands).toEqual(['g', 'r']);
    expect(centre.width).toBe(21);
    // The stamp's centre pixel (10, 10) is the image pixel under the catalog position, (99, 99),
    // exactly: a one-pixel shift or a transposition changes these values by 1 or 1000.
    const g = centre.planes[0]!;
    expect(g[10 * 21 + 10]).toBe(99 + 1000 * 99);
    expect(g[10 * 21 + 11]).toBe(100 + 1000 * 99);
    expect(g[11 * 21 + 10]).toBe(99 + 1000 * 100);
    expect(g[0]).toBe(89 + 1000 * 89);
    // The rotated, shifted r band lands on the g grid: r = 2 g in every pixel (float32 rounding only).
    let worst = 0;
    for (let i = 0; i < 21 * 21; i++) worst = Math.max(worst, Math.abs(centre.planes[1]![i]! - 2 * g[i]!));
    expect(worst).toBeLessThan(0.2);
    expect(centre.ra).toBeCloseTo(150, 10);
    const edge = readStampFile(join(ws, rows[3].path));
    const nan = edge.planes[0]!.filter((v) => Number.isNaN(v)).length;
    expect(nan).toBeGreaterThan(0);
    expect(nan).toBeLessThan(21 * 21);
    const context = readStampFile(join(ws, rows[0].path));
    expect(context.width).toBe(41);
  });
});
