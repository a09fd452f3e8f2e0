// Image sections: a cutout of a (virtual) 1 GB image reads only a few MB; sections of N-D cubes
// agree with slicing the whole array; scaling follows astropy's dtype rules.
import { describe, expect, it } from 'vitest';
import { formatCard, headerBytes } from './card-format';
import { FitsFile } from './file';
import { readCutout, readImage, readImageSection } from './image';
import { type ByteSource, MemorySource, checkRange } from './source';
import { writeFits } from './writer';

/** A 16384×16384 float32 image (1 GiB of data) whose pixel (x, y) holds y*16384+x; nothing is stored. */
class VirtualImage implements ByteSource {
  readonly name = 'virtual-1GB.fits';
  readonly header: Uint8Array;
  readonly size: number;
  bytesRead = 0;
  largestRead = 0;
  constructor(readonly n = 16384) {
    this.header = headerBytes([
      ...formatCard({ keyword: 'SIMPLE', value: true }),
      ...formatCard({ keyword: 'BITPIX', value: -32 }),
      ...formatCard({ keyword: 'NAXIS', value: 2 }),
      ...formatCard({ keyword: 'NAXIS1', value: n }),
      ...formatCard({ keyword: 'NAXIS2', value: n }),
    ]);
    this.size = this.header.length + n * n * 4;
  }
  read(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    this.bytesRead += length;
    this.largestRead = Math.max(this.largestRead, length);
    const out = new Uint8Array(length);
    const dv = new DataView(out.buffer);
    for (let i = 0; i < length; i++) {
      const p = offset + i;
      if (p < this.header.length) out[i] = this.header[p]!;
    }
    // Fill whole float32 values that lie in range.
    const d0 = Math.max(offset, this.header.length);
    for (let p = d0 + ((4 - ((d0 - this.header.length) % 4)) % 4); p + 4 <= offset + length; p += 4) {
      dv.setFloat32(p - offset, (p - this.header.length) / 4);
    }
    return out;
  }
}

describe('lazy cutouts', () => {
  it('a 64×64 cutout of a 1 GiB image reads at most a few MB and returns the right pixels', () => {
    const src = new VirtualImage();
    const f = new FitsFile(src);
    const hdu = f.hdu(0);
    expect(hdu.dataSize).toBe(16384 * 16384 * 4);
    const headerBytesRead = src.bytesRead;
    const cut = readCutout(f, hdu, 1000, 2000, 64, 64);
    expect(cut.shape).toEqual([64, 64]);
    const read = src.bytesRead - headerBytesRead;
    expect(read).toBeLessThan(64 * 16384 * 4 + 1); // never more than the 64 rows' span
    expect(src.largestRead).toBeLessThanOrEqual(2 * 1024 * 1024);
    for (const [r, c] of [[0, 0], [63, 63], [10, 5]] as const) {
      expect(cut.data[r * 64 + c]).toBe(Math.fround((2000 + r) * 16384 + 1000 + c));
    }
  });
});

describe('sections of a cube', () => {
  const shape = [3, 4, 5];
  const data = Int32Array.from({ length: 60 }, (_, i) => i * 7 - 100);
  const f = new FitsFile(new MemorySource('cube.fits', writeFits([{ kind: 'image', shape, data }])));
  const whole = readImage(f, f.hdu(0));
  it('whole image matches the written data in C order', () => {
    expect([...whole.data]).toEqual([...data]);
  });
  it('every small section equals the slice of the whole array', () => {
    for (const [start, size] of [
      [[0, 0, 0], [3, 4, 5]],
      [[1, 1, 2], [2, 3, 3]],
      [[2, 3, 4], [1, 1, 1]],
      [[0, 2, 0], [3, 1, 5]],
    ] as Array<[number[], number[]]>) {
      const s = readImageSection(f, f.hdu(0), start, size);
      const want: number[] = [];
      for (let k = start[0]!; k < start[0]! + size[0]!; k++)
        for (let j = start[1]!; j < start[1]! + size[1]!; j++)
          for (let i = start[2]!; i < start[2]! + size[2]!; i++) want.push(data[(k * 4 + j) * 5 + i]!);
      expect([...s.data]).toEqual(want);
    }
  });
  it('readCutout takes a plane index over the extra axes', () => {
    const c = readCutout(f, f.hdu(0), 1, 2, 2, 2, [2]);
    expect([...c.data]).toEqual([data[(2 * 4 + 2) * 5 + 1], data[(2 * 4 + 2) * 5 + 2], data[(2 * 4 + 3) * 5 + 1], data[(2 * 4 + 3) * 5 + 2]]);
  });
});

describe('astropy dtype rules', () => {
  const img = (cards: Array<[string, number]>, bitpix: number, raw: number[]) => {
    const h = headerBytes([
      ...formatCard({ keyword: 'SIMPLE', value: true }),
      ...formatCard({ keyword: 'BITPIX', value: bitpix }),
      ...formatCard({ keyword: 'NAXIS', value: 1 }),
      ...formatCard({ keyword: 'NAXIS1', value: raw.length }),
      ...cards.flatMap(([k, v]) => formatCard({ keyword: k, value: v, type: Number.isInteger(v) ? 'integer' : 'float' })),
    ]);
    const size = Math.abs(bitpix) / 8;
    const d = new Uint8Array(2880);
    const dv = new DataView(d.buffer);
    raw.forEach((v, i) => (bitpix === 8 ? dv.setUint8(i, v) : bitpix === 16 ? dv.setInt16(i * size, v) : dv.setInt32(i * size, v)));
    const b = new Uint8Array(h.length + d.length);
    b.set(h);
    b.set(d, h.length);
    const f = new FitsFile(new MemorySource('t.fits', b));
    return readImage(f, f.hdu(0));
  };
  it('BITPIX 8 with BZERO -128 → int8; 16 with BLANK → float32 NaN; 32 with BSCALE → float64', () => {
    const a = img([['BZERO', -128]], 8, [0, 128, 255]);
    expect([a.dtype, [...a.data]]).toEqual(['int8', [-128, 0, 127]]);
    const b = img([['BLANK', -1]], 16, [5, -1, 7]);
    expect(b.dtype).toBe('float32');
    expect([...b.data]).toEqual([5, NaN, 7]);
    const c = img([['BSCALE', 0.5], ['BZERO', 1]], 32, [4, -4]);
    expect([c.dtype, [...c.data]]).toEqual(['float64', [3, -1]]);
  });
});
