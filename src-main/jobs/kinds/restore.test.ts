// The 'restore' job end to end on a small workspace of simulated LSST cutouts (45 × 45 × g,r,i,z; the
// project's simulator, Wiener prior so it is fast): product FITS with MEAN/STD/SAMPLES and the stamp's WCS,
// blink frames as single-HDU stamp cubes, products rows; the restored mean re-blurred is closer to the
// noiseless truth than the data; auto-inpaint of a stamp with NaNs; a missing stamp fails alone, named;
// cancel mid-job leaves no half file and no row, and a resume finishes only what is left.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src-core/errors';
import { readImage } from '../../../src-core/fits/image';
import { jobParamSchemas } from '../../../src-core/api/job-params';
import { convolutionOperator, gaussianPsf } from '../../../src-core/inverse/operators/convolution';
import { getPreset } from '../../../src-core/lens/presets';
import { simulateCutout } from '../../../src-core/lens/simulate';
import { openFitsFile } from '../../fits/file-source';
import { bundledScorePrior, RESTORE_PRIOR } from '../../score/bundled-prior';
import { writeCutoutBundle } from '../../export/cutout-bundle';
import { readStampFile, writeStampFile } from '../../stamps/stamp-file';
import { listProducts } from '../../store/products';
import { Repo } from '../../store/repo';
import { fileWorkspace } from '../../../test/workspace-fixture';
import { jobContext } from '../../../test/job-context';
import { prepareRestore, restoreKind } from './restore';

const ws = fileWorkspace();
const repo = new Repo(ws.db);
const BANDS = ['g', 'r', 'i', 'z'];
const N = 45 * 45;
const ids: number[] = [];
const models: Float32Array[][] = [];
let savedEnv: string | undefined;

beforeAll(() => {
  // No score prior for these tests (the default 'auto' must then say it fell back to Wiener).
  savedEnv = process.env.LENSDESK_SCORE_PRIOR;
  process.env.LENSDESK_SCORE_PRIOR = join(ws.dir, 'no-prior-here');
  mkdirSync(join(ws.dir, 'cutouts', 'sim'), { recursive: true });
  const sources = [0, 1, 2, 3].map((i) => {
    const c = simulateCutout('lsst', 11, i, { model: true });
    models.push(c.model!);
    if (i === 3) for (let r = 20; r < 24; r++) for (let k = 18; k < 22; k++) c.bands[1]![r * 45 + k] = NaN; // a bad patch in r
    writeStampFile(join(ws.dir, 'cutouts', 'sim', `${i}.fits`), { width: 45, height: 45, bands: BANDS, planes: c.bands, variance: c.variance, ra: 150 + i * 1e-3, dec: 2, pixelScale: 0.2 });
    return { row: i, name: `SIM ${i}`, ra: 150 + i * 1e-3, dec: 2, truth: null, cutout: { path: `cutouts/sim/${i}.fits`, width: 45, height: 45, bands: BANDS } };
  });
  const catalogId = repo.ensureCatalog('sim', 'test', 'simulated', repo.ensureSurvey('sim-lsst', 0.2, BANDS));
  repo.insertSources(catalogId, sources as never);
  ids.push(...(ws.db.prepare('SELECT id FROM sources WHERE catalog_id = ? ORDER BY id').pluck().all(catalogId) as number[]));
});
afterAll(() => {
  if (savedEnv === undefined) delete process.env.LENSDESK_SCORE_PRIOR;
  else process.env.LENSDESK_SCORE_PRIOR = savedEnv;
});

/** A context that asks to cancel once `after` sources have finished. */
function cancellingCtx<P>(params: P, after: number) {
  let finished = 0;
  const c = jobContext(repo, ws.dir, params);
  return {
    ...c,
    progress: (_d: number, _t: number, m?: string) => { if (m && / in [\d.]+ s$/.test(m)) finished++; },
    cancelled: () => finished >= after,
    checkCancelled: () => { if (finished >= after) throw new CancelledError('cancelled'); },
  };
}

const hdus = (path: string) => {
  const f = openFitsFile(path);
  try {
    return f.hdus().map((h) => ({ name: h.name, header: h.header, data: h.index > 0 ? readImage(f, h) : null }));
  } finally {
    f.source.close?.();
  }
};

describe('restore job', () => {
  it('cancel mid-job leaves one complete product and no temp file; resume does the rest and skips what is done', async () => {
    const params = prepareRestore({ sourceIds: ids.slice(0, 3), prior: 'wiener', samples: 8 });
    await expect(restoreKind.run(cancellingCtx(params, 1))).rejects.toBeInstanceOf(CancelledError);
    expect(listProducts(ws.db, ids[0]!, 'restore')).toHaveLength(1);
    expect(listProducts(ws.db, ids[1]!, 'restore')).toHaveLength(0);
    expect(readdirSync(join(ws.dir, 'products', 'restore')).filter((f) => f.includes('.tmp-'))).toEqual([]);

    const r = await restoreKind.run(jobContext(repo, ws.dir, params));
    expect(r).toMatchObject({ candidates: 3, restored: 2, skipped: 1, failed: 0, priors: { wiener: 2 } });
    const again = await restoreKind.run(jobContext(repo, ws.dir, params));
    expect(again).toMatchObject({ restored: 0, skipped: 3 });
    // Other settings are another restore.
    const other = await restoreKind.run(jobContext(repo, ws.dir, { ...params, sourceIds: [ids[0]!], seed: 5 }));
    expect(other).toMatchObject({ restored: 1, skipped: 0 });
    expect(listProducts(ws.db, ids[0]!, 'restore')).toHaveLength(2);
  }, 120_000);

  it('writes MEAN/STD/SAMPLES with the WCS, blink frames and a products row; the mean beats the data against the truth', () => {
    const [p] = listProducts(ws.db, ids[1]!, 'restore');
    expect(p!.params).toMatchObject({ op: 'auto', prior: 'wiener', samples: 8 });
    expect(p!.summary).toMatchObject({ op: 'deconvolve', prior: 'wiener', priorReason: 'requested', bands: BANDS, samples: 8 });
    const stamp = readStampFile(resolve(ws.dir, 'cutouts/sim/1.fits'));
    // Noise per band = √(median variance) of the stamp, computed here independently.
    const sig = stamp.variance!.map((v) => Math.sqrt([...v].sort((a, b) => a - b)[v.length >> 1]!));
    (p!.summary.noiseSigma as number[]).forEach((s, b) => expect(s).toBeCloseTo(sig[b]!, 4));

    const h = hdus(resolve(ws.dir, p!.path));
    expect(h.map((x) => x.name)).toEqual(['PRIMARY', 'MEAN', 'STD', 'SAMPLES']);
    expect(h[1]!.data!.shape).toEqual([4, 45, 45]);
    expect(h[3]!.data!.shape).toEqual([8, 4, 45, 45]);
    expect(h[1]!.header.get('CRVAL1')).toBeCloseTo(stamp.header.get('CRVAL1') as number, 10);
    expect(h[1]!.header.get('CTYPE2')).toBe(stamp.header.get('CTYPE2'));
    expect(h[1]!.header.getString('BANDS')).toBe('g,r,i,z');

    // Frames: stamp cubes registered as cutouts; the mean frame holds the MEAN HDU's planes.
    const cut = ws.db.prepare("SELECT kind, path FROM cutouts WHERE source_id = ? AND kind LIKE 'restore-%' ORDER BY kind").all(ids[1]) as { kind: string; path: string }[];
    expect(cut.map((c) => c.kind)).toEqual(['restore-mean', 'restore-std']);
    const mean = readStampFile(resolve(ws.dir, cut[0]!.path)), std = readStampFile(resolve(ws.dir, cut[1]!.path));
    expect(mean.bands).toEqual(BANDS);
    const md = h[1]!.data!.data as ArrayLike<number>;
    expect(Math.abs(mean.planes[2]![700]! - md[2 * N + 700]!)).toBeLessThan(1e-6 * Math.abs(md[2 * N + 700]!) + 1e-6); // float32 frame
    const sd = h[2]!.data!.data as ArrayLike<number>;
    expect(Math.abs(std.planes[0]![5]! - sd[5]!)).toBeLessThan(1e-6 * sd[5]!);
    expect(std.planes.every((pl) => pl.every((v) => v > 0 && Number.isFinite(v)))).toBe(true);

    // Physics: the deconvolved mean blurred again by the PSF is closer to the noiseless model than the
    // noisy data are (the Wiener posterior mean removes noise); r band, sum of squares over the stamp.
    const psf = gaussianPsf(getPreset('lsst').bands.r!.seeing / 0.2);
    const blur = convolutionOperator({ bands: 1, rows: 45, cols: 45, psfs: [psf], boundary: 'periodic' });
    const m = Float64Array.from(mean.planes[1]!);
    const reblur = blur.apply(m);
    const truth = models[1]![1]!, data = stamp.planes[1]!;
    let eData = 0, eMean = 0;
    for (let i = 0; i < N; i++) {
      eData += (data[i]! - truth[i]!) ** 2;
      eMean += (reblur[i]! - truth[i]!) ** 2;
    }
    expect(eMean).toBeLessThan(0.7 * eData);
  });

  it('the cutout bundle carries the latest restore product of each candidate, by row, with a manifest', () => {
    const out = join(ws.dir, 'exports', 'bundle');
    const b = writeCutoutBundle(repo, ws.dir, out, {}, () => undefined, () => undefined);
    expect(b.rows).toBe(4);
    expect(b.products).toEqual({ files: 3, missing: 0 });
    const latest0 = listProducts(ws.db, ids[0]!, 'restore')[0]!;
    expect(latest0.params.seed).toBe(5);
    const copied = readFileSync(join(out, 'products', 'restore', '00000-SIM_0.fits'));
    expect(copied.equals(readFileSync(resolve(ws.dir, latest0.path)))).toBe(true);
    const csv = readFileSync(join(out, 'products.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('row,source_id,kind,file,prior,created_at,job_id,workspace_path');
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 5).join(','))).toEqual([
      `0,${ids[0]},restore,products/restore/00000-SIM_0.fits,wiener`,
      `1,${ids[1]},restore,products/restore/00001-SIM_1.fits,wiener`,
      `2,${ids[2]},restore,products/restore/00002-SIM_2.fits,wiener`,
    ]);
    expect(existsSync(join(out, 'products', 'restore', '00003-SIM_3.fits'))).toBe(false);
  });

  it('auto: inpaints a stamp with NaNs, falls back to Wiener without a prior (saying why); a missing stamp fails alone, named', async () => {
    rmSync(resolve(ws.dir, 'cutouts/sim/2.fits'));
    const params = prepareRestore({ sourceIds: [ids[2]!, ids[3]!] });
    expect(params).toMatchObject({ op: 'auto', prior: 'auto', samples: 16 });
    const r = await restoreKind.run(jobContext(repo, ws.dir, params)) as { restored: number; failed: number; failures: { sourceId: number; error: string }[] };
    expect(r).toMatchObject({ restored: 1, failed: 1 });
    expect(r.failures[0]!.sourceId).toBe(ids[2]);
    expect(r.failures[0]!.error).toContain(resolve(ws.dir, 'cutouts/sim/2.fits'));
    expect(r.failures[0]!.error).toMatch(/missing/);
    const [p] = listProducts(ws.db, ids[3]!, 'restore');
    expect(p!.summary).toMatchObject({ op: 'inpaint', prior: 'wiener', badPixels: 16 });
    expect(String(p!.summary.priorReason)).toMatch(/^Wiener: no score prior installed/);
    const mean = readStampFile(resolve(ws.dir, (p!.summary.frames as { mean: string }).mean));
    // The NaN patch is filled with finite values of the band's level (between the stamp's min and max).
    const src = readStampFile(resolve(ws.dir, 'cutouts/sim/3.fits')).planes[1]!.filter(Number.isFinite);
    const lo = Math.min(...src), hi = Math.max(...src);
    for (let r0 = 20; r0 < 24; r0++) for (let k = 18; k < 22; k++) {
      const v = mean.planes[1]![r0 * 45 + k]!;
      expect(Number.isFinite(v) && v >= lo && v <= hi).toBe(true);
    }
  }, 60_000);

  it('rejects bad parameters by field (job kind and API schema)', () => {
    expect(() => prepareRestore({})).toThrow(/sourceIds, catalogId or minConsensus/);
    expect(() => prepareRestore({ sourceIds: [1], op: 'sharpen' })).toThrow(/op must be one of/);
    expect(() => prepareRestore({ sourceIds: [1], prior: 'magic' })).toThrow(/prior must be one of/);
    expect(() => prepareRestore({ sourceIds: [1], prior: 'learned', samples: 1 })).toThrow(/samples ≥ 2/);
    expect(() => prepareRestore({ sourceIds: [1], preset: 'nope' })).toThrow(/nope/);
    expect(jobParamSchemas.restore.safeParse({ sourceIds: [1], pror: 'wiener' }).success).toBe(false);
    expect(jobParamSchemas.restore.safeParse({ sourceIds: [1], samples: 1e6 }).success).toBe(false);
    expect(jobParamSchemas.restore.safeParse({ sourceIds: [1], op: 'deconvolve', prior: 'wiener', samples: 8 }).success).toBe(true);
  });
});

// The learned prior path: runs only where a score prior is installed (models/priors/score-galaxies-64 or
// LENSDESK_SCORE_PRIOR at the time the file loads).
const PRIOR = bundledScorePrior();
describe.skipIf(!PRIOR)(`restore job with the installed score prior${PRIOR ? '' : ' (skipped: no score prior installed)'}`, () => {
  it('auto picks the score prior, mirror-pads 45² to the network grid and crops back', async () => {
    process.env.LENSDESK_SCORE_PRIOR = PRIOR!;
    try {
      const params = prepareRestore({ sourceIds: [ids[0]!], samples: 2, stepsPerLevel: 1, threads: 1 });
      const r = await restoreKind.run(jobContext(repo, ws.dir, params));
      expect(r).toMatchObject({ restored: 1, priors: { 'score-unet': 1 } });
      const [p] = listProducts(ws.db, ids[0]!, 'restore');
      expect(p!.summary).toMatchObject({ prior: 'score-unet', priorReason: 'bundled score prior installed', modelDir: PRIOR });
      expect((p!.summary.notes as string[]).some((n) => /mirror-padded 45 × 45 → \d+ × \d+/.test(n))).toBe(true);
      const mean = readStampFile(resolve(ws.dir, (p!.summary.frames as { mean: string }).mean));
      expect([mean.width, mean.height]).toEqual([45, 45]);
      expect(existsSync(resolve(ws.dir, p!.path))).toBe(true);
    } finally {
      process.env.LENSDESK_SCORE_PRIOR = join(ws.dir, 'no-prior-here');
    }
  }, 120_000);
});

// Without LENSDESK_SCORE_PRIOR: the bundled 48² prior for a 45² stamp, at the ladder of its card (10 levels).
const SMALL = bundledScorePrior(RESTORE_PRIOR, {});
describe.skipIf(!SMALL)('restore job default prior', () => {
  it('is the 48² score prior with its validated ladder (levels from its card)', async () => {
    const saved = process.env.LENSDESK_SCORE_PRIOR;
    delete process.env.LENSDESK_SCORE_PRIOR;
    try {
      const params = prepareRestore({ sourceIds: [ids[1]!], samples: 2, stepsPerLevel: 1, threads: 1 });
      const r = await restoreKind.run(jobContext(repo, ws.dir, params));
      expect(r).toMatchObject({ restored: 1, priors: { 'score-unet': 1 } });
      const [p] = listProducts(ws.db, ids[1]!, 'restore');
      expect(p!.summary).toMatchObject({ prior: 'score-unet', modelDir: SMALL });
      expect(String(p!.summary.method)).toMatch(/10x1 sigma/);
    } finally {
      if (saved === undefined) delete process.env.LENSDESK_SCORE_PRIOR;
      else process.env.LENSDESK_SCORE_PRIOR = saved;
    }
  }, 120_000);
});
