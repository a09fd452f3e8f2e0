// The cube's headers parse with the project's FITS header reader, and the data round-trip exactly.
import { describe, expect, it } from 'vitest';
import { parseHeaderBytes } from '../fits';
import { encodeSimulationFits, TRUTH_COLUMNS } from './fits-cube';
import { simulateRange } from './simulate';

describe('simulation FITS cube', () => {
  it('primary cube, VARIANCE and TRUTH round-trip', () => {
    const batch = simulateRange({ preset: 'lsst' }, 4, 10, 3);
    const bytes = encodeSimulationFits(batch, { ra: 10, dec: -5 });
    expect(bytes.length % 2880).toBe(0);
    const h0 = parseHeaderBytes(bytes.subarray(0, 2880 * 4));
    expect(h0.getBoolean('SIMPLE')).toBe(true);
    expect([1, 2, 3, 4].map((i) => h0.getNumber(`NAXIS${i}`))).toEqual([45, 45, 4, 3]);
    expect(h0.getNumber('CDELT1')).toBeCloseTo(-0.2 / 3600, 12);
    expect(h0.getString('BAND3')).toBe('i');
    expect(h0.getNumber('CRVAL4')).toBe(10);
    const hdr0 = h0.cardImageCount * 80;
    const start0 = Math.ceil(hdr0 / 2880) * 2880;
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    const n = 3 * 4 * 45 * 45;
    for (const k of [0, 1234, n - 1]) expect(dv.getFloat32(start0 + 4 * k, false)).toBe(batch.images[k]);
    const start1 = start0 + Math.ceil((n * 4) / 2880) * 2880;
    const h1 = parseHeaderBytes(bytes.subarray(start1, start1 + 2880 * 2));
    expect(h1.getString('EXTNAME')).toBe('VARIANCE');
    const d1 = start1 + Math.ceil((h1.cardImageCount * 80) / 2880) * 2880;
    expect(dv.getFloat32(d1 + 4 * 77, false)).toBe(batch.variance[77]);
    const start2 = d1 + Math.ceil((n * 4) / 2880) * 2880;
    const h2 = parseHeaderBytes(bytes.subarray(start2, start2 + 2880 * 4));
    expect(h2.getString('EXTNAME')).toBe('TRUTH');
    expect(h2.getNumber('NAXIS2')).toBe(3);
    expect(h2.getString('TTYPE1')).toBe('index');
    const t2 = start2 + Math.ceil((h2.cardImageCount * 80) / 2880) * 2880;
    const rowBytes = h2.getNumber('NAXIS1')!;
    // Row 1, column 'index' = 11; theta_E matches the truth record (NaN for negatives).
    expect(dv.getFloat64(t2 + rowBytes, false)).toBe(11);
    const ti = TRUTH_COLUMNS.indexOf('theta_E');
    const th = dv.getFloat64(t2 + rowBytes + 8 * ti, false);
    const want = batch.truths[1].theta_E;
    if (typeof want === 'number') expect(th).toBe(want); else expect(Number.isNaN(th)).toBe(true);
    const jsonCol = h2.getNumber('TFIELDS')!;
    const jw = parseInt(h2.getString(`TFORM${jsonCol}`)!, 10);
    const json = new TextDecoder().decode(bytes.subarray(t2 + rowBytes * 2 - jw, t2 + rowBytes * 2)).trim();
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(batch.truths[1])));
  });
});
