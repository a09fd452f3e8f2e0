// The 'source' job end to end: "Model this lens" (a short fit job) on a tiny simulated lens, then
// "Reconstruct source" with the Gaussian prior: the product FITS (MEAN/STD/SAMPLES on the source plane,
// MODEL/RESIDUAL on the image plane), its `products` row, the blink frames, the image-plane fit quality,
// resume, cancel, the missing-posterior error, and the product in the cutout bundle.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src-core/errors';
import { readImage } from '../../../src-core/fits/image';
import { openFitsFile } from '../../fits/file-source';
import { writeCutoutBundle } from '../../export/cutout-bundle';
import { listProducts } from '../../store/products';
import { Repo } from '../../store/repo';
import { fileWorkspace } from '../../../test/workspace-fixture';
import { jobContext } from '../../../test/job-context';
import { addSimulatedLens } from '../../../test/infer/lens-workspace';
import { fitKind, prepareFit } from './fit';
import { prepareSource, sourceKind } from './source';

const ws = fileWorkspace();
const repo = new Repo(ws.db);

describe('source job', () => {
  it('reconstructs, stores, exports, resumes and cancels', async () => {
    const sourceId = addSimulatedLens(repo, ws.db, ws.dir);
    const noFit = prepareSource({ sourceId, grid: 16, samples: 4, lensDraws: 2 });
    await expect(sourceKind.run(jobContext(repo, ws.dir, noFit))).rejects.toThrow(/posterior|Model this lens|fit/i);

    const fit = prepareFit({ sourceIds: [sourceId], chains: 2, warmup: 50, samples: 60, maxSamples: 60, nStarts: 2, maxEvals: 200, workers: 0 });
    expect(await fitKind.run(jobContext(repo, ws.dir, fit))).toMatchObject({ fitted: 1 });

    const params = prepareSource({ sourceId, grid: 16, samples: 4, lensDraws: 2 });
    const r = (await sourceKind.run(jobContext(repo, ws.dir, params))) as { productId: number; path: string; chi2PerPixel: number };
    // The data are the model family plus unit-variance noise: a good source gives χ²/pixel near 1
    // (a wrong lens or a broken operator leaves the arcs in the residual, χ²/pixel ≫ 1).
    expect(r.chi2PerPixel).toBeGreaterThan(0.3);
    expect(r.chi2PerPixel).toBeLessThan(2);

    const [row] = listProducts(ws.db, sourceId, 'source');
    expect(row!.id).toBe(r.productId);
    const file = openFitsFile(resolve(ws.dir, row!.path));
    try {
      const byName = new Map(file.hdus().map((h) => [h.name, h]));
      for (const n of ['MEAN', 'STD', 'SAMPLES', 'MODEL', 'RESIDUAL']) expect(byName.has(n), n).toBe(true);
      const std = readImage(file, byName.get('STD')!).data as Float32Array;
      expect(std.length).toBe(16 * 16);
      expect(std.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
      const samples = readImage(file, byName.get('SAMPLES')!);
      expect(samples.shape[0]).toBe(4);
    } finally {
      file.source.close?.();
    }
    const frames = ws.db.prepare("SELECT kind FROM cutouts WHERE source_id = ? AND kind LIKE 'source-%' ORDER BY kind").pluck().all(sourceId);
    expect(frames).toEqual(['source-mean', 'source-std']);

    // The cutout bundle carries the source product and lists it in products.csv.
    const out = join(ws.dir, 'bundle');
    const b = writeCutoutBundle(repo, ws.dir, out, {}, () => undefined, () => undefined);
    expect(b.products.files).toBeGreaterThanOrEqual(1);
    const csv = readFileSync(join(out, 'products.csv'), 'utf8');
    const line = csv.split('\n').find((l) => l.includes(',source,'));
    expect(line).toBeDefined();
    expect(existsSync(join(out, line!.split(',')[3]!))).toBe(true);

    // Resume: the same job finds its product; a cancelled new job stores nothing.
    expect(await sourceKind.run(jobContext(repo, ws.dir, params))).toMatchObject({ resumed: true, productId: r.productId });
    const cancelled = { ...jobContext(repo, ws.dir, params, true), jobId: 999 };
    await expect(sourceKind.run(cancelled)).rejects.toBeInstanceOf(CancelledError);
    expect(listProducts(ws.db, sourceId, 'source')).toHaveLength(1);
  }, 180_000);
});
