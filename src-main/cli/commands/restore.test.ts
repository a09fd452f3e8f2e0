// `lensdesk restore` in-process on a simulated galaxy: a Sérsic-like profile blurred by a known Gaussian
// PSF plus white noise. Checks the Wiener deconvolution beats the blurred input against the truth, the STD
// HDU is positive and about the actual error of the mean, the WCS cards (and astropy's reading of them)
// equal the input's, inpainting fills NaNs, and bad inputs give clear errors.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readImage } from '../../../src-core/fits/image';
import { writeFits } from '../../../src-core/fits/writer';
import { convolutionOperator, gaussianPsf } from '../../../src-core/inverse/operators/convolution';
import { Rng } from '../../../src-core/rng';
import { openFitsFile } from '../../fits/file-source';
import { simulatedImages, trainScorePrior } from '../../score/train-prior';
import { restoreCommand } from './restore';

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-restore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io() {
  const out: string[] = [], err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), progress: () => {}, signal: new AbortController().signal } };
}

const N = 64, SIGMA = 0.02, SCALE = 0.2; // arcsec/pixel
const FWHM_PX = 4;
const WCS = [
  { keyword: 'CTYPE1', value: 'RA---TAN' }, { keyword: 'CTYPE2', value: 'DEC--TAN' },
  { keyword: 'CRPIX1', value: 32.5 }, { keyword: 'CRPIX2', value: 32.5 },
  { keyword: 'CRVAL1', value: 150.1 }, { keyword: 'CRVAL2', value: 2.2 },
  { keyword: 'CD1_1', value: -SCALE / 3600 }, { keyword: 'CD1_2', value: 0 }, { keyword: 'CD2_1', value: 0 }, { keyword: 'CD2_2', value: SCALE / 3600 },
];

// Truth: an elliptical exponential disc plus a compact bulge and a small companion.
const truth = new Float64Array(N * N);
for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) {
  const dx = x - 31, dy = y - 33, q = 0.6, r = Math.hypot(dx * 0.8 + dy * 0.6, (-dx * 0.6 + dy * 0.8) / q);
  truth[y * N + x] = Math.exp(-r / 4) + 0.8 * Math.exp(-(r * r) / 2) + 0.5 * Math.exp(-((x - 45) ** 2 + (y - 20) ** 2) / 3);
}
const psf = gaussianPsf(FWHM_PX);
const blurred = convolutionOperator({ bands: 1, rows: N, cols: N, psfs: [psf] }).apply(truth);
const rng = new Rng(42, 1);
const observed = blurred.map((v) => v + SIGMA * rng.normal());
const rmse = (a: ArrayLike<number>, b: ArrayLike<number>) => { let s = 0; for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2; return Math.sqrt(s / a.length); };

function readHdu(path: string, name: string) {
  const f = openFitsFile(path);
  try {
    const h = f.find(name);
    if (!h) return undefined;
    const img = readImage(f, h);
    return { shape: img.shape, data: Float64Array.from(img.data as ArrayLike<number>), header: h.header, primary: f.hdu(0).header };
  } finally {
    f.source.close?.();
  }
}

const PY = '/usr/bin/python3';
const hasAstropy = existsSync(PY) && (() => {
  try { execFileSync(PY, ['-c', 'import astropy, numpy'], { stdio: 'ignore', timeout: 30000 }); return true; } catch { return false; }
})();

describe('lensdesk restore', () => {
  const input = join(dir, 'cutout.fits');
  writeFileSync(input, writeFits([{ kind: 'image', shape: [N, N], data: observed, cards: WCS }]));
  const psfFile = join(dir, 'psf.fits');
  writeFileSync(psfFile, writeFits([{ kind: 'image', shape: [psf.height, psf.width], data: Float64Array.from(psf.kernel) }]));

  it('deconvolve --prior wiener: lower RMSE than the blurred input, calibrated STD, samples, WCS kept', { timeout: 60000 }, async () => {
    const out = join(dir, 'wiener.fits'), c = io();
    const code = await restoreCommand.run([input, '--op', 'deconvolve', '--psf', psfFile, '--prior', 'wiener', '--samples', '8', '--out', out, '--json'], c.io);
    expect(code).toBe(0);
    const j = JSON.parse(c.out[0]!);
    expect(j).toMatchObject({ op: 'deconvolve', prior: 'wiener', bands: 1, samples: 8, std: true });
    // Border MAD noise estimate within 20 % of the true σ.
    expect(Math.abs(j.noiseSigma[0] / SIGMA - 1)).toBeLessThan(0.2);
    const mean = readHdu(out, 'MEAN')!, std = readHdu(out, 'STD')!, samples = readHdu(out, 'SAMPLES')!;
    const before = rmse(observed, truth), after = rmse(mean.data, truth);
    console.log(`restore wiener deconvolve: RMSE blurred ${before.toFixed(4)} → restored ${after.toFixed(4)}; STD ${std.data[0]!.toFixed(4)}`);
    expect(after).toBeLessThan(0.8 * before);
    expect(std.data.every((v) => v > 0)).toBe(true);
    // The posterior std should be about the actual error of the mean (within a factor 3) and below the prior scale.
    expect(std.data[0]! / after).toBeGreaterThan(1 / 3);
    expect(std.data[0]! / after).toBeLessThan(3);
    expect(samples.shape).toEqual([8, N, N]);
    // The samples' spread around the mean matches the STD HDU (8 draws × 4096 pixels).
    let s2 = 0;
    for (let k = 0; k < 8; k++) for (let i = 0; i < N * N; i++) s2 += (samples.data[k * N * N + i]! - mean.data[i]!) ** 2;
    expect(Math.abs(Math.sqrt(s2 / (8 * N * N)) / std.data[0]! - 1)).toBeLessThan(0.1);
    for (const h of [mean.header, mean.primary]) {
      for (const w of WCS) expect(h.get(w.keyword)).toBe(w.value);
      expect(h.get('PRIOR')).toBe('wiener');
      expect(h.get('OP')).toBe('deconvolve');
      expect(h.get('NSAMPLES')).toBe(8);
    }
  });

  it.skipIf(!hasAstropy)(`astropy reads the same sky position from input and MEAN${hasAstropy ? '' : ' (skipped: /usr/bin/python3 with astropy absent)'}`, { timeout: 60000 }, async () => {
    const out = join(dir, 'wcs.fits');
    expect(await restoreCommand.run([input, '--op', 'denoise', '--samples', '0', '--out', out], io().io)).toBe(0);
    const py = `import sys
from astropy.io import fits
from astropy.wcs import WCS
a = WCS(fits.getheader(sys.argv[1], 0)); b = WCS(fits.getheader(sys.argv[2], 'MEAN'))
print(*a.all_pix2world([[5, 7], [40, 50]], 0).ravel(), *b.all_pix2world([[5, 7], [40, 50]], 0).ravel())`;
    const v = execFileSync(PY, ['-c', py, input, out], { encoding: 'utf8', timeout: 30000 }).trim().split(/\s+/).map(Number);
    expect(v).toHaveLength(8);
    for (let i = 0; i < 4; i++) expect(v[i + 4]).toBeCloseTo(v[i]!, 10);
  });

  it('--psf-fwhm in arcsec gives the same result as the PSF file', { timeout: 60000 }, async () => {
    const a = join(dir, 'f1.fits'), b = join(dir, 'f2.fits');
    await restoreCommand.run([input, '--op', 'deconvolve', '--psf', psfFile, '--samples', '0', '--out', a], io().io);
    await restoreCommand.run([input, '--op', 'deconvolve', '--psf-fwhm', String(FWHM_PX * SCALE), '--samples', '0', '--out', b], io().io);
    expect(rmse(readHdu(a, 'MEAN')!.data, readHdu(b, 'MEAN')!.data)).toBeLessThan(1e-9);
  });

  it('inpaint --prior wiener fills NaN and MASK pixels with finite values near the truth', { timeout: 120000 }, async () => {
    const holed = Float64Array.from(truth, (v) => v + SIGMA * rng.normal());
    const mask = new Uint8Array(N * N);
    for (let y = 28; y < 34; y++) for (let x = 10; x < 16; x++) holed[y * N + x] = NaN;
    for (let y = 40; y < 44; y++) for (let x = 30; x < 34; x++) mask[y * N + x] = 1;
    const file = join(dir, 'holes.fits'), out = join(dir, 'inpaint.fits');
    writeFileSync(file, writeFits([{ kind: 'image', shape: [N, N], data: holed, cards: WCS }, { kind: 'image', shape: [N, N], data: mask, bitpix: 8, extname: 'MASK' }]));
    const c = io();
    expect(await restoreCommand.run([file, '--op', 'inpaint', '--samples', '4', '--out', out, '--json'], c.io)).toBe(0);
    expect(JSON.parse(c.out[0]!).mask).toBe('HDU MASK');
    const mean = readHdu(out, 'MEAN')!, std = readHdu(out, 'STD')!;
    expect(mean.data.every(Number.isFinite)).toBe(true);
    const holes: number[] = [];
    for (let i = 0; i < N * N; i++) if (Number.isNaN(holed[i]!) || mask[i]) holes.push(i);
    const errHole = Math.sqrt(holes.reduce((s, i) => s + (mean.data[i]! - truth[i]!) ** 2, 0) / holes.length);
    // Filling with the image mean instead would be off by the local profile; the posterior mean does better.
    const meanFill = holes.reduce((s, i) => s + truth[i]!, 0) / holes.length;
    const errFlat = Math.sqrt(holes.reduce((s, i) => s + (meanFill - truth[i]!) ** 2, 0) / holes.length);
    expect(errHole).toBeLessThan(errFlat);
    // The std is larger in the holes than on measured pixels.
    expect(std.data[holes[0]!]!).toBeGreaterThan(std.data[5]!);
  });

  it('tv MAP: runs, no STD HDU and the header says so', { timeout: 120000 }, async () => {
    const out = join(dir, 'tv.fits'), c = io();
    expect(await restoreCommand.run([input, '--op', 'denoise', '--prior', 'tv', '--max-iter', '60', '--out', out, '--json'], c.io)).toBe(0);
    expect(readHdu(out, 'STD')).toBeUndefined();
    const mean = readHdu(out, 'MEAN')!;
    expect(String(mean.header.get('STDNOTE'))).toMatch(/no STD/);
    expect(rmse(mean.data, blurred)).toBeLessThan(rmse(observed, blurred));
  });

  it('--prior DIR: a (tiny, barely trained) score U-Net from prior train samples a 16² cutout; MEAN/STD from the samples', { timeout: 180000 }, async () => {
    const model = join(dir, 'model');
    await trainScorePrior({
      data: simulatedImages('galaxies', 16, 32, 5), size: 16, out: model, steps: 4, batch: 4, sigmas: [0.01, 2, 4],
      learningRate: 1e-3, seed: 5, threads: 1, resume: false, checkpointEvery: 100, evalImages: 8,
    });
    const small = new Float64Array(16 * 16);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) small[y * 16 + x] = Math.exp(-((x - 8) ** 2 + (y - 7) ** 2) / 8) + SIGMA * rng.normal();
    const file = join(dir, 'small.fits'), out = join(dir, 'unet.fits'), c = io();
    writeFileSync(file, writeFits([{ kind: 'image', shape: [16, 16], data: small, cards: WCS }]));
    expect(await restoreCommand.run([file, '--op', 'deconvolve', '--psf-fwhm', '0.4', '--prior', model, '--samples', '3', '--steps', '2', '--out', out, '--json'], c.io)).toBe(0);
    expect(JSON.parse(c.out[0]!)).toMatchObject({ prior: 'score-unet', samples: 3, std: true });
    const mean = readHdu(out, 'MEAN')!, std = readHdu(out, 'STD')!, samples = readHdu(out, 'SAMPLES')!;
    expect(samples.shape).toEqual([3, 16, 16]);
    expect(mean.data.every(Number.isFinite)).toBe(true);
    expect(std.data.every((v) => v > 0)).toBe(true);
    // MEAN is the average of the samples.
    for (const i of [0, 100, 200]) expect(mean.data[i]).toBeCloseTo((samples.data[i]! + samples.data[256 + i]! + samples.data[512 + i]!) / 3, 6);
    expect(mean.header.get('PRIOR')).toBe('score-unet');
    // The model is 16²: a 64² cutout is refused with the sizes named.
    await expect(restoreCommand.run([input, '--op', 'denoise', '--prior', model, '--out', join(dir, 'x.fits')], io().io)).rejects.toThrow(/16 × 16 images; the cutout is 64 × 64/);
  });

  it('bands × H × W cube: each band restored on its own; SAMPLES is N × bands × H × W; l1 MAP runs on a cube', { timeout: 120000 }, async () => {
    const cubeData = new Float64Array(2 * N * N);
    cubeData.set(observed, 0);
    for (let i = 0; i < N * N; i++) cubeData[N * N + i] = 2 * blurred[i]! + 3 * SIGMA * rng.normal();
    const file = join(dir, 'cube.fits'), out = join(dir, 'cube-out.fits'), c = io();
    writeFileSync(file, writeFits([{ kind: 'image', shape: [2, N, N], data: cubeData, cards: WCS }]));
    expect(await restoreCommand.run([file, '--op', 'deconvolve', '--psf', psfFile, '--samples', '2', '--out', out, '--json'], c.io)).toBe(0);
    const j = JSON.parse(c.out[0]!);
    expect(j.bands).toBe(2);
    // Band 2 has 3× the noise: its border estimate says so.
    expect(j.noiseSigma[1] / j.noiseSigma[0]).toBeGreaterThan(2.4);
    expect(j.noiseSigma[1] / j.noiseSigma[0]).toBeLessThan(3.6);
    const mean = readHdu(out, 'MEAN')!, samples = readHdu(out, 'SAMPLES')!, std = readHdu(out, 'STD')!;
    expect(mean.shape).toEqual([2, N, N]);
    expect(samples.shape).toEqual([2, 2, N, N]);
    // Band 1 equals the single-band run (independent bands, same data); band 2 restores 2 × truth.
    expect(rmse(mean.data.subarray(0, N * N), readHdu(join(dir, 'f1.fits'), 'MEAN')!.data)).toBeLessThan(1e-9);
    expect(rmse(mean.data.subarray(N * N), truth.map((v) => 2 * v))).toBeLessThan(rmse(cubeData.subarray(N * N), truth.map((v) => 2 * v)));
    expect(std.data[N * N]! ).toBeGreaterThan(std.data[0]!);
    const l1 = join(dir, 'l1.fits');
    expect(await restoreCommand.run([file, '--op', 'denoise', '--prior', 'l1', '--max-iter', '40', '--out', l1], io().io)).toBe(0);
    const m1 = readHdu(l1, 'MEAN')!;
    expect(m1.shape).toEqual([2, N, N]);
    expect(rmse(m1.data.subarray(0, N * N), blurred)).toBeLessThan(rmse(observed, blurred));
    expect(readHdu(l1, 'SAMPLES')).toBeUndefined();
  });

  it('bad inputs: missing PSF for deconvolve, unknown prior, unknown op', async () => {
    await expect(restoreCommand.run([input, '--op', 'deconvolve', '--out', join(dir, 'x.fits')], io().io)).rejects.toThrow(/deconvolve needs a PSF: --psf FILE or --psf-fwhm/);
    await expect(restoreCommand.run([input, '--op', 'denoise', '--prior', 'magic', '--out', join(dir, 'x.fits')], io().io)).rejects.toThrow(/unknown --prior 'magic'/);
    await expect(restoreCommand.run([input, '--op', 'sharpen', '--out', join(dir, 'x.fits')], io().io)).rejects.toThrow(/--op must be one of/);
  });
});
