// Node file source and the `lensdesk fits` CLI on the shared reference files (compared with the
// astropy refs), plus a round trip through a temp file.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { FitsError } from '../../src-core/errors';
import { readCutout, readImage, writeFits } from '../../src-core/fits/index';
import { HAS_SHARED, SHARED_SKIP_REASON, sharedFits } from '../../test/shared';
import type { CliIO } from '../cli/command';
import { fitsCommand } from '../cli/commands/fits';
import { FileSource, openFitsFile } from './file-source';

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-fsrc-'));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), progress: () => {}, signal: new AbortController().signal };
  const code = await fitsCommand.run(args, io);
  return { code, out, err };
}

describe('FileSource', () => {
  it('reads ranges lazily and round-trips a written file', () => {
    const data = Float32Array.from({ length: 50 * 40 }, (_, i) => i / 3);
    const p = join(dir, 'rt.fits');
    writeFileSync(p, writeFits([{ kind: 'image', shape: [50, 40], data }]));
    const f = openFitsFile(p);
    const c = readCutout(f, f.hdu(0), 10, 20, 5, 3);
    expect([...c.data]).toEqual([0, 1, 2].flatMap((r) => [0, 1, 2, 3, 4].map((k) => data[(20 + r) * 40 + 10 + k]!)));
    f.source.close?.();
    expect(() => f.source.read(0, 10)).toThrow(FitsError);
  });
  it('a .gz decompression bomb on disk is refused as a stream (FITS_GZIP_BOMB); the caller may raise the ratio', () => {
    // 8 gzip members of 1 MiB of zeros (~8 KB on disk, 8 MiB inflated, ratio ~1000 > 256); the
    // 64 MiB floor is lowered to 1 MiB to keep the test cheap.
    const member = gzipSync(new Uint8Array(1 << 20), { level: 9 });
    const bomb = new Uint8Array(member.length * 8);
    for (let k = 0; k < 8; k++) bomb.set(member, k * member.length);
    const p = join(dir, 'bomb.fits.gz');
    writeFileSync(p, bomb);
    let e: unknown;
    try {
      openFitsFile(p, { gunzipRatioFloor: 1 << 20 });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(FitsError);
    expect((e as FitsError).code).toBe('FITS_GZIP_BOMB');
    expect((e as FitsError).message).toMatch(/bomb\.fits\.gz.*decompression bomb/);
    // Zeros are not FITS, but with the ratio raised it inflates and fails at the FITS layer.
    expect(() => openFitsFile(p, { gunzipRatioFloor: 1 << 20, maxGunzipRatio: 2000 })).toThrow(/not a FITS file/);
  });
  it('missing files and directories give FitsError', () => {
    expect(() => new FileSource(join(dir, 'nope.fits'))).toThrow(FitsError);
    expect(() => openFitsFile(dir)).toThrow(FitsError);
  });
});

describe.skipIf(!HAS_SHARED)(`lensdesk fits on reference files (${HAS_SHARED ? 'shared present' : SHARED_SKIP_REASON})`, () => {
  it('.fits.gz is read transparently', () => {
    const f = openFitsFile(sharedFits('dss.14.29.56-62.41.05.fits.gz'));
    const ref = JSON.parse(readFileSync(sharedFits('dss.14.29.56-62.41.05.fits.gz.ref.json'), 'utf8'));
    expect(readImage(f, f.hdu(0)).shape).toEqual(ref.hdus[0].data_shape);
  });

  it('fits info --json lists HDUs with astropy types and offsets', async () => {
    const ref = JSON.parse(readFileSync(sharedFits('testprog.std.ref.json'), 'utf8'));
    const r = await cli(['info', sharedFits('testprog.std'), '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.n_hdus).toBe(ref.n_hdus);
    j.hdus.forEach((h: Record<string, unknown>, i: number) => {
      const rh = ref.hdus[i];
      expect([h.type, h.name, h.header_offset, h.data_offset, h.data_span]).toEqual([rh.type, rh.name, rh.header_offset, rh.data_offset, rh.data_span]);
      if (rh.data_shape) expect(h.shape).toEqual(rh.data_shape);
      if (rh.nrows !== undefined) expect(h.dimensions).toEqual([rh.nrows, rh.ncols]);
    });
  });

  it('fits stats --json agrees with astropy stats and sample pixels', async () => {
    for (const name of ['gc_2mass_j.fits', 'iter_image.fit', 'arange.fits']) {
      const ref = JSON.parse(readFileSync(sharedFits(name + '.ref.json'), 'utf8')).hdus[0];
      const s = ref.stats;
      const at = s.sample_pixels.slice(0, 5).flatMap((p: { index: number[] }) => ['--at', p.index.join(',')]);
      const r = await cli(['stats', sharedFits(name), '--hdu', '0', '--json', ...at]);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out);
      expect([j.shape, j.nan_count, j.finite_count, j.min, j.max]).toEqual([ref.data_shape, s.nan_count, s.finite_count, s.min, s.max]);
      expect(j.sum).toBeCloseTo(s.sum, 6);
      j.pixels.forEach((p: { value: unknown }, i: number) => expect(p.value).toEqual(s.sample_pixels[i].value));
    }
  });

  it('fits table --json returns astropy cell values', async () => {
    const ref = JSON.parse(readFileSync(sharedFits('tb.fits.ref.json'), 'utf8')).hdus[1];
    const r = await cli(['table', sharedFits('tb.fits'), '--hdu', '1', '--rows', '0:2', '--json']);
    const j = JSON.parse(r.out);
    expect(j.columns.map((c: { name: string }) => c.name)).toEqual(ref.columns.map((c: { name: string }) => c.name));
    ref.values.forEach((v: { rows: Record<string, unknown> }, ci: number) => {
      for (const row of [0, 1]) {
        const want = v.rows[String(row)];
        const got = j.rows[row][ci];
        if (typeof want === 'number') expect(got).toBeCloseTo(want, 5);
        else expect(got).toEqual(want);
      }
    });
  });

  it('fits header prints the stored cards up to END', async () => {
    const r = await cli(['header', sharedFits('m13.fits')]);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SIMPLE  =\s+T/);
    expect(lines.at(-1)).toBe('END');
  });

  it('fits header --json of a compressed HDU gives astropy\'s image header; --raw the BINTABLE', async () => {
    const ref = JSON.parse(readFileSync(sharedFits('m13_rice.fits.ref.json'), 'utf8')).hdus[1];
    const img = JSON.parse((await cli(['header', sharedFits('m13_rice.fits'), '--hdu', '1', '--json'])).out);
    expect(img.cards.map((c: { keyword: string; value: unknown }) => [c.keyword, c.value])).toEqual(ref.header);
    const raw = JSON.parse((await cli(['header', sharedFits('m13_rice.fits'), '--hdu', '1', '--json', '--raw'])).out);
    expect(raw.cards.map((c: { keyword: string; value: unknown }) => [c.keyword, c.value])).toEqual(ref.compressed_header);
  });

  it('bad arguments are InputErrors', async () => {
    await expect(cli(['stats', sharedFits('m13.fits'), '--at', '1,2,3'])).rejects.toThrow(/numpy order/);
    await expect(cli(['table', sharedFits('tb.fits'), '--rows', 'x'])).rejects.toThrow(/A:B/);
    await expect(cli(['stats', sharedFits('tb.fits'), '--hdu', '1'])).rejects.toThrow(FitsError);
  });
});
