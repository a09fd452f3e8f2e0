// FITS checksum convention (FITS 4.0 Appendix J; Seaman, Pence & Rots 2002): 32-bit ones'
// complement sums of big-endian words; DATASUM is the data unit's sum as a decimal string,
// CHECKSUM the 16-character ASCII encoding of the complement of the whole HDU's sum, chosen so
// that the HDU then sums to -0 (0xFFFFFFFF).
import type { FitsFile, Hdu } from './file';

/** Ones' complement sum of `bytes` (length a multiple of 4) added to `start`. */
export function onesComplementSum(bytes: Uint8Array, start = 0): number {
  let hi = start >>> 16;
  let lo = start & 0xffff;
  const n = bytes.length - (bytes.length % 4);
  for (let i = 0; i < n; i += 4) {
    hi += (bytes[i]! << 8) | bytes[i + 1]!;
    lo += (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (hi > 0x7fffffff || lo > 0x7fffffff) [hi, lo] = fold(hi, lo);
  }
  [hi, lo] = fold(hi, lo);
  return ((hi << 16) | lo) >>> 0;
}

function fold(hi: number, lo: number): [number, number] {
  let hc = hi >>> 16, lc = lo >>> 16;
  while (hc || lc) {
    hi = (hi & 0xffff) + lc;
    lo = (lo & 0xffff) + hc;
    hc = hi >>> 16;
    lc = lo >>> 16;
  }
  return [hi, lo];
}

/** Ones' complement addition of two 32-bit sums. */
export function addSums(a: number, b: number): number {
  const s = a + b;
  return (s > 0xffffffff ? s - 0xffffffff : s) >>> 0;
}

const EXCLUDE = [0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60];

/** Encodes a 32-bit value as 16 ASCII characters (cfitsio ffesum / Appendix J). */
export function encodeChecksum(value: number): string {
  const asc = new Array<number>(16);
  for (let i = 0; i < 4; i++) {
    const byte = (value >>> (24 - 8 * i)) & 0xff;
    const quotient = Math.floor(byte / 4) + 0x30;
    const remainder = byte % 4;
    const ch = [quotient + remainder, quotient, quotient, quotient];
    for (let check = 1; check; ) {
      check = 0;
      for (const ex of EXCLUDE) {
        for (let j = 0; j < 4; j += 2) {
          if (ch[j] === ex || ch[j + 1] === ex) {
            ch[j]!++;
            ch[j + 1]!--;
            check++;
          }
        }
      }
    }
    for (let j = 0; j < 4; j++) asc[4 * j + i] = ch[j]!;
  }
  // Rotate one character to the right (the standard's final step).
  let s = '';
  for (let i = 0; i < 16; i++) s += String.fromCharCode(asc[(i + 15) % 16]!);
  return s;
}

export type ChecksumStatus = 'ok' | 'failed' | 'absent';

/** Verifies CHECKSUM (whole HDU sums to -0) and DATASUM of one HDU, reading it in 1 MB chunks. */
export function verifyChecksum(file: FitsFile, hdu: Hdu): { checksum: ChecksumStatus; datasum: ChecksumStatus } {
  const h = hdu.header;
  let dataSum = 0;
  const CH = 2880 * 364;
  const end = Math.min(hdu.dataOffset + hdu.dataSpan, file.source.size);
  for (let p = hdu.dataOffset; p < end; p += CH) {
    dataSum = addSums(dataSum, onesComplementSum(file.source.read(p, Math.min(CH, end - p))));
  }
  let datasum: ChecksumStatus = 'absent';
  const ds = h.get('DATASUM');
  if (ds !== undefined) datasum = typeof ds === 'string' && Number(ds.trim()) === dataSum ? 'ok' : 'failed';
  let checksum: ChecksumStatus = 'absent';
  if (h.has('CHECKSUM')) {
    const hs = onesComplementSum(file.source.read(hdu.headerOffset, hdu.dataOffset - hdu.headerOffset));
    checksum = addSums(hs, dataSum) === 0xffffffff ? 'ok' : 'failed';
  }
  return { checksum, datasum };
}
