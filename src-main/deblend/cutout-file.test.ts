import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED_DIR, SHARED_SKIP_REASON } from '../../test/shared';
import { deblendCommand } from '../cli/commands/deblend';
import { restoreCommand } from '../cli/commands/restore';
import { writeFits } from '../../src-core/fits/writer';
import { FitsFile, sourceFromBytes } from '../../src-core/fits/index';
import { readImage } from '../../src-core/fits/image';
import { FitsTable } from '../../src-core/fits/table';
import type { CliIO } from '../cli/command';
import { readCutout } from './cutout-file';

const HSC = join(SHARED_DIR, 'data', 'blends', 'hsc_cosmos.fits');
const HAS_HSC = existsSync(HSC);
const dir = mkdtempSync(join(tmpdir(), 'deblend-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): CliIO & { outText: string[]; errText: string[] } {
  const outText: string[] = [], errText: string[] = [];
  return { outText, errText, out: (t) => outText.push(t), err: (t) => errText.push(t), progress: () => undefined, signal: new AbortController().signal };
}

describe.skipIf(!HAS_HSC)(`HSC COSMOS blend (${HAS_HSC ? 'present' : SHARED_SKIP_REASON})`, () => {
  it('deblends in place: 6 catalog sources, MODEL + RESIDUAL = data exactly, χ²/pixel near 1, components sum to the model', async () => {
    const out = join(dir, 'hsc.fits'), c = io();
    expect(await deblendCommand.run([HSC, '--out', out, '--max-iter', '60'], c)).toBe(0);
    const cut = readCutout(HSC);
    expect(cut.bands).toEqual(['g', 'r', 'i', 'z', 'y']);
    const f = new FitsFile(sourceFromBytes('out.fits', new Uint8Array(readFileSync(out))));
    const hdus = f.hdus();
    const get = (name: string) => readImage(f, hdus.find((h) => h.name === name)!).data as Float64Array;
    const model = get('MODEL'), resid = get('RESIDUAL');
    const n = cut.rows * cut.cols;
    let maxErr = 0;
    cut.images.forEach((img, b) => img.forEach((v, i) => { maxErr = Math.max(maxErr, Math.abs(model[b * n + i]! + resid[b * n + i]! - v)); }));
    expect(maxErr).toBeLessThan(1e-9);
    const comps = hdus.filter((h) => /^COMP\d+$/.test(h.name));
    expect(comps.length).toBe(6);
    const sum = new Float64Array(model.length);
    for (const h of comps) (readImage(f, h).data as Float64Array).forEach((v, i) => { sum[i] = sum[i]! + v; });
    let maxC = 0, peak = 0;
    model.forEach((v, i) => { maxC = Math.max(maxC, Math.abs(sum[i]! - v)); peak = Math.max(peak, Math.abs(v)); });
    expect(maxC).toBeLessThan(1e-6 * peak);
    const t = new FitsTable(f, hdus.find((h) => h.name === 'SOURCES')!);
    expect(t.nrows).toBe(6);
    const chi2 = Number(hdus[0]!.header.getNumber('DBCHI2'));
    // No variance map: the noise is the background σ; the residual should sit at that level.
    expect(chi2).toBeGreaterThan(0.5);
    expect(chi2).toBeLessThan(2);
  }, 120_000);
});

describe('deblend CLI bad input', () => {
  const rows = 21, cols = 21;
  const img = (nb: number) => Float32Array.from({ length: nb * rows * cols }, (_, k) => {
    const i = k % (rows * cols), x = i % cols, y = Math.floor(i / cols);
    return 100 * Math.exp(-((x - 10) ** 2 + (y - 10) ** 2) / 8) + Math.sin(k * 12.9898) * 0.5;
  });
  it('--prior that is not a score model folder is an error naming it; mismatched VARIANCE is an error naming the HDU', async () => {
    const p = join(dir, 'a.fits');
    writeFileSync(p, writeFits([{ kind: 'image', shape: [2, rows, cols], data: img(2) }]));
    await expect(deblendCommand.run([p, '--out', join(dir, 'o.fits'), '--prior', 'unet'], io())).rejects.toThrow(/--prior unet: cannot read a score model folder/);
    const q = join(dir, 'b.fits');
    writeFileSync(q, writeFits([{ kind: 'image', shape: [2, rows, cols], data: img(2) }, { kind: 'image', shape: [3, rows, cols], data: img(3), extname: 'VARIANCE' }]));
    expect(() => readCutout(q)).toThrow(/VARIANCE/);
  });
  it('a single-band 2-D image with NaNs and no PSF deblends with warnings, not a crash', async () => {
    const data = img(1);
    data[5] = NaN;
    const p = join(dir, 'c.fits'), c = io();
    writeFileSync(p, writeFits([{ kind: 'image', shape: [rows, cols], data }]));
    expect(await deblendCommand.run([p, '--out', join(dir, 'c-out.fits'), '--json'], c)).toBe(0);
    expect(c.errText.join('\n')).toMatch(/no PSF given/);
    expect(c.errText.join('\n')).toMatch(/1 non-finite/);
    const s = JSON.parse(c.outText.join('')) as { sources: unknown[]; bands: string[] };
    expect(s.bands).toEqual(['b1']);
    expect(s.sources.length).toBeGreaterThan(0);
  });
  it('names bands as ingest does (FILTERS, a 2-D FILTER), and a restored file reads back with its bands', async () => {
    const p = join(dir, 'filters.fits');
    writeFileSync(p, writeFits([{ kind: 'image', shape: [2, rows, cols], data: img(2), cards: [{ keyword: 'FILTERS', value: 'HSC-G,HSC-I2' }] }]));
    expect(readCutout(p).bands).toEqual(['g', 'i']);
    const q = join(dir, 'f814w.fits');
    writeFileSync(q, writeFits([{ kind: 'image', shape: [rows, cols], data: img(1), cards: [{ keyword: 'FILTER', value: 'F814W' }] }]));
    expect(readCutout(q).bands).toEqual(['F814W']);
    // LensDesk's own product HDU names are not band names
    const r = join(dir, 'mean.fits');
    writeFileSync(r, writeFits([{ kind: 'image', shape: [rows, cols], data: img(1), extname: 'MEAN' }]));
    expect(readCutout(r).bands).toEqual(['b1']);
    const out = join(dir, 'restored.fits');
    expect(await restoreCommand.run([p, '--op', 'denoise', '--prior', 'wiener', '--samples', '2', '--out', out], io())).toBe(0);
    expect(readCutout(out).bands).toEqual(['g', 'i']);
  });
});
