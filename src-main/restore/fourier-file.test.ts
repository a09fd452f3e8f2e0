// `lensdesk restore --op fourier`: the REAL/IMAG/MASK layout (centred unitary DFT) read back into the
// masked Fourier-sampling operator. With every bin measured and tiny noise the Wiener mean must return the
// image (a wrong fftshift or scaling would not); with half the bins measured it must beat the dirty image.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readImage } from '../../src-core/fits/image';
import { writeFits } from '../../src-core/fits/writer';
import { fft2 } from '../../src-core/math/fft';
import { Rng } from '../../src-core/rng';
import { openFitsFile } from '../fits/file-source';
import { restoreCommand } from '../cli/commands/restore';
import { readFourierFile, unshiftIndex } from './fourier-file';

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-fourier-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const R = 32, C = 24, n = R * C;
const truth = new Float64Array(n);
for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) truth[r * C + c] = Math.exp(-((r - 13) ** 2 / 18 + (c - 10) ** 2 / 8)) + 0.4 * Math.exp(-((r - 22) ** 2 + (c - 17) ** 2) / 3);

function write(file: string, keep: (k: number) => boolean, sigma: number, seed: number): void {
  const re = Float64Array.from(truth), im = new Float64Array(n), rng = new Rng(seed);
  fft2(re, im, R, C);
  const RE = new Float64Array(n), IM = new Float64Array(n), M = new Uint8Array(n);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) {
    const k = unshiftIndex(r, c, R, C), j = r * C + c; // centred pixel (r, c) holds numpy bin k
    RE[j] = re[k]! / Math.sqrt(n) + sigma * rng.normal();
    IM[j] = im[k]! / Math.sqrt(n) + sigma * rng.normal();
    M[j] = keep(k) ? 1 : 0;
  }
  writeFileSync(file, writeFits([
    { kind: 'image', shape: [], cards: [{ keyword: 'CRPIX1', value: 12.5 }] },
    { kind: 'image', shape: [R, C], data: RE, extname: 'REAL', cards: [{ keyword: 'NOISESIG', value: sigma }] },
    { kind: 'image', shape: [R, C], data: IM, extname: 'IMAG' },
    { kind: 'image', shape: [R, C], data: M, bitpix: 8, extname: 'MASK' },
  ] as Parameters<typeof writeFits>[0]));
}
const io = () => ({ out: [] as string[], io: { out: () => {}, err: () => {}, progress: () => {}, signal: new AbortController().signal } });
const meanOf = (file: string) => { const f = openFitsFile(file); try { return Float64Array.from(readImage(f, f.find('MEAN')!).data as ArrayLike<number>); } finally { f.source.close?.(); } };
const rmse = (a: ArrayLike<number>) => Math.sqrt(Array.from(truth).reduce((s, v, i) => s + (v - a[i]!) ** 2, 0) / n);

describe('restore --op fourier', () => {
  it('all bins, tiny noise: the Wiener mean is the image', { timeout: 60000 }, async () => {
    const f = join(dir, 'full.fits'), out = join(dir, 'full-out.fits');
    write(f, () => true, 1e-5, 1);
    expect(readFourierFile(f).mask.every((v) => v === 1)).toBe(true);
    expect(await restoreCommand.run([f, '--op', 'fourier', '--samples', '4', '--out', out], io().io)).toBe(0);
    expect(rmse(meanOf(out))).toBeLessThan(1e-3);
  });
  it('half the bins (random), σ = 0.01: Wiener beats the dirty image (noise only); TV runs; missing NOISESIG is named', { timeout: 120000 }, async () => {
    const rng = new Rng(9), keep = new Uint8Array(n).map((_, k) => (k === 0 || rng.uniform() < 0.4 ? 1 : 0));
    const f = join(dir, 'half.fits'), out = join(dir, 'half-out.fits');
    write(f, (k) => keep[k] === 1, 0.01, 2);
    const d = readFourierFile(f);
    const dirty = new Float64Array(n), di = new Float64Array(n);
    for (let k = 0; k < n; k++) if (d.mask[k]) { dirty[k] = d.re[k]!; di[k] = d.im[k]!; }
    fft2(dirty, di, R, C, true);
    const dirtyImg = dirty.map((v) => v / Math.sqrt(n));
    expect(await restoreCommand.run([f, '--op', 'fourier', '--samples', '4', '--out', out], io().io)).toBe(0);
    const w = rmse(meanOf(out));
    console.log(`fourier 40 %: RMSE dirty ${rmse(dirtyImg).toFixed(4)} → wiener ${w.toFixed(4)}`);
    expect(w).toBeLessThan(rmse(dirtyImg)); // missing bins stay ~0 under a Gaussian prior; the gain is the noise
    expect(await restoreCommand.run([f, '--op', 'fourier', '--prior', 'tv', '--max-iter', '40', '--out', join(dir, 'tv.fits')], io().io)).toBe(0);
    const bad = join(dir, 'bad.fits');
    writeFileSync(bad, writeFits([{ kind: 'image', shape: [] }, { kind: 'image', shape: [R, C], data: new Float64Array(n), extname: 'REAL' }, { kind: 'image', shape: [R, C], data: new Float64Array(n), extname: 'IMAG' }, { kind: 'image', shape: [R, C], data: new Float64Array(n).fill(1), extname: 'MASK' }]));
    await expect(restoreCommand.run([bad, '--op', 'fourier', '--out', join(dir, 'x.fits')], io().io)).rejects.toThrow(/NOISESIG/);
  });
});
