import { unzlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { crc32, encodePng } from './png';
import { decodePng } from './png-decode';
import { renderGray } from './render';
import { MinMaxInterval } from './interval';
import { linearStretch } from './stretch';

describe('PNG encoder', () => {
  it('CRC-32 of "IEND" is the value every PNG ends with (AE 42 60 82)', () => {
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
  });
  it('round-trips grey, RGB and RGBA through an independent inflate + unfilter', () => {
    for (const channels of [1, 3, 4] as const) {
      const width = 37;
      const height = 11;
      const data = Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 31 + (i >> 5)) & 0xff);
      const png = encodePng({ width, height, channels, data }, { text: { Software: 'LensDesk' } });
      const back = decodePng(png);
      expect([back.width, back.height, back.channels]).toEqual([width, height, channels]);
      expect(Array.from(back.data)).toEqual(Array.from(data));
      expect(back.text.Software).toBe('LensDesk');
    }
  });
  it('IHDR fields and filter bytes are valid per the spec', () => {
    const png = encodePng({ width: 2, height: 3, channels: 3, data: new Uint8Array(18).fill(9) });
    const dv = new DataView(png.buffer);
    expect(dv.getUint32(16)).toBe(2);
    expect(dv.getUint32(20)).toBe(3);
    expect([png[24], png[25], png[26], png[27], png[28]]).toEqual([8, 2, 0, 0, 0]);
    const idatLen = dv.getUint32(33);
    const raw = unzlibSync(png.subarray(41, 41 + idatLen));
    expect(raw.length).toBe(3 * (1 + 6));
    for (let y = 0; y < 3; y++) expect(raw[y * 7]!).toBeLessThanOrEqual(4);
  });
  it('flipY writes the last data row first (origin lower)', () => {
    const data = new Uint8Array([10, 20, 30, 40, 50, 60]); // 2 wide, 3 rows
    const back = decodePng(encodePng({ width: 2, height: 3, channels: 1, data }, { flipY: true }));
    expect(Array.from(back.data)).toEqual([50, 60, 30, 40, 10, 20]);
  });
  it('renderGray maps min → 0, max → 255 and NaN → nanByte', () => {
    const g = renderGray(new Float32Array([0, 5, 10, NaN]), 2, 2, { interval: new MinMaxInterval(), stretch: linearStretch(), nanByte: 7 });
    expect(Array.from(g.data)).toEqual([0, 127, 255, 7]);
    expect(g.limits).toEqual([0, 10]);
  });
  it('rejects inconsistent sizes with an InputError', () => {
    expect(() => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(5) })).toThrow(/expected 12/);
  });
});
