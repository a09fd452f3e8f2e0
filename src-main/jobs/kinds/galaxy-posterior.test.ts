// The 'galaxy-posterior' job on a small workspace (g,r,i stamps at 0.2″ whose r band holds a galaxy drawn
// from the bundled Flow-VAE): a cancel during sampling leaves no product and no row; a resumed run writes
// the product FITS and the two blink frames (decoder grid, one band) and registers them; a stamp at
// another pixel scale fails alone, with the keyword named; a repeated run with the same settings skips.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jobParamSchemas } from '../../../src-core/api/job-params';
import { CancelledError } from '../../../src-core/errors';
import { decoderForward, makeDecoderCache, makeDecoderNet } from '../../../src-core/generative/decoder-net';
import { gaussianPsf, observe } from '../../../src-core/generative/observe';
import { Rng } from '../../../src-core/rng';
import { jobContext } from '../../../test/job-context';
import { fileWorkspace } from '../../../test/workspace-fixture';
import { readFlowVaeModel } from '../../generative/model-files';
import { bundledFlowVae } from '../../generative/posterior';
import { openFitsFile } from '../../fits/file-source';
import { readStampFile, writeStampFile } from '../../stamps/stamp-file';
import { listProducts } from '../../store/products';
import { Repo } from '../../store/repo';
import { galaxyPosteriorKind, prepareGalaxyPosterior } from './galaxy-posterior';

const MODEL = bundledFlowVae();

describe.skipIf(!MODEL)('galaxy-posterior job (bundled Flow-VAE)', () => {
  const ws = fileWorkspace();
  const repo = new Repo(ws.db);
  const ids: number[] = [];
  const W = 40, BANDS = ['g', 'r', 'i'];

  beforeAll(() => {
    const { card, weights, density } = readFlowVaeModel(MODEL!);
    const net = makeDecoderNet(card.config, weights), rng = new Rng(9, 16), sigma = card.trainingSet.noiseSigma as number;
    const psf = gaussianPsf(0.73 / 0.1, 19);
    mkdirSync(join(ws.dir, 'cutouts', 'sim'), { recursive: true });
    const sources = [0, 1].map((i) => {
      const obs = observe(decoderForward(net, density.sample(rng), makeDecoderCache(net)), 64, psf, 19);
      const r = Float32Array.from({ length: W * W }, () => sigma * rng.normal());
      for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) r[(y + 4) * W + x + 4] += obs[y * 32 + x]! * card.config.fluxScale;
      const noise = () => Float32Array.from({ length: W * W }, () => sigma * rng.normal());
      writeStampFile(join(ws.dir, 'cutouts', 'sim', `${i}.fits`), { width: W, height: W, bands: BANDS, planes: [noise(), r, noise()], ra: 150, dec: 2 + i * 1e-3, pixelScale: i === 1 ? 0.168 : 0.2 });
      return { row: i, name: `GAL ${i}`, ra: 150, dec: 2 + i * 1e-3, truth: null, cutout: { path: `cutouts/sim/${i}.fits`, width: W, height: W, bands: BANDS } };
    });
    const catalogId = repo.ensureCatalog('gal', 'test', 'simulated', repo.ensureSurvey('sim-lsst', 0.2, BANDS));
    repo.insertSources(catalogId, sources as never);
    ids.push(...(ws.db.prepare('SELECT id FROM sources WHERE catalog_id = ? ORDER BY id').pluck().all(catalogId) as number[]));
  });

  const small = { samples: 12, chains: 1, warmup: 12, seed: 1 };

  it('validates its params, naming the field', () => {
    expect(() => prepareGalaxyPosterior({ sourceIds: [1], method: 'hmc' })).toThrow(/params\.method|method must be/);
    expect(() => prepareGalaxyPosterior({ method: 'nuts' })).toThrow(/give sourceIds, catalogId or minConsensus/);
    expect(jobParamSchemas['galaxy-posterior'].safeParse({ sourceIds: [1], samples: 1 }).success).toBe(false);
    expect(prepareGalaxyPosterior({ sourceIds: [3] })).toMatchObject({ model: 'auto', method: 'nuts', chains: 2, samples: 100 });
  });

  it('cancel during sampling leaves nothing; the resumed run writes the product and the blink frames; a wrong pixel scale fails alone', { timeout: 240_000 }, async () => {
    const params = prepareGalaxyPosterior({ sourceIds: ids, ...small });
    const c = jobContext(repo, ws.dir, params);
    let ticks = 0;
    const cancelling = { ...c, progress: () => void ticks++, cancelled: () => ticks >= 3, checkCancelled: () => { if (ticks >= 3) throw new CancelledError('cancelled'); } };
    await expect(galaxyPosteriorKind.run(cancelling)).rejects.toBeInstanceOf(CancelledError);
    expect(listProducts(ws.db, ids[0]!, 'galaxy-posterior')).toHaveLength(0);
    const dir = join(ws.dir, 'products', 'galaxy-posterior');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);

    const ctx = jobContext(repo, ws.dir, params);
    const r = await galaxyPosteriorKind.run(ctx);
    expect(r).toMatchObject({ candidates: 2, fitted: 1, failed: 1, skipped: 0 });
    const failure = (r.failures as { sourceId: number; error: string }[])[0]!;
    expect(failure.sourceId).toBe(ids[1]);
    expect(failure.error).toMatch(/1\.fits: pixel scale 0\.168″ \(PIXSCALE\) differs from the model's 0\.2″/);

    const [prod] = listProducts(ws.db, ids[0]!, 'galaxy-posterior');
    expect(prod).toBeDefined();
    expect(prod!.params).toMatchObject({ method: 'nuts', samples: 12, band: 'r' });
    expect(prod!.summary.psf).toMatch(/preset lsst r/);
    expect(Number(prod!.summary.samples)).toBe(12);
    // a galaxy drawn from the model: the misfit check passes and the summary says so
    expect(prod!.summary.misfit).toBe(false);
    expect(prod!.summary.misfitWarning).toBeNull();
    expect(Number(prod!.summary.chi2PerPixel)).toBeLessThan(Number(prod!.summary.misfitThreshold));
    expect(r.misfits).toBe(0);
    const f = openFitsFile(join(ws.dir, prod!.path));
    try {
      expect(f.hdus().map((h) => h.name)).toEqual(['MEAN', 'STD', 'SAMPLES', 'MODEL', 'DATA', 'ZSAMPLES']);
      expect(f.hdu(0).header.getString('METHOD')?.trim()).toBe('NUTS');
    } finally {
      f.source.close?.();
    }
    const cuts = ws.db.prepare("SELECT kind, path, width, height, bands FROM cutouts WHERE source_id = ? AND kind LIKE 'galaxy-%' ORDER BY kind").all(ids[0]) as { kind: string; path: string; width: number; height: number; bands: string }[];
    // the stamp's 8″ field at the decoder's 0.1″: 80 × 80, the 64² galaxy where its 32² crop was (4 px in)
    expect(cuts.map((x) => [x.kind, x.width, x.height, x.bands])).toEqual([['galaxy-mean', 80, 80, '["r"]'], ['galaxy-std', 80, 80, '["r"]']]);
    const mean = readStampFile(join(ws.dir, cuts[0]!.path)), std = readStampFile(join(ws.dir, cuts[1]!.path));
    expect(mean.planes).toHaveLength(1);
    expect(mean.pixelScale).toBeCloseTo(0.1, 6);
    // a galaxy: positive flux in the mean, concentrated near the centre; a non-negative, non-zero std
    let inner = 0, all = 0;
    mean.planes[0]!.forEach((v, i) => { all += v; if (Math.abs((i % 80) - 40) < 16 && Math.abs(Math.floor(i / 80) - 40) < 16) inner += v; });
    for (let x = 0; x < 80; x++) expect(mean.planes[0]![3 * 80 + x]).toBe(0); // outside the model's field
    expect(all).toBeGreaterThan(0);
    expect(inner / all).toBeGreaterThan(0.6);
    expect(Math.min(...std.planes[0]!)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...std.planes[0]!)).toBeGreaterThan(0);
    expect(readdirSync(join(ws.dir, 'products', 'galaxy-posterior')).filter((n) => n.includes('.tmp'))).toEqual([]);

    // same settings again: nothing redone
    const again = await galaxyPosteriorKind.run(jobContext(repo, ws.dir, prepareGalaxyPosterior({ sourceIds: [ids[0]!], ...small })));
    expect(again).toMatchObject({ fitted: 0, skipped: 1 });
    expect(listProducts(ws.db, ids[0]!, 'galaxy-posterior')).toHaveLength(1);
  });
});

describe('embedInField', () => {
  it('places the decoder image at twice the crop offset of a 2W × 2H field', async () => {
    const { embedInField } = await import('./galaxy-posterior');
    const img = Float32Array.from({ length: 16 }, (_, i) => i + 1);
    const out = embedInField(img, 4, { x0: 1, y0: 0, width: 4, height: 3 });
    expect(out.length).toBe(8 * 6);
    expect(out[0 * 8 + 2]).toBe(1);
    expect(out[3 * 8 + 5]).toBe(16);
    expect(out.reduce((a, b) => a + b, 0)).toBe(136);
  });
});
