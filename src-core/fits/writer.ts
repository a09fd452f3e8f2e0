// FITS writer: images (every BITPIX, unsigned conventions via BZERO, float → scaled integer with
// BLANK) and BINTABLEs (all TFORM codes incl. P/Q heap arrays), strict cards, 2880-byte
// padding (header blanks, data zeros), optional CHECKSUM/DATASUM (FITS 4.0 Appendix J).
// The compression engineer adds RICE_1 on write on top of writeBinTable.
import { concatBytes } from '../bytes';
import { InputError } from '../errors';
import { formatCard, headerBytes, type CardInput } from './card-format';
import { addSums, encodeChecksum, onesComplementSum } from './checksum';
import type { ImageDtype, PixelArray } from './pixels';
import { encodeBinTable, type BinColumnSpec } from './table-writer';

export type { BinColumnSpec } from './table-writer';

export interface ImageHduSpec {
  kind: 'image';
  /** numpy order ([NAXIS2, NAXIS1]); [] or omitted data for a header-only HDU. */
  shape: number[];
  /** C order. A typed array picks BITPIX by its type; number[] needs `bitpix`. */
  data?: PixelArray | number[];
  /** Stored BITPIX. Default from the typed array; with bscale/bzero floats are quantised. */
  bitpix?: 8 | 16 | 32 | 64 | -32 | -64;
  /** Physical = bzero + bscale × stored (floats written to an integer BITPIX are rounded). */
  bscale?: number;
  bzero?: number;
  /** Integer BLANK for NaN pixels when floats are written to an integer BITPIX. */
  blank?: number;
  extname?: string;
  /** Extra cards (WCS, provenance). Structural keywords among them are skipped. */
  cards?: CardInput[];
}

export interface BinTableHduSpec {
  kind: 'bintable';
  columns: BinColumnSpec[];
  nrows: number;
  extname?: string;
  cards?: CardInput[];
}

export type HduSpec = ImageHduSpec | BinTableHduSpec;

export interface WriteOptions {
  /** Add CHECKSUM and DATASUM to every HDU. */
  checksum?: boolean;
}

/** Keywords the writer owns; user cards with these names are dropped. */
const STRUCTURAL =
  /^(SIMPLE|BITPIX|NAXIS\d*|EXTEND|XTENSION|PCOUNT|GCOUNT|TFIELDS|THEAP|BSCALE|BZERO|BLANK|CHECKSUM|DATASUM|END|GROUPS|T(TYPE|FORM|UNIT|DIM|NULL|SCAL|ZERO|DISP|BCOL)\d+|EXTNAME)$/;

const DTYPE_BITPIX: Record<ImageDtype, { bitpix: 8 | 16 | 32 | 64 | -32 | -64; bzero?: number }> = {
  uint8: { bitpix: 8 },
  int8: { bitpix: 8, bzero: -128 },
  int16: { bitpix: 16 },
  uint16: { bitpix: 16, bzero: 32768 },
  int32: { bitpix: 32 },
  uint32: { bitpix: 32, bzero: 2147483648 },
  int64: { bitpix: 64 },
  uint64: { bitpix: 64, bzero: 9223372036854775808 },
  float32: { bitpix: -32 },
  float64: { bitpix: -64 },
};

export function dtypeOf(a: PixelArray | number[]): ImageDtype | undefined {
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof BigUint64Array) return 'uint64';
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  return undefined;
}

function userCards(cards: CardInput[] | undefined): string[] {
  const out: string[] = [];
  for (const c of cards ?? []) {
    if (STRUCTURAL.test(c.keyword.trim().toUpperCase())) continue;
    out.push(...formatCard(c));
  }
  // fitsverify (cfitsio) expects the OGIP LONGSTRN flag wherever CONTINUE cards are used.
  if (out.some((im) => im.startsWith('CONTINUE')) && !out.some((im) => im.startsWith('LONGSTRN'))) {
    out.unshift(...formatCard({ keyword: 'LONGSTRN', value: 'OGIP 1.0', comment: 'CONTINUE long strings used' }));
  }
  return out;
}

/** Encodes image pixels big-endian for `bitpix`, applying the inverse of the scaling. */
function encodePixels(spec: ImageHduSpec, bitpix: number, bscale: number, bzero: number, unsignedShift: boolean): Uint8Array {
  const data = spec.data ?? [];
  if ((bitpix === -32 && data instanceof Float32Array) || (bitpix === -64 && data instanceof Float64Array)) return bigEndianFloats(data);
  const n = data.length;
  const size = Math.abs(bitpix) / 8;
  const out = new Uint8Array(n * size);
  const dv = new DataView(out.buffer);
  const blank = spec.blank;
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    const p = i * size;
    if (bitpix === -32) dv.setFloat32(p, Number(v));
    else if (bitpix === -64) dv.setFloat64(p, Number(v));
    else if (bitpix === 64) {
      let s: bigint;
      if (typeof v === 'bigint') s = unsignedShift ? BigInt.asIntN(64, v - 9223372036854775808n) : v;
      else s = BigInt(storedInteger(v, bscale, bzero, blank, bitpix));
      dv.setBigInt64(p, s);
    } else {
      const s = unsignedShift && typeof v === 'number' && Number.isInteger(v) ? v - bzero : storedInteger(Number(v), bscale, bzero, blank, bitpix);
      if (bitpix === 8) dv.setUint8(p, s);
      else if (bitpix === 16) dv.setInt16(p, s);
      else dv.setInt32(p, s);
    }
  }
  return out;
}

/** Buffers of encoded pixels whose tail up to the next 2880-byte block is zero (see encodeFits). */
const ZERO_PADDED = new WeakSet<ArrayBufferLike>();
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const bswap32 = (x: number) => ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);

/**
 * Float pixels already in the BITPIX type (no scaling applies to floats): the same bytes as
 * DataView.setFloat32/64 by whole-word byte swaps instead of one DataView call per pixel (the
 * generic loop cost ~70 µs per simulated LSST cutout in `lensdesk simulate`, docs/simulate.md).
 */
export function bigEndianFloats(data: Float32Array | Float64Array): Uint8Array {
  // Allocated at the padded length, so encodeFits can use it without a second copy.
  const out = new Uint8Array(new ArrayBuffer(Math.ceil(data.byteLength / 2880) * 2880), 0, data.byteLength);
  ZERO_PADDED.add(out.buffer);
  if (!LITTLE_ENDIAN) { out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)); return out; }
  const src = new Uint32Array(data.buffer, data.byteOffset, data.byteLength / 4);
  const dst = new Uint32Array(out.buffer, 0, src.length);
  if (data instanceof Float32Array) for (let i = 0; i < src.length; i++) dst[i] = bswap32(src[i]!);
  else for (let i = 0; i < src.length; i += 2) { dst[i] = bswap32(src[i + 1]!); dst[i + 1] = bswap32(src[i]!); }
  return out;
}

const RANGE: Record<number, [number, number]> = { 8: [0, 255], 16: [-32768, 32767], 32: [-2147483648, 2147483647], 64: [-(2 ** 63), 2 ** 63 - 1] };

function storedInteger(v: number, bscale: number, bzero: number, blank: number | undefined, bitpix: number): number {
  if (Number.isNaN(v)) {
    if (blank === undefined) throw new InputError('FITS_NO_BLANK', 'NaN pixel written to an integer BITPIX needs `blank`', {});
    return blank;
  }
  const s = Math.round((v - bzero) / bscale);
  const [lo, hi] = RANGE[bitpix]!;
  if (!(s >= lo && s <= hi)) throw new InputError('FITS_OVERFLOW', `pixel value ${v} does not fit BITPIX ${bitpix} with BSCALE ${bscale} BZERO ${bzero}`, {});
  return s;
}

interface EncodedHdu {
  cards: string[];
  data: Uint8Array;
}

function encodeImage(spec: ImageHduSpec, primary: boolean, moreFollow: boolean): EncodedHdu {
  const shape = spec.shape;
  const n = shape.length === 0 ? 0 : shape.reduce((a, b) => a * b, 1);
  const dt = spec.data ? dtypeOf(spec.data) : undefined;
  const auto = dt ? DTYPE_BITPIX[dt] : undefined;
  const bitpix = spec.bitpix ?? auto?.bitpix ?? (n === 0 ? 8 : undefined);
  if (bitpix === undefined) throw new InputError('FITS_NO_BITPIX', 'image data given as number[] needs `bitpix`', {});
  if ((spec.data?.length ?? 0) !== n) {
    throw new InputError('FITS_SHAPE_MISMATCH', `image data has ${spec.data?.length ?? 0} values but shape [${shape}] needs ${n}`, {});
  }
  // The unsigned conventions come from the typed array when its type matches BITPIX.
  const unsignedShift = spec.bscale === undefined && spec.bzero === undefined && auto?.bzero !== undefined && auto.bitpix === bitpix;
  const bzero = spec.bzero ?? (unsignedShift ? auto!.bzero! : 0);
  const bscale = spec.bscale ?? 1;
  return { cards: imageCards(spec, bitpix, bscale, bzero, primary, moreFollow), data: encodePixels(spec, bitpix, bscale, bzero, unsignedShift) };
}

/**
 * The header of an image HDU whose pixels the caller writes itself (float BITPIX, big-endian, then
 * zero padding to 2880 bytes), e.g. a cube too large to hold at once written slice by slice.
 */
export function imageHeaderBytes(spec: Omit<ImageHduSpec, 'data' | 'bscale' | 'bzero' | 'blank'> & { bitpix: -32 | -64 }, primary: boolean, moreFollow: boolean): Uint8Array {
  return headerBytes(imageCards(spec, spec.bitpix, 1, 0, primary, moreFollow));
}

function imageCards(spec: Omit<ImageHduSpec, 'data'>, bitpix: number, bscale: number, bzero: number, primary: boolean, moreFollow: boolean): string[] {
  const shape = spec.shape;
  const cards = [
    ...(primary
      ? formatCard({ keyword: 'SIMPLE', value: true, comment: 'conforms to FITS standard' })
      : formatCard({ keyword: 'XTENSION', value: 'IMAGE', comment: 'image extension' })),
    ...formatCard({ keyword: 'BITPIX', value: bitpix, comment: 'array data type' }),
    ...formatCard({ keyword: 'NAXIS', value: shape.length, comment: 'number of array dimensions' }),
  ];
  [...shape].reverse().forEach((d, i) => cards.push(...formatCard({ keyword: `NAXIS${i + 1}`, value: d })));
  if (primary) {
    if (moreFollow) cards.push(...formatCard({ keyword: 'EXTEND', value: true }));
  } else {
    cards.push(...formatCard({ keyword: 'PCOUNT', value: 0 }), ...formatCard({ keyword: 'GCOUNT', value: 1 }));
  }
  if (bscale !== 1 || bzero !== 0) {
    cards.push(...formatCard({ keyword: 'BSCALE', value: bscale, type: Number.isInteger(bscale) ? 'integer' : 'float' }));
    cards.push(...formatCard({ keyword: 'BZERO', value: bzero, type: Number.isInteger(bzero) ? 'integer' : 'float' }));
  }
  if (spec.blank !== undefined && bitpix > 0) cards.push(...formatCard({ keyword: 'BLANK', value: spec.blank }));
  if (spec.extname) cards.push(...formatCard({ keyword: 'EXTNAME', value: spec.extname }));
  cards.push(...userCards(spec.cards));
  return cards;
}

function encodeTable(spec: BinTableHduSpec): EncodedHdu {
  const t = encodeBinTable(spec.columns, spec.nrows);
  const cards = [
    ...formatCard({ keyword: 'XTENSION', value: 'BINTABLE', comment: 'binary table extension' }),
    ...formatCard({ keyword: 'BITPIX', value: 8 }),
    ...formatCard({ keyword: 'NAXIS', value: 2 }),
    ...formatCard({ keyword: 'NAXIS1', value: t.rowBytes, comment: 'bytes per row' }),
    ...formatCard({ keyword: 'NAXIS2', value: spec.nrows, comment: 'number of rows' }),
    ...formatCard({ keyword: 'PCOUNT', value: t.heapBytes, comment: 'heap size' }),
    ...formatCard({ keyword: 'GCOUNT', value: 1 }),
    ...formatCard({ keyword: 'TFIELDS', value: spec.columns.length }),
    ...t.columnCards,
  ];
  if (spec.extname) cards.push(...formatCard({ keyword: 'EXTNAME', value: spec.extname }));
  cards.push(...userCards(spec.cards));
  return { cards, data: t.bytes };
}

/** Encodes HDUs; yields header and padded data chunks in order (stream them to a file). */
export function* encodeFits(hdus: HduSpec[], opts: WriteOptions = {}): Generator<Uint8Array> {
  const list: HduSpec[] = hdus[0]?.kind === 'image' ? hdus : [{ kind: 'image', shape: [] }, ...hdus];
  for (let i = 0; i < list.length; i++) {
    const spec = list[i]!;
    const enc = spec.kind === 'image' ? encodeImage(spec, i === 0, list.length > 1) : encodeTable(spec);
    const padLength = Math.ceil(enc.data.length / 2880) * 2880;
    // Zero-filled padding already there (bigEndianFloats): use the buffer as is.
    const reuse = ZERO_PADDED.has(enc.data.buffer) && enc.data.buffer.byteLength === padLength;
    const padded = reuse ? new Uint8Array(enc.data.buffer) : new Uint8Array(padLength);
    if (!reuse) padded.set(enc.data);
    if (opts.checksum) {
      const dataSum = onesComplementSum(padded);
      const cards = [
        ...enc.cards,
        ...formatCard({ keyword: 'CHECKSUM', value: '0000000000000000', comment: 'HDU checksum' }),
        ...formatCard({ keyword: 'DATASUM', value: String(dataSum), comment: 'data unit checksum' }),
      ];
      let head = headerBytes(cards);
      const total = addSums(onesComplementSum(head), dataSum);
      cards[cards.length - 2] = formatCard({ keyword: 'CHECKSUM', value: encodeChecksum(~total >>> 0), comment: 'HDU checksum' })[0]!;
      head = headerBytes(cards);
      yield head;
    } else {
      yield headerBytes(enc.cards);
    }
    if (padded.length) yield padded;
  }
}

/** Encodes HDUs into one buffer (small files, tests, cutouts). */
export function writeFits(hdus: HduSpec[], opts: WriteOptions = {}): Uint8Array {
  return concatBytes([...encodeFits(hdus, opts)]);
}
