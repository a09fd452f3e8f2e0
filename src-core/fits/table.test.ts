// Table streaming and ASCII TABLE field rules on hand-built files.
import { describe, expect, it } from 'vitest';
import { formatCard, headerBytes } from './card-format';
import { FitsFile } from './file';
import { MemorySource } from './source';
import { DEFAULT_CHUNK_BYTES, FitsTable } from './table';
import { writeFits } from './writer';

class CountingSource extends MemorySource {
  largest = 0;
  total = 0;
  override read(offset: number, length: number): Uint8Array {
    this.largest = Math.max(this.largest, length);
    this.total += length;
    return super.read(offset, length);
  }
}

describe('streaming rows', () => {
  it('iterates 300k rows in bounded chunks; numeric columns come back in order', () => {
    const n = 300_000;
    const id = Int32Array.from({ length: n }, (_, i) => i);
    const ra = Float64Array.from({ length: n }, (_, i) => i * 1e-3);
    const bytes = writeFits([{ kind: 'bintable', nrows: n, columns: [
      { name: 'ID', format: 'J', values: id as unknown as number[] },
      { name: 'RA', format: 'D', values: ra as unknown as number[] },
      { name: 'NAME', format: '20A', values: Array.from({ length: n }, (_, i) => `src${i}`) },
    ] }]);
    const src = new CountingSource('cat.fits', bytes);
    const t = new FitsTable(new FitsFile(src), new FitsFile(src).hdu(1));
    src.largest = 0;
    let seen = 0;
    let chunks = 0;
    for (const chunk of t.iterRows()) {
      expect(chunk.start).toBe(seen);
      for (const row of chunk.rows) {
        if (seen % 99_991 === 0) expect(row).toEqual([seen, seen * 1e-3, `src${seen}`]);
        seen++;
      }
      chunks++;
    }
    expect(seen).toBe(n);
    expect(chunks).toBeGreaterThan(1);
    expect(src.largest).toBeLessThanOrEqual(DEFAULT_CHUNK_BYTES);
    const col = t.readNumericColumn('RA', 1000, 5);
    expect([...col]).toEqual([...ra.subarray(1000, 1005)]);
  });
});

describe('ASCII TABLE fields (FITS 4.0 §7.2.5)', () => {
  const rows = ['  12  1.5E+02  abc ', '      2.50D-1  x   ', ' -3   NULL        ', '  7   1250     q   '];
  const header = headerBytes([
    ...formatCard({ keyword: 'SIMPLE', value: true }), ...formatCard({ keyword: 'BITPIX', value: 8 }),
    ...formatCard({ keyword: 'NAXIS', value: 0 }), ...formatCard({ keyword: 'EXTEND', value: true }),
  ]);
  const ext = headerBytes([
    ...formatCard({ keyword: 'XTENSION', value: 'TABLE' }), ...formatCard({ keyword: 'BITPIX', value: 8 }),
    ...formatCard({ keyword: 'NAXIS', value: 2 }), ...formatCard({ keyword: 'NAXIS1', value: 19 }),
    ...formatCard({ keyword: 'NAXIS2', value: rows.length }), ...formatCard({ keyword: 'PCOUNT', value: 0 }),
    ...formatCard({ keyword: 'GCOUNT', value: 1 }), ...formatCard({ keyword: 'TFIELDS', value: 3 }),
    ...formatCard({ keyword: 'TTYPE1', value: 'N' }), ...formatCard({ keyword: 'TBCOL1', value: 1 }), ...formatCard({ keyword: 'TFORM1', value: 'I4' }),
    ...formatCard({ keyword: 'TTYPE2', value: 'F' }), ...formatCard({ keyword: 'TBCOL2', value: 6 }), ...formatCard({ keyword: 'TFORM2', value: 'E8.2' }),
    ...formatCard({ keyword: 'TNULL2', value: 'NULL' }), ...formatCard({ keyword: 'TSCAL2', value: 2.0, type: 'float' }),
    ...formatCard({ keyword: 'TTYPE3', value: 'S' }), ...formatCard({ keyword: 'TBCOL3', value: 16 }), ...formatCard({ keyword: 'TFORM3', value: 'A4' }),
  ]);
  const data = new Uint8Array(2880).fill(0x20);
  rows.forEach((r, i) => [...r].forEach((ch, k) => (data[i * 19 + k] = ch.charCodeAt(0))));
  const all = new Uint8Array(header.length + ext.length + data.length);
  all.set(header);
  all.set(ext, header.length);
  all.set(data, header.length + ext.length);
  it('integers, D exponents, TNULL, implicit decimals, TSCAL, strings', () => {
    const f = new FitsFile(new MemorySource('a.fits', all));
    const t = new FitsTable(f, f.hdu(1));
    const got = t.readRows(0, rows.length);
    expect(got[0]).toEqual([12, 300, 'abc']);
    expect(got[1]).toEqual([null, 0.5, 'x']);
    expect(got[2]![0]).toBe(-3);
    expect(got[2]![1]).toBeNaN();
    expect(got[3]).toEqual([7, 2 * 12.5, 'q']); // 'E8.2' without a point: 1250 → 12.50
    expect([...t.readNumericColumn('N')]).toEqual([12, NaN, -3, 7]);
  });
});
