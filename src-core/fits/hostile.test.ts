// Hostile input: each malformed file must end in a typed FitsError naming what was wrong —
// never a crash, hang or runaway allocation. Files are built by hand from cards so every case is
// independent of the writer.
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../bytes';
import { FitsError } from '../errors';
import { formatCard, headerBytes } from './card-format';
import { FitsFile } from './file';
import { readImage, readCutout } from './image';
import { MemorySource, gunzipToSource, sourceFromBytes } from './source';
import { FitsTable } from './table';
import { gzipSync } from 'fflate';

type C = [string, string | number | boolean | bigint];
function fits(cards: C[], data: Uint8Array | number = 0, extra: Uint8Array[] = []): Uint8Array {
  const head = headerBytes(cards.flatMap(([k, v]) => formatCard({ keyword: k, value: v })));
  const d = typeof data === 'number' ? new Uint8Array(data) : data;
  const padded = new Uint8Array(Math.ceil(d.length / 2880) * 2880);
  padded.set(d);
  return concatBytes([head, padded, ...extra]);
}
const primary = (bitpix: number, ...naxes: number[]): C[] => [
  ['SIMPLE', true],
  ['BITPIX', bitpix],
  ['NAXIS', naxes.length],
  ...naxes.map((n, i): C => [`NAXIS${i + 1}`, n]),
];
const open = (b: Uint8Array) => new FitsFile(new MemorySource('hostile.fits', b));

function expectFitsError(fn: () => unknown, code: string | RegExp, detail?: Record<string, unknown>): FitsError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a FitsError').toBeInstanceOf(FitsError);
  const fe = err as FitsError;
  if (typeof code === 'string') expect(fe.code).toBe(code);
  else expect(fe.code).toMatch(code);
  expect(fe.details.file).toBe('hostile.fits');
  if (detail) expect(fe.details).toMatchObject(detail);
  return fe;
}

function bintable(cards: C[], rows: Uint8Array, heap = new Uint8Array(0)): Uint8Array {
  const data = new Uint8Array(rows.length + heap.length);
  data.set(rows);
  data.set(heap, rows.length);
  const head = fits(primary(8));
  const ext = fits(cards, data);
  const out = new Uint8Array(head.length + ext.length);
  out.set(head);
  out.set(ext, head.length);
  return out;
}

describe('hostile FITS input → FitsError', () => {
  it('not FITS at all', () => {
    expectFitsError(() => open(new Uint8Array(2880).fill(0x41)), 'FITS_NOT_FITS');
    expectFitsError(() => open(new Uint8Array(100)), 'FITS_TRUNCATED');
  });

  it('header without END runs to the end of the file', () => {
    const b = new Uint8Array(2880 * 3).fill(0x20);
    b.set(new TextEncoder().encode('SIMPLE  =                    T'), 0);
    expectFitsError(() => open(b), 'FITS_TRUNCATED', { hdu: 0 });
  });

  it('bad BITPIX names the keyword', () => {
    expectFitsError(() => open(fits(primary(12, 4, 4), 32)), 'FITS_BAD_BITPIX', { keyword: 'BITPIX', hdu: 0 });
  });

  it('negative or non-integer NAXISn', () => {
    expectFitsError(() => open(fits([['SIMPLE', true], ['BITPIX', 8], ['NAXIS', 2], ['NAXIS1', -5], ['NAXIS2', 3]])), 'FITS_BAD_KEYWORD', { keyword: 'NAXIS1' });
    expectFitsError(() => open(fits([['SIMPLE', true], ['BITPIX', 8], ['NAXIS', 1], ['NAXIS1', 'many']])), 'FITS_BAD_KEYWORD', { keyword: 'NAXIS1' });
  });

  it('lying NAXIS (allocation bomb): listed as truncated, reading refuses before allocating', () => {
    const f = open(fits(primary(-64, 1_000_000, 1_000_000), 2880));
    const h = f.hdu(0);
    expect(h.truncated).toBe(true);
    expect(f.warnings.join()).toMatch(/truncated/);
    expectFitsError(() => readImage(f, h), /FITS_TOO_LARGE|FITS_TRUNCATED/);
    expectFitsError(() => readCutout(f, h, 500_000, 500_000, 64, 64), 'FITS_TRUNCATED');
    // A cutout inside the bytes that exist still works.
    expect(readCutout(f, h, 0, 0, 4, 1).data.length).toBe(4);
  });

  it('absurd data size beyond 2^53 bytes', () => {
    expectFitsError(() => open(fits(primary(64, 2 ** 30, 2 ** 30, 2 ** 30))), 'FITS_TOO_LARGE');
  });

  it('truncated data of a real-looking image', () => {
    const whole = fits(primary(16, 100, 100), 20000);
    const f = open(whole.subarray(0, 2880 + 8000));
    expectFitsError(() => readImage(f, f.hdu(0)), 'FITS_TRUNCATED', { hdu: 0 });
  });

  it('cutout outside the image', () => {
    const f = open(fits(primary(16, 10, 10), 200));
    expectFitsError(() => readCutout(f, f.hdu(0), 8, 8, 4, 4), 'FITS_BAD_SECTION');
  });

  it('missing data padding at the end still reads; non-blank header padding is a warning', () => {
    const whole = fits(primary(16, 3), Uint8Array.from([0, 1, 0, 2, 0, 3]));
    const f = open(whole.subarray(0, 2880 + 6));
    expect([...readImage(f, f.hdu(0)).data]).toEqual([1, 2, 3]);
    const dirty = whole.slice();
    dirty[2879] = 0x58; // an 'X' in the header padding after END
    expect(open(dirty).hdu(0).warnings.join()).toMatch(/padding after END/);
  });

  it('garbage after the last HDU is ignored with a warning', () => {
    const b = fits(primary(8, 4), 4, [new Uint8Array(2880).fill(0x42)]);
    const f = open(b);
    expect(f.length).toBe(1);
    expect(f.warnings.join()).toMatch(/do not start an extension/);
  });

  const tcards = (extra: C[] = []): C[] => [
    ['XTENSION', 'BINTABLE'], ['BITPIX', 8], ['NAXIS', 2], ['NAXIS1', 8], ['NAXIS2', 2], ['PCOUNT', 16], ['GCOUNT', 1],
    ['TFIELDS', 1], ['TTYPE1', 'V'], ['TFORM1', '1PJ'], ...extra,
  ];
  const desc = (pairs: number[][]): Uint8Array => {
    const b = new Uint8Array(pairs.length * 8);
    const dv = new DataView(b.buffer);
    pairs.forEach(([n, o], i) => {
      dv.setUint32(i * 8, n!);
      dv.setUint32(i * 8 + 4, o!);
    });
    return b;
  };

  it('heap pointers past the heap (and huge element counts) are refused', () => {
    const f = open(bintable(tcards(), desc([[2, 0], [1_000_000_000, 8]]), new Uint8Array(16)));
    const t = new FitsTable(f, f.hdu(1));
    expect(t.readRows(0, 1)[0]![0]).toEqual([0, 0]);
    expectFitsError(() => t.readRows(1, 1), 'FITS_BAD_HEAP', { field: 'V', row: 1 });
    const g = open(bintable(tcards(), desc([[1, 4294967290], [0, 0]]), new Uint8Array(16)));
    expectFitsError(() => new FitsTable(g, g.hdu(1)).readRows(0, 2), 'FITS_BAD_HEAP');
  });

  it('PCOUNT lying about the heap size', () => {
    const cards = tcards().map(([k, v]): C => (k === 'PCOUNT' ? [k, 10 ** 12] : [k, v]));
    const f = open(bintable(cards, desc([[3, 4000], [0, 0]]), new Uint8Array(16)));
    expect(f.hdu(1).truncated).toBe(true);
    expectFitsError(() => new FitsTable(f, f.hdu(1)).readRows(0, 1), /FITS_TRUNCATED/);
  });

  it('THEAP inside the rows and columns wider than NAXIS1', () => {
    const f = open(bintable(tcards([['THEAP', 4]]), desc([[0, 0], [0, 0]]), new Uint8Array(16)));
    expectFitsError(() => new FitsTable(f, f.hdu(1)), 'FITS_BAD_KEYWORD', { keyword: 'THEAP' });
    const cards = tcards().map(([k, v]): C => (k === 'TFORM1' ? [k, '3D'] : [k, v]));
    const g = open(bintable(cards, new Uint8Array(16), new Uint8Array(16)));
    expectFitsError(() => new FitsTable(g, g.hdu(1)), 'FITS_BAD_COLUMN', { keyword: 'TFORM1' });
  });

  it('bad TFORM and ASCII TBCOL', () => {
    const cards = tcards().map(([k, v]): C => (k === 'TFORM1' ? [k, '2Z'] : [k, v]));
    const f = open(bintable(cards, new Uint8Array(16), new Uint8Array(16)));
    expectFitsError(() => new FitsTable(f, f.hdu(1)), 'FITS_BAD_COLUMN', { keyword: 'TFORM1' });
    const ascii: C[] = [['XTENSION', 'TABLE'], ['BITPIX', 8], ['NAXIS', 2], ['NAXIS1', 10], ['NAXIS2', 1], ['PCOUNT', 0], ['GCOUNT', 1], ['TFIELDS', 1], ['TFORM1', 'F8.2'], ['TBCOL1', 9]];
    const g = open(bintable(ascii, new Uint8Array(10).fill(0x20)));
    expectFitsError(() => new FitsTable(g, g.hdu(1)), 'FITS_BAD_COLUMN', { keyword: 'TBCOL1' });
  });

  it('gzip bombs and corrupt gzip', () => {
    const bomb = gzipSync(new Uint8Array(8 << 20));
    let e: unknown;
    try {
      gunzipToSource('hostile.fits', bomb, 1 << 20);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(FitsError);
    expect((e as FitsError).code).toBe('FITS_GZIP_TOO_LARGE');
    const corrupt = gzipSync(fits(primary(8, 4), 4)).slice(0, 40);
    expect(() => sourceFromBytes('hostile.fits', corrupt)).toThrow(FitsError);
  });

  it('a .fits.gz reads like the plain file', () => {
    const plain = fits(primary(16, 3, 2), Uint8Array.from([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6]));
    const f = new FitsFile(sourceFromBytes('x.fits.gz', gzipSync(plain)));
    expect([...readImage(f, f.hdu(0)).data]).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
