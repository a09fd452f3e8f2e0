// Seeded mutations of a FITS file for the fuzzer (issue #20). One case = (seed, index): the same
// pair always gives the same bytes, so any failure is reproduced from its seed alone. Mutations
// aim where a reader is most likely to trust the file: structural keyword values set to extreme
// numbers (NAXISn, ZNAXISn, ZTILEn, TFIELDS, PCOUNT, THEAP, TFORMn repeat counts, BITPIX, …),
// truncation, bit flips (header, table rows, heap, tile streams), duplicated cards/blocks/HDUs,
// zeroed blocks, and, for `.gz` inputs, damage to the compressed stream or to the inflated file.
import { gunzipSync, gzipSync } from 'fflate';
import { Rng } from '../../rng';

/** Keywords whose values size loops and allocations. */
export const SIZE_KEYWORDS = [
  'NAXIS', 'NAXIS1', 'NAXIS2', 'NAXIS3', 'PCOUNT', 'GCOUNT', 'THEAP', 'TFIELDS', 'BITPIX', 'ZNAXIS', 'ZNAXIS1', 'ZNAXIS2',
  'ZNAXIS3', 'ZTILE1', 'ZTILE2', 'ZTILE3', 'ZBITPIX', 'ZVAL1', 'ZVAL2', 'ZDITHER0', 'TBCOL1', 'TBCOL2', 'TFORM1', 'TFORM2',
  'TFORM3', 'TFORM5', 'TFORM9', 'TFORM12', 'TFORM13', 'TDIM9', 'ZCMPTYPE', 'ZQUANTIZ', 'BLANK', 'BSCALE', 'BZERO', 'ZBLANK',
  'ZSCALE', 'ZZERO', 'TSCAL7', 'TZERO7', 'TNULL8', 'EXTEND', 'XTENSION', 'SIMPLE', 'GROUPS', 'ZIMAGE', 'END',
];

/** Values at the edges: signs, 2^31, 2^32, 2^53 + 1, floats where integers go, absurd exponents. */
export const EXTREME_VALUES = [
  '0', '-1', '1', '2', '3', '7', '999', '1000', '65535', '2147483647', '2147483648', '-2147483648', '4294967295', '4294967296',
  '9007199254740993', '99999999999999999999999', '1E300', '-1E300', '1.5', '2.5', '0.0', '-0.0', '1D9', 'NAN', 'T', 'F', '',
  "'junk    '", "'1PJ(2147483648)'", "'2147483648D'", "'0PB     '", "'99999999X'", "'(99999,99999)'", "'(0,3)   '", "'RICE_1  '",
  "'GZIP_1  '", "'GZIP_2  '", "'HCOMPRESS_1'", "'PLIO_1  '", "'NOCOMPRESS'", "'SUBTRACTIVE_DITHER_2'", "'&       '", '-32', '-64', '64',
  '8', '16', '32', '12',
];

export interface Mutant {
  bytes: Uint8Array;
  /** What was done, for the failure report. */
  what: string;
}

const CARD = 80;
const BLOCK = 2880;

/** Offsets of 80-byte cards whose keyword (columns 1–8) is `key`. */
function cardsNamed(b: Uint8Array, key: string): number[] {
  const hits: number[] = [];
  const k = key.padEnd(8, ' ');
  for (let p = 0; p + CARD <= b.length; p += CARD) {
    let ok = true;
    for (let i = 0; i < 8; i++) {
      if (b[p + i] !== k.charCodeAt(i)) {
        ok = false;
        break;
      }
    }
    if (ok) hits.push(p);
  }
  return hits;
}

/** Offsets of cards that look like `KEYWORD = value` (any keyword). */
function valueCards(b: Uint8Array): number[] {
  const hits: number[] = [];
  for (let p = 0; p + CARD <= b.length; p += CARD) if (b[p + 8] === 0x3d && b[p] >= 0x41 && b[p] <= 0x5a) hits.push(p);
  return hits;
}

function setValue(b: Uint8Array, p: number, v: string): void {
  const kw = String.fromCharCode(...b.subarray(p, p + 8));
  const card = (kw + '= ' + v.padStart(20, ' ')).padEnd(CARD, ' ').slice(0, CARD);
  for (let i = 0; i < CARD; i++) b[p + i] = card.charCodeAt(i);
}

function extreme(rng: Rng): string {
  if (rng.int(4) === 0) return String(Math.floor(rng.uniform() * 10 ** (1 + rng.int(15))));
  return EXTREME_VALUES[rng.int(EXTREME_VALUES.length)]!;
}

/** One mutation of a plain (uncompressed-file) FITS byte string. */
export function mutateFits(rng: Rng, input: Uint8Array): Mutant {
  const b = input.slice();
  const kind = rng.int(10);
  switch (kind) {
    case 0:
    case 1:
    case 2: {
      // Structural keyword set to an extreme value (1–3 of them at once).
      const n = 1 + rng.int(3);
      const done: string[] = [];
      for (let j = 0; j < n; j++) {
        const key = SIZE_KEYWORDS[rng.int(SIZE_KEYWORDS.length)]!;
        const hits = cardsNamed(b, key);
        if (hits.length === 0) continue;
        const p = hits[rng.int(hits.length)]!;
        const v = extreme(rng);
        setValue(b, p, v);
        done.push(`${key}=${v}@${p}`);
      }
      if (done.length) return { bytes: b, what: `keyword ${done.join(' ')}` };
      // none of those keywords here: mutate any value card instead
      const all = valueCards(b);
      if (all.length === 0) return { bytes: b, what: 'no cards' };
      const p = all[rng.int(all.length)]!;
      const v = extreme(rng);
      setValue(b, p, v);
      return { bytes: b, what: `card@${p}=${v}` };
    }
    case 3: {
      const at = rng.int(b.length + 1);
      return { bytes: b.slice(0, at), what: `truncate@${at}` };
    }
    case 4: {
      const n = 1 + rng.int(16);
      for (let i = 0; i < n; i++) {
        const at = rng.int(b.length);
        b[at] = b[at]! ^ (1 << rng.int(8));
      }
      return { bytes: b, what: `bitflip×${n}` };
    }
    case 5: {
      // Random bytes in the data part (rows, heap, tile streams): past the first header.
      const n = 1 + rng.int(24);
      const from = Math.min(b.length - 1, BLOCK);
      for (let i = 0; i < n; i++) b[from + rng.int(Math.max(1, b.length - from))] = rng.int(256);
      return { bytes: b, what: `bytes×${n}` };
    }
    case 6: {
      // Duplicate a card over another one (duplicate keywords, a second END, XTENSION mid-header).
      const cards = Math.floor(b.length / CARD);
      const from = rng.int(cards), to = rng.int(cards);
      b.copyWithin(to * CARD, from * CARD, from * CARD + CARD);
      return { bytes: b, what: `card ${from}->${to}` };
    }
    case 7: {
      // Duplicate a 2880-byte block over another, or insert a copy (shifts everything after it).
      const nb = Math.max(1, Math.floor(b.length / BLOCK));
      const from = rng.int(nb), to = rng.int(nb);
      if (rng.int(2) === 0) {
        b.copyWithin(to * BLOCK, from * BLOCK, from * BLOCK + BLOCK);
        return { bytes: b, what: `copy-block ${from}->${to}` };
      }
      const out = new Uint8Array(b.length + BLOCK);
      out.set(b.subarray(0, to * BLOCK));
      out.set(b.subarray(from * BLOCK, from * BLOCK + BLOCK), to * BLOCK);
      out.set(b.subarray(to * BLOCK), to * BLOCK + BLOCK);
      return { bytes: out, what: `insert-block ${from}@${to}` };
    }
    case 8: {
      // Duplicate the file's extensions (after the primary): many HDUs, repeated EXTNAMEs.
      const tail = b.subarray(Math.min(b.length, BLOCK * (1 + rng.int(2))));
      const times = 1 + rng.int(3);
      const out = new Uint8Array(b.length + tail.length * times);
      out.set(b);
      for (let t = 0; t < times; t++) out.set(tail, b.length + t * tail.length);
      return { bytes: out, what: `append-tail×${times}` };
    }
    default: {
      const nb = Math.max(1, Math.floor(b.length / BLOCK));
      const blk = rng.int(nb);
      b.fill(rng.int(2) ? 0 : 0x20, blk * BLOCK, blk * BLOCK + BLOCK);
      return { bytes: b, what: `blank-block ${blk}` };
    }
  }
}

/**
 * One mutation of a `.gz` input: damage the compressed stream (header, deflate blocks, trailer)
 * or mutate the inflated FITS and gzip it again (so the FITS layer behind gzip is fuzzed too).
 */
export function mutateGzip(rng: Rng, gz: Uint8Array): Mutant {
  if (rng.int(2) === 0) {
    const m = mutateFits(rng, gunzipSync(gz));
    return { bytes: gzipSync(m.bytes, { level: 1 }), what: `inner ${m.what}` };
  }
  const b = gz.slice();
  const k = rng.int(5);
  if (k === 4) {
    // A decompression bomb: 16–64 members of 1 MiB of zeros appended (~1 KB each, ratio ~1000).
    const member = zeroMember();
    const times = 16 + rng.int(49);
    const out = new Uint8Array(b.length + member.length * times);
    out.set(b);
    for (let t = 0; t < times; t++) out.set(member, b.length + t * member.length);
    return { bytes: out, what: `gz-bomb ${times} MiB` };
  }
  if (k === 0) {
    const at = rng.int(b.length + 1);
    return { bytes: b.slice(0, at), what: `gz-truncate@${at}` };
  }
  if (k === 1) {
    // ISIZE trailer lying about the size (a hint only).
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (b.length >= 4) dv.setUint32(b.length - 4, rng.int(2) ? 0xffffffff : rng.int(1 << 30), true);
    return { bytes: b, what: 'gz-isize' };
  }
  if (k === 2) {
    // A second member appended (concatenated gzip), possibly a repeated copy of the whole file.
    const times = 1 + rng.int(3);
    const out = new Uint8Array(b.length * (times + 1));
    for (let t = 0; t <= times; t++) out.set(b, t * b.length);
    return { bytes: out, what: `gz-members×${times + 1}` };
  }
  const n = 1 + rng.int(8);
  for (let i = 0; i < n; i++) {
    const at = rng.int(b.length);
    b[at] = b[at]! ^ (1 << rng.int(8));
  }
  return { bytes: b, what: `gz-bitflip×${n}` };
}

let zeros: Uint8Array | undefined;
/** gzip of 1 MiB of zero bytes (made once). */
function zeroMember(): Uint8Array {
  zeros ??= gzipSync(new Uint8Array(1 << 20), { level: 9 });
  return zeros;
}

/** The mutant for case `index` of `seed` over `inputs` (deterministic). */
export function mutantFor(seed: number, index: number, inputs: readonly { name: string; bytes: Uint8Array }[]): Mutant & { name: string } {
  const rng = new Rng(seed, index);
  const input = inputs[rng.int(inputs.length)]!;
  const isGz = input.bytes[0] === 0x1f && input.bytes[1] === 0x8b;
  const m = isGz ? mutateGzip(rng, input.bytes) : mutateFits(rng, input.bytes);
  // Sometimes stack a second mutation (e.g. a lying size plus a truncation).
  if (!isGz && rng.int(4) === 0) {
    const m2 = mutateFits(rng, m.bytes);
    return { name: input.name, bytes: m2.bytes, what: `${m.what} + ${m2.what}` };
  }
  return { name: input.name, ...m };
}
