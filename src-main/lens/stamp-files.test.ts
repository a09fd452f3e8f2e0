// Source stamps from FITS (folder or cube), through `lensdesk simulate` and its worker pool (shared
// memory, structured clone), and the Simulate job's params.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFits, type CardInput } from '../../src-core/fits';
import { FitsTable } from '../../src-core/fits/table';
import { simulateRange } from '../../src-core/lens/simulate';
import type { CliIO } from '../cli/command';
import { simulateCommand } from '../cli/commands/simulate';
import { stampStats } from '../../src-core/lens/profiles/stamp-source';
import { HAS_SHARED, SHARED_DIR, SHARED_SKIP_REASON, sharedFits } from '../../test/shared';
import { openFitsFile } from '../fits/file-source';
import { loadSimulationConfig, prepareSimulate } from '../jobs/kinds/simulate';
import { runSimulationChunks } from '../workers/simulate-pool';
import { sha256File } from './psf-file';
import { headerPixelScale } from '../../src-core/wcs/pixel-scale';
import { readStampLibrary } from './stamp-files';

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-stamps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function galaxy(n: number, seed: number): Float32Array {
  const d = new Float32Array(n * n), c = (n - 1) / 2;
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    d[j * n + i] = 50 * Math.exp(-0.5 * (((i - c) / (4 + seed)) ** 2 + ((j - c) / 3) ** 2)) + 20 * Math.exp(-0.5 * ((i - c - 6) ** 2 + (j - c - seed) ** 2) / 3);
  }
  return d;
}
const put = (p: string, shape: number[], data: Float32Array, cards: CardInput[] = []) => writeFileSync(p, writeFits([{ kind: 'image', shape, data, cards }]));

const folder = join(dir, 'cosmos');
mkdirSync(folder);
// 0.03″ pixels three ways: CDELT, CD (rotated 30°), PIXSCALE; one file is a cube of 2 stamps.
put(join(folder, 'g1.fits'), [41, 41], galaxy(41, 0), [{ keyword: 'CDELT1', value: -0.03 / 3600 }, { keyword: 'CDELT2', value: 0.03 / 3600 }]);
const cd = 0.03 / 3600, a = Math.PI / 6;
put(join(folder, 'g2.fits'), [2, 41, 41], Float32Array.from([...galaxy(41, 1), ...galaxy(41, 2)]), [
  { keyword: 'CD1_1', value: -cd * Math.cos(a) }, { keyword: 'CD1_2', value: cd * Math.sin(a) }, { keyword: 'CD2_1', value: cd * Math.sin(a) }, { keyword: 'CD2_2', value: cd * Math.cos(a) }]);
put(join(folder, 'g3.fits'), [41, 41], galaxy(41, 3), [{ keyword: 'PIXSCALE', value: 0.03 }]);
writeFileSync(join(folder, 'notes.txt'), 'not a stamp');

function io(): CliIO & { lines: string[]; errs: string[] } {
  const lines: string[] = [], errs: string[] = [];
  return { lines, errs, out: (t) => lines.push(t), err: (t) => errs.push(t), progress: () => {}, signal: new AbortController().signal };
}

describe('source stamps from FITS', () => {
  it('reads a folder (images and cubes) with pixel scales from CDELT, CD or PIXSCALE into shared memory', () => {
    const r = readStampLibrary(folder, { fraction: 0.7 });
    expect(r.library.stamps.map((s) => s.name)).toEqual(['g1.fits', 'g2.fits[0]', 'g2.fits[1]', 'g3.fits']);
    for (const s of r.library.stamps) {
      expect(s.pixelScale).toBeCloseTo(0.03, 10);
      expect(s.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    }
    expect(r.library.fraction).toBe(0.7);
    expect(r.files.map((f) => [f.file, f.stamps, f.sha256])).toEqual(['g1.fits', 'g2.fits', 'g3.fits'].map((f, i) => [f, i === 1 ? 2 : 1, sha256File(join(folder, f))]));
    expect(readStampLibrary(folder).library.id).toBe(r.library.id);
    expect(readStampLibrary(folder, { scale: 0.05 }).library.stamps[0]!.pixelScale).toBe(0.05);
    expect(readStampLibrary(folder, { scale: 0.05 }).library.id).not.toBe(r.library.id);
    expect(readStampLibrary(join(folder, 'g2.fits')).library.stamps.map((s) => s.name)).toEqual(['g2.fits[0]', 'g2.fits[1]']);
  });

  it('refuses stamps without a pixel scale, without flux, of the wrong shape, or unreadable, naming the file', () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    put(join(bad, 'noscale.fits'), [21, 21], galaxy(21, 0));
    expect(() => readStampLibrary(bad)).toThrow(/noscale\.fits: no pixel scale.*--source-stamp-scale/);
    put(join(bad, 'noscale.fits'), [21, 21], new Float32Array(441).fill(-1), [{ keyword: 'PIXSCALE', value: 0.03 }]);
    expect(() => readStampLibrary(bad)).toThrow(/noscale\.fits: stamp has no positive flux/);
    put(join(bad, 'noscale.fits'), [2, 2, 5, 5], new Float32Array(100).fill(1), [{ keyword: 'PIXSCALE', value: 0.03 }]);
    expect(() => readStampLibrary(bad)).toThrow(/noscale\.fits: a stamp must be H × W or a cube/);
    writeFileSync(join(bad, 'noscale.fits'), 'garbage');
    expect(() => readStampLibrary(bad)).toThrow(/noscale\.fits: cannot read the stamp FITS file/);
    expect(() => readStampLibrary(join(dir, 'nowhere'))).toThrow(/does not exist/);
    expect(() => readStampLibrary(join(dir, 'bad'), { scale: -1 })).toThrow(/scale must be in/);
  });

  it('the worker pool carries the stamps (structured clone of shared memory): same bytes as in-process', async () => {
    const lib = readStampLibrary(folder, { fraction: 1 }).library;
    const config = { preset: 'lsst', lensFraction: 1, sourceStamps: lib };
    const [r] = await runSimulationChunks([{ config, seed: 4, start: 0, count: 4 }], { workers: 1 });
    const local = simulateRange(config, 4, 0, 4);
    expect(Array.from(r!.images!)).toEqual(Array.from(local.images));
    expect(r!.truths!.map((t) => t.src_stamp)).toEqual(local.truths.map((t) => t.src_stamp));
    expect(r!.truths!.every((t) => t.src_kind === 'stamp')).toBe(true);
  });

  it('lensdesk simulate --source-stamps --psf records files and hashes in simulate.json and the chunks', async () => {
    const psf = new Float32Array(81);
    for (let j = 0; j < 9; j++) for (let i = 0; i < 9; i++) psf[j * 9 + i] = Math.exp(-((i - 4) ** 2 + (j - 4) ** 2) / 5);
    put(join(dir, 'psf_r.fits'), [9, 9], psf);
    const out = join(dir, 'set');
    const args = ['--preset', 'lsst', '--n', '6', '--chunk', '3', '--out', out, '--seed', '2', '--workers', '2', '--lens-fraction', '1',
      '--psf', `r=${join(dir, 'psf_r.fits')}`, '--source-stamps', folder, '--source-stamp-fraction', '0.5', '--json'];
    const a = io();
    expect(await simulateCommand.run(args, a)).toBe(0);
    expect(JSON.parse(a.lines[0]!).written).toBe(6);
    const m = JSON.parse(readFileSync(join(out, 'simulate.json'), 'utf8'));
    expect(m.config.psfOverride.r).toEqual({ type: 'pixel', width: 9, origin: { file: 'psf_r.fits', sha256: sha256File(join(dir, 'psf_r.fits')) } });
    expect(m.config.sourceStamps).toMatchObject({ fraction: 0.5, count: 4 });
    expect(m.sourceStamps.files.map((f: { file: string }) => f.file)).toEqual(['g1.fits', 'g2.fits', 'g3.fits']);
    const chunk = readdirSync(out).filter((f) => f.endsWith('.fits')).sort()[0]!;
    const f = openFitsFile(join(out, chunk));
    expect(f.hdu(0).header.getString('PSFFILE2')).toBe('psf_r.fits');
    expect(f.hdu(0).header.getString('STAMPLIB')).toBe(m.sourceStamps.id);
    const kinds = new FitsTable(f, f.find('TRUTH')!).readNumericColumn('src_stamp_index');
    expect(kinds.length).toBe(3);
    f.source.close?.();
    // Same command again: everything skipped (the manifest matches); another PSF file is refused.
    const b = io();
    expect(await simulateCommand.run(args, b)).toBe(0);
    expect(JSON.parse(b.lines[0]!)).toMatchObject({ written: 0, skipped: 6 });
    psf[0] = 0.001;
    put(join(dir, 'psf_r.fits'), [9, 9], psf);
    await expect(simulateCommand.run(args, io())).rejects.toThrow(/other settings/);
    await expect(simulateCommand.run(['--n', '2', '--out', join(dir, 'x'), '--source-stamp-scale', '0.03'], io())).rejects.toThrow(/need --source-stamps/);
  });

  it('the Simulate job validates PSF and stamp params and loads them when it runs', () => {
    const psfPath = join(dir, 'psf_r.fits');
    const p = prepareSimulate({ preset: 'lsst', count: 3, psf: { r: psfPath }, sourceStamps: folder, sourceStampFraction: 0.4 }, { name: 'x', count: 1 });
    expect(p.psfFiles).toEqual([{ band: 'r', path: psfPath, sha256: sha256File(psfPath) }]);
    expect(p.sourceStamps).toEqual({ path: folder, fraction: 0.4 });
    expect(JSON.parse(JSON.stringify(p))).toEqual(p); // job params are stored as JSON
    const cfg = loadSimulationConfig(p);
    expect(cfg.psfOverride!.r).toMatchObject({ type: 'pixel', width: 9 });
    expect(cfg.sourceStamps!.stamps.length).toBe(4);
    expect(() => prepareSimulate({ psf: { u: psfPath } }, { name: 'x', count: 1 })).toThrow(/band 'u'/);
    expect(() => prepareSimulate({ psf: join(dir, 'none.fits') }, { name: 'x', count: 1 })).toThrow(/none\.fits.*cannot read/);
    expect(() => prepareSimulate({ sourceStamps: folder, sourceStampFraction: 2 }, { name: 'x', count: 1 })).toThrow(/params\.sourceStampFraction/);
    expect(() => prepareSimulate({ sourceStamps: join(dir, 'nowhere') }, { name: 'x', count: 1 })).toThrow(/does not exist/);
    expect(() => prepareSimulate({ psf: 42 }, { name: 'x', count: 1 })).toThrow(/params\.psf/);
    // A PSF file changed after queueing is refused when the job runs.
    const psf = new Float32Array(81).fill(0.01); psf[40] = 1;
    put(psfPath, [9, 9], psf);
    expect(() => loadSimulationConfig(p)).toThrow(/changed since the job was queued/);
  });

  it('pixel scale from a rotated CD matrix = √|det CD|', () => {
    const f = openFitsFile(join(folder, 'g2.fits'));
    expect(headerPixelScale(f.hdu(0).header)).toBeCloseTo(0.03, 10);
    f.source.close?.();
  });
});

describe.skipIf(!HAS_SHARED)(`a real image as a stamp (SkyView M13, plain and RICE-compressed; ${HAS_SHARED ? 'astropy reference' : SHARED_SKIP_REASON})`, () => {
  it('pixel scale from CDELT and the pixel sum match astropy', () => {
    const ref = JSON.parse(readFileSync(sharedFits('m13.fits.ref.json'), 'utf8')).hdus[0];
    const cdelt = (ref.header as [string, number][]).find(([k]) => k === 'CDELT2')![1];
    for (const name of ['m13.fits', 'm13_rice.fits']) {
      const s = readStampLibrary(sharedFits(name)).library.stamps[0]!;
      expect([s.height, s.width]).toEqual(ref.data_shape);
      expect(s.pixelScale).toBeCloseTo(cdelt * 3600, 9);
      // Every M13 pixel is positive (no sky subtraction), so the clipped sum is the plain sum.
      expect(stampStats(s).sum).toBe(ref.stats.sum);
    }
  });
});

describe('every image HDU is a stamp; GalSim real-galaxy catalogs', () => {
  it('a file with one stamp per HDU gives them all, each named by its HDU', () => {
    const multi = join(dir, 'multi');
    mkdirSync(multi);
    const scale = [{ keyword: 'PIXSCALE', value: 0.05 }];
    writeFileSync(join(multi, 'hdus.fits'), writeFits([
      { kind: 'image', shape: [41, 41], data: galaxy(41, 0), cards: scale },
      { kind: 'image', shape: [41, 41], data: galaxy(41, 1), cards: scale },
      { kind: 'image', shape: [2, 41, 41], data: Float32Array.from([...galaxy(41, 2), ...galaxy(41, 3)]), cards: scale },
    ]));
    const r = readStampLibrary(multi);
    expect(r.library.stamps.map((s) => s.name)).toEqual(['hdus.fits HDU 0', 'hdus.fits HDU 1', 'hdus.fits HDU 2[0]', 'hdus.fits HDU 2[1]']);
    expect(r.library.stamps[1]!.data[20 * 41 + 20]).toBeCloseTo(galaxy(41, 1)[20 * 41 + 20]!, 4);
    expect(r.files).toEqual([expect.objectContaining({ file: 'hdus.fits', stamps: 4 })]);
  });
});

describe.skipIf(!HAS_SHARED)(`GalSim real-galaxy catalogs as simulator sources (../shared/data/galaxies; ${HAS_SHARED ? 'astropy reference' : SHARED_SKIP_REASON})`, () => {
  const gal = join(SHARED_DIR, 'data', 'galaxies');
  it('a folder with catalogs gives their galaxies (GAL_FILENAME[GAL_HDU] at PIXEL_SCALE), not the image or PSF files', () => {
    const r = readStampLibrary(gal);
    // 5 galaxies in each of the F606W and F814W catalogs (astropy: len(catalog[1].data)).
    expect(r.library.stamps).toHaveLength(10);
    expect(r.files.map((f) => f.file)).toEqual(['AEGIS_F606w_catalog.fits', 'AEGIS_F814w_catalog.fits']);
    const s = r.library.stamps[0]!;
    // Row 0 of the F606W catalog: AEGIS_F606w_images_01.fits HDU 0, 46 × 70 at 0.03″; astropy's pixel sum 3.6770480861943753.
    expect([s.height, s.width, s.pixelScale]).toEqual([46, 70, 0.03]);
    expect(s.name).toMatch(/AEGIS_F606w_images_01\.fits\[0\]/);
    expect(Array.from(s.data).reduce((a, b) => a + b, 0)).toBeCloseTo(3.6770480861943753, 4);
    // One catalog file alone: its 5 galaxies.
    expect(readStampLibrary(join(gal, 'AEGIS_F814w_catalog.fits')).library.stamps).toHaveLength(5);
    // An image file alone (no WCS, no PIXSCALE): every HDU is a stamp once the scale is given.
    expect(readStampLibrary(join(gal, 'AEGIS_F814w_images_01.fits'), { scale: 0.03 }).library.stamps).toHaveLength(3);
  });
});
