// The BINTABLE that carries a tile-compressed image (FITS 4.0 §10.1): one row per tile, a
// variable-length array column (P: 2×int32, Q: 2×int64 descriptors, §7.3.5) pointing into the
// heap, and optional scalar columns ZSCALE, ZZERO, ZBLANK. This file only needs the header and a
// way to read byte ranges of the HDU's data unit, so the fits reader (or a test) can supply it.
import type { FitsHeader } from '../header';
import { tileError, type TileContext } from './errors';
import { tableFieldCount } from './params';

/** What decompressImage needs: the BINTABLE header and ranged reads of its data unit. */
export interface CompressedTableSource {
  /** The BINTABLE (compressed) header, ZIMAGE = T. */
  header: FitsHeader;
  /**
   * Reads `length` bytes of the data unit starting at `offset` (0 = first byte of the table;
   * the heap starts at THEAP, default NAXIS1·NAXIS2). Synchronous, like ByteSource (source.ts):
   * FITS work runs in workers. May return a view; throws (FitsError) when the range is missing.
   */
  readData(offset: number, length: number): Uint8Array;
  /** For error messages. */
  file?: string;
  hdu?: number;
  /** Absolute file offset of the data unit, so errors can give file byte offsets. */
  dataOffset?: number;
  /**
   * Bytes of the data unit actually present in the file; sizes claimed by the header are
   * checked against it before allocating (decompress.ts MAX_EXPANSION).
   */
  dataSize?: number;
}

export interface TableColumn {
  name: string;
  /** Byte offset of the field within a row. */
  offset: number;
  /** TFORM type letter (for P/Q: 'P' or 'Q'). */
  type: string;
  repeat: number;
  /** Element type of a P/Q array ('B', 'I', 'J', 'K', 'E', 'D'). */
  elemType?: string;
}

const SIZES: Record<string, number> = { L: 1, X: 0, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16, P: 8, Q: 16 };

/** Byte size of one element of a P/Q array of this type. */
export function elementSize(t: string): number {
  return SIZES[t] ?? 0;
}

export interface TableLayout {
  rowBytes: number;
  nrows: number;
  heapOffset: number;
  heapSize: number;
  columns: Map<string, TableColumn>;
}

/** Reads the BINTABLE structure keywords (§7.3.1) and locates each column in the row. */
export function tableLayout(h: FitsHeader, ctx: TileContext): TableLayout {
  const int = (k: string, def?: number): number => {
    const v = h.getNumber(k);
    if (v === undefined) {
      if (def !== undefined) return def;
      throw tileError('FITS_KEYWORD_MISSING', `compressed image table lacks ${k}`, ctx);
    }
    if (!Number.isSafeInteger(v) || v < 0) throw tileError('FITS_KEYWORD_INVALID', `${k} = ${v} is not a valid count`, ctx);
    return v;
  };
  const rowBytes = int('NAXIS1');
  const nrows = int('NAXIS2');
  const pcount = int('PCOUNT', 0);
  const tfields = tableFieldCount(h, ctx);
  const theap = int('THEAP', rowBytes * nrows);
  if (theap < rowBytes * nrows) throw tileError('FITS_KEYWORD_INVALID', `THEAP ${theap} lies inside the table`, ctx);
  const heapSize = rowBytes * nrows + pcount - theap;
  if (heapSize < 0) throw tileError('FITS_KEYWORD_INVALID', `THEAP ${theap} lies beyond PCOUNT`, ctx);
  const columns = new Map<string, TableColumn>();
  let offset = 0;
  for (let i = 1; i <= tfields; i++) {
    const tform = (h.getString(`TFORM${i}`) ?? '').trim().toUpperCase();
    const m = /^(\d*)([LXBIJKAEDCMPQ])([A-Z]?)(?:\((\d+)\))?/.exec(tform);
    if (!m) throw tileError('FITS_KEYWORD_INVALID', `TFORM${i} = '${tform}' is not a binary table format`, ctx);
    const repeat = m[1] === '' ? 1 : Number(m[1]);
    const type = m[2]!;
    if (!Number.isSafeInteger(repeat)) throw tileError('FITS_KEYWORD_INVALID', `TFORM${i} = '${tform}' has an absurd repeat count`, { ...ctx, keyword: `TFORM${i}` });
    const width = type === 'X' ? Math.ceil(repeat / 8) : repeat * SIZES[type]!;
    const name = (h.getString(`TTYPE${i}`) ?? '').trim().toUpperCase();
    const col: TableColumn = { name, offset, type, repeat };
    if (type === 'P' || type === 'Q') {
      col.elemType = m[3] || 'B';
      // One descriptor per row (§10.1); a repeat of 0 would leave the descriptor outside the row.
      if (repeat !== 1 || !'BIJKED'.includes(col.elemType)) {
        throw tileError('FITS_KEYWORD_INVALID', `TFORM${i} = '${tform}' is not a tile column (1PB/1PI/1PJ/1QB …)`, { ...ctx, keyword: `TFORM${i}` });
      }
    }
    if (name) columns.set(name, col);
    offset += width;
  }
  if (offset !== rowBytes) {
    throw tileError('FITS_KEYWORD_INVALID', `columns take ${offset} bytes but NAXIS1 = ${rowBytes}`, { ...ctx, keyword: 'NAXIS1' });
  }
  return { rowBytes, nrows, heapOffset: theap, heapSize, columns };
}

/** A variable-length array descriptor: element count and byte offset into the heap. */
export interface Descriptor {
  count: number;
  offset: number;
}

/** Reads a P or Q descriptor from a row (big-endian). Q offsets beyond 2^53 are rejected. */
export function readDescriptor(row: DataView, col: TableColumn, ctx: TileContext): Descriptor {
  if (col.type === 'P') return { count: row.getInt32(col.offset), offset: row.getInt32(col.offset + 4) };
  if (col.type === 'Q') {
    const count = Number(row.getBigInt64(col.offset));
    const offset = Number(row.getBigInt64(col.offset + 8));
    if (!Number.isSafeInteger(count) || !Number.isSafeInteger(offset)) {
      throw tileError('FITS_DESCRIPTOR_INVALID', `descriptor out of range in column ${col.name}`, ctx);
    }
    return { count, offset };
  }
  throw tileError('FITS_KEYWORD_INVALID', `column ${col.name} must be a P or Q array, not ${col.type}`, ctx);
}

/** Reads a scalar numeric cell (ZSCALE, ZZERO, ZBLANK). */
export function readScalar(row: DataView, col: TableColumn): number {
  switch (col.type) {
    case 'B':
      return row.getUint8(col.offset);
    case 'I':
      return row.getInt16(col.offset);
    case 'J':
      return row.getInt32(col.offset);
    case 'K':
      return Number(row.getBigInt64(col.offset));
    case 'E':
      return row.getFloat32(col.offset);
    case 'D':
      return row.getFloat64(col.offset);
    default:
      return NaN;
  }
}
