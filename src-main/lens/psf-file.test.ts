// PSF FITS files: a kernel read from a file (written here with the project's FITS writer) gives the
// same cutout as the same kernel passed in memory; every malformed file is refused naming file/band.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFits } from '../../src-core/fits';
import { encodeSimulationFits } from '../../src-core/lens/fits-cube';
import { simulateCutout, simulateRange } from '../../src-core/lens/simulate';
import { fitCommand } from '../cli/commands/fit';
import { parsePsfArgs, readPsf, readPsfFile, sha256File } from './psf-file';

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-psf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Moffat-like kernel (not Gaussian, so it cannot be confused with the default PSF), w × w. */
function kernel(w: number, alpha: number, dx = 0, dy = 0): Float64Array {
  const k = new Float64Array(w * w), c = (w - 1) / 2;
  for (let j = 0; j < w; j++) for (let i = 0; i < w; i++) k[j * w + i] = (1 + ((i - c - dx) ** 2 + (j - c - dy) ** 2) / (alpha * alpha)) ** -3;
  return k;
}
function write(name: string, shape: number[], data: Float64Array | Float32Array): string {
  const p = join(dir, name);
  writeFileSync(p, writeFits([{ kind: 'image', shape, data }]));
  return p;
}
const cube = (...ks: Float64Array[]) => { const out = new Float64Array(ks.reduce((n, k) => n + k.length, 0)); let o = 0; for (const k of ks) { out.set(k, o); o += k.length; } return out; };

const kg = kernel(15, 2.5), kr = kernel(13, 2.0), ki = kernel(13, 1.8), kz = kernel(13, 1.7);
const gFile = write('psf_g.fits', [15, 15], Float32Array.from(kg));
const rFile = write('psf_r.fits', [13, 13], kr);
const cubeFile = write('psf_griz.fits', [4, 13, 13], cube(kernel(13, 2.2), kr, ki, kz));
const bands = ['g', 'r', 'i', 'z'];

describe('PSF from FITS', () => {
  it('a PSF file gives the same cutout as the equivalent psfOverride kernel (image, per band, cube)', () => {
    const mem = { g: { type: 'pixel' as const, width: 15, kernel: Float64Array.from(Float32Array.from(kg)) }, r: { type: 'pixel' as const, width: 13, kernel: kr } };
    const fromFile = parsePsfArgs([`g=${gFile}`, `r=${rFile}`], bands, 'lsst');
    expect(fromFile.override.g!.origin).toEqual({ file: 'psf_g.fits', sha256: sha256File(gFile) });
    for (const i of [0, 1, 2]) {
      const a = simulateCutout({ preset: 'lsst', lensFraction: 1, psfOverride: fromFile.override }, 9, i, { model: true });
      const b = simulateCutout({ preset: 'lsst', lensFraction: 1, psfOverride: mem }, 9, i, { model: true });
      for (let k = 0; k < 4; k++) expect(Buffer.from(a.bands[k].buffer)).toEqual(Buffer.from(b.bands[k].buffer));
      // And the file PSF is used: the g model differs from the default Gaussian's.
      const d = simulateCutout({ preset: 'lsst', lensFraction: 1 }, 9, i, { model: true });
      expect(Buffer.from(a.model![0].buffer)).not.toEqual(Buffer.from(d.model![0].buffer));
      expect(Buffer.from(a.model![2].buffer)).toEqual(Buffer.from(d.model![2].buffer)); // i: no file, model PSF
    }
    const c = parsePsfArgs([cubeFile], bands, 'lsst');
    expect(c.override.i!.origin).toEqual({ file: 'psf_griz.fits', sha256: sha256File(cubeFile), plane: 2 });
    expect(Array.from(c.override.i!.kernel)).toEqual(Array.from(ki));
    const one = parsePsfArgs([rFile, 'moffat'], bands, 'lsst');
    expect(one.model).toBe('moffat');
    expect(Object.keys(one.override)).toEqual(bands);
    expect(readPsf(cubeFile, ['g', 'r', 'i', 'z'])[3]).toMatchObject({ type: 'pixel', width: 13 });
  });

  it('refuses malformed PSFs naming the file and band', () => {
    const even = write('even.fits', [14, 14], kernel(14, 2));
    const oneD = write('oned.fits', [13], kernel(13, 2).subarray(0, 13));
    const fourD = write('fourd.fits', [1, 1, 13, 13], kernel(13, 2));
    const nan = kernel(13, 2); nan[40] = NaN;
    const nanFile = write('nan.fits', [13, 13], nan);
    const neg = kernel(13, 2).map((v) => -v);
    const negFile = write('neg.fits', [13, 13], neg);
    const off = write('off.fits', [13, 13], kernel(13, 1.5, 3, 0));
    const junk = join(dir, 'junk.fits');
    writeFileSync(junk, 'not a FITS file at all');
    const cases: [string[], RegExp, string][] = [
      [[`g=${even}`], /even\.fits \(band g\).*odd/, 'PSF_SHAPE'],
      [[oneD], /oned\.fits.*2-D image or a bands × H × W cube/, 'PSF_SHAPE'],
      [[fourD], /fourd\.fits.*shape \[1, 1, 13, 13\]/, 'PSF_SHAPE'],
      [[`r=${nanFile}`], /nan\.fits \(band r\).*pixel 1, 3 is NaN/, 'PSF_NOT_FINITE'],
      [[`r=${negFile}`], /neg\.fits \(band r\).*sum to -/, 'PSF_SUM'],
      [[`z=${off}`], /off\.fits \(band z\).*peak at pixel \(9, 6\)/, 'PSF_OFF_CENTRE'],
      [[`i=${junk}`], /junk\.fits \(band i\).*cannot read/, 'PSF_UNREADABLE'],
      [[`i=${join(dir, 'missing.fits')}`], /missing\.fits \(band i\).*cannot read/, 'PSF_UNREADABLE'],
      [[write('three.fits', [3, 13, 13], cube(kr, ki, kz))], /three\.fits: 3 PSF planes for 4 bands/, 'PSF_BANDS'],
      [[`i=${cubeFile}`], /psf_griz\.fits \(band i\).*one 2-D image/, 'PSF_BANDS'],
      [[`u=${rFile}`], /band 'u'.*simulated bands of lsst are g,r,i,z/, 'PSF_BAND'],
      [[rFile, `g=${gFile}`], /either one PSF file/, 'PSF_ARGS'],
    ];
    for (const [args, msg, code] of cases) {
      let err: unknown;
      try { parsePsfArgs(args, bands, 'lsst'); } catch (e) { err = e; }
      expect(err, args.join(' ')).toBeDefined();
      expect((err as Error).message).toMatch(msg);
      expect((err as { code: string }).code).toBe(code);
    }
  });

  it('accepts an asymmetric PSF whose peak is centred but warns when its centroid is off by > 0.5 px', () => {
    const k = kernel(15, 1.2);
    for (let j = 0; j < 15; j++) k[j * 15 + 13] += 0.3; // a bright column 6 px right of the centre
    const f = readPsfFile(write('asym.fits', [15, 15], k));
    expect(f.warnings.join()).toMatch(/asym\.fits: PSF centroid \d\.\d\d, 0\.00 px from the centre/);
    expect(readPsfFile(rFile).warnings).toEqual([]);
  });
});

describe('lensdesk fit --psf (the same reader)', () => {
  it('refuses a PSF cube whose planes do not match the cutout bands, naming the file and bands', async () => {
    const cut = join(dir, 'cutout.fits');
    writeFileSync(cut, encodeSimulationFits(simulateRange({ preset: 'lsst' }, 1, 0, 1)));
    const three = write('three3.fits', [3, 13, 13], cube(kr, ki, kz));
    const io = { out: () => {}, err: () => {}, progress: () => {}, signal: new AbortController().signal };
    await expect(fitCommand.run([cut, '--psf', three, '--workers', '0'], io)).rejects.toThrow(/three3\.fits: 3 PSF planes for 4 bands \(g,r,i,z\)/);
  });
});
