// BINTABLE and ASCII TABLE row access (FITS 4.0 §7). Rows are read in chunks straight from the
// source, so a 1M-row catalog is streamed, never loaded whole. Cell values follow astropy:
// TSCAL/TZERO applied, unsigned conventions → unsigned integers, strings right-trimmed,
// X → boolean[] (one per bit), complex → [re, im], P/Q → arrays read from the heap.
import { FitsError } from '../errors';
import { ELEMENT_BYTES, asciiTableColumns, binTableColumns, type BinCode, type Column } from './columns';
import type { FitsFile, Hdu } from './file';

export type CellValue = string | number | bigint | boolean | null | CellValue[];

/** Rows per chunk when streaming (bounded so a chunk stays a few MB at most). */
export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;
/**
 * Most cell elements (numbers, characters of strings count once per cell, bits of X) one
 * readRows/cell call decodes into JS values. Decoded values cost 8–16 heap bytes each, and heap
 * descriptors of many rows may all point at the same bytes, so this bounds the heap a hostile
 * table can claim (2^24 elements ≈ 250 MB worst case); iterRows sizes its chunks to stay below
 * it. Read fewer rows at a time beyond it.
 */
export const MAX_DECODED_ELEMENTS = 2 ** 24;

export class FitsTable {
  readonly kind: 'bintable' | 'table';
  readonly columns: readonly Column[];
  readonly nrows: number;
  readonly rowBytes: number;
  /** Heap start and size relative to the data start (BINTABLE only). */
  readonly heapOffset: number;
  readonly heapSize: number;

  constructor(
    readonly file: FitsFile,
    readonly hdu: Hdu,
  ) {
    if (hdu.type !== 'bintable' && hdu.type !== 'table') {
      throw new FitsError('FITS_NOT_TABLE', `${file.name}: HDU ${hdu.index} is a ${hdu.type}, not a table`, {
        file: file.name,
        hdu: hdu.index,
      });
    }
    this.kind = hdu.type;
    this.rowBytes = hdu.naxes[0] ?? 0;
    this.nrows = hdu.naxes[1] ?? 0;
    if (hdu.naxes.length !== 2) {
      throw new FitsError('FITS_BAD_KEYWORD', `${file.name}: HDU ${hdu.index}: a table needs NAXIS = 2`, {
        file: file.name,
        hdu: hdu.index,
        keyword: 'NAXIS',
      });
    }
    if (this.rowBytes === 0 && this.nrows > 1_000_000) {
      // Zero-width rows cost no bytes, so nothing else bounds the work of iterating them.
      throw new FitsError('FITS_BAD_KEYWORD', `${file.name}: HDU ${hdu.index}: ${this.nrows} rows of 0 bytes`, {
        file: file.name,
        hdu: hdu.index,
        keyword: 'NAXIS2',
      });
    }
    this.columns = this.kind === 'bintable' ? binTableColumns(file, hdu) : asciiTableColumns(file, hdu);
    const mainBytes = this.rowBytes * this.nrows;
    const theap = hdu.header.getInteger('THEAP');
    this.heapOffset = typeof theap === 'number' ? theap : mainBytes;
    if (this.heapOffset < mainBytes || (typeof theap === 'bigint')) {
      throw new FitsError('FITS_BAD_KEYWORD', `${file.name}: HDU ${hdu.index}: THEAP = ${String(theap)} points inside the table rows`, {
        file: file.name,
        hdu: hdu.index,
        keyword: 'THEAP',
      });
    }
    this.heapSize = Math.max(0, mainBytes + hdu.pcount - this.heapOffset);
  }

  /** Column by TTYPE (case-insensitive) or 0-based index. */
  column(key: string | number): Column {
    const c =
      typeof key === 'number' ? this.columns[key] : this.columns.find((c) => c.name.toUpperCase() === key.toUpperCase());
    if (!c) {
      throw new FitsError('FITS_NO_COLUMN', `${this.file.name}: HDU ${this.hdu.index}: no column '${key}'`, {
        file: this.file.name,
        hdu: this.hdu.index,
        field: String(key),
      });
    }
    return c;
  }

  private checkRows(start: number, count: number): void {
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > this.nrows) {
      throw new FitsError(
        'FITS_BAD_ROWS',
        `${this.file.name}: HDU ${this.hdu.index}: rows ${start}..${start + count} outside 0..${this.nrows}`,
        { file: this.file.name, hdu: this.hdu.index },
      );
    }
    // Rows must be in the file before anything sized by `count` is allocated (a lying NAXIS2).
    const end = this.hdu.dataOffset + (start + count) * this.rowBytes;
    if (end > this.file.source.size) {
      throw new FitsError('FITS_TRUNCATED', `${this.file.name}: HDU ${this.hdu.index}: rows ${start}..${start + count} end at byte ${end} but the file has ${this.file.source.size}`, {
        file: this.file.name,
        hdu: this.hdu.index,
        offset: end,
      });
    }
  }

  /** Raw bytes of rows start..start+count (one read). */
  rawRows(start: number, count: number): Uint8Array {
    this.checkRows(start, count);
    return this.file.readData(this.hdu, start * this.rowBytes, count * this.rowBytes);
  }

  /** Elements left to decode in the current readRows/cell call (see MAX_DECODED_ELEMENTS). */
  private budget = MAX_DECODED_ELEMENTS;

  /** Elements one row decodes from its fixed-width cells (X: one per bit, A: one per cell). */
  private fixedElementsPerRow(): number {
    let n = 0;
    for (const c of this.columns) n += c.varLength ? 1 : c.code === 'A' ? Math.ceil(c.repeat / Math.max(1, c.dim?.[0] ?? c.repeat)) : Math.max(1, c.repeat);
    return n;
  }

  private spend(n: number, c: Column, row: number): void {
    this.budget -= n;
    if (this.budget < 0) {
      throw new FitsError(
        'FITS_TOO_LARGE',
        `${this.file.name}: HDU ${this.hdu.index}: column ${c.name} row ${row}: decoding passes ${MAX_DECODED_ELEMENTS} elements in one read; read fewer rows at a time`,
        { file: this.file.name, hdu: this.hdu.index, field: c.name, row },
      );
    }
  }

  /** Decoded rows: one array of cells per row, in column order. */
  readRows(start: number, count: number): CellValue[][] {
    this.checkRows(start, count);
    const perRow = this.kind === 'bintable' ? this.fixedElementsPerRow() : this.columns.length;
    if (count * perRow > MAX_DECODED_ELEMENTS) {
      throw new FitsError(
        'FITS_TOO_LARGE',
        `${this.file.name}: HDU ${this.hdu.index}: ${count} rows of ${perRow} elements pass the ${MAX_DECODED_ELEMENTS}-element limit of one read; read fewer rows at a time`,
        { file: this.file.name, hdu: this.hdu.index, row: start },
      );
    }
    this.budget = MAX_DECODED_ELEMENTS - count * perRow;
    const bytes = this.rawRows(start, count);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const rows: CellValue[][] = [];
    for (let r = 0; r < count; r++) {
      const base = r * this.rowBytes;
      rows.push(this.columns.map((c) => this.decodeCell(c, bytes, dv, base, start + r)));
    }
    return rows;
  }

  cell(row: number, col: string | number): CellValue {
    const c = this.column(col);
    this.budget = MAX_DECODED_ELEMENTS;
    const bytes = this.rawRows(row, 1);
    return this.decodeCell(c, bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, row);
  }

  /** Streams rows in chunks (`chunkRows` rows, default ≈ 4 MB of row bytes). */
  *iterRows(chunkRows?: number, start = 0, end = this.nrows): Generator<{ start: number; rows: CellValue[][] }> {
    const perRow = this.kind === 'bintable' ? this.fixedElementsPerRow() : this.columns.length;
    const byBudget = Math.floor(MAX_DECODED_ELEMENTS / Math.max(1, perRow));
    const n = Math.max(1, chunkRows ?? Math.min(byBudget, Math.floor(DEFAULT_CHUNK_BYTES / Math.max(1, this.rowBytes))));
    for (let s = start; s < end; s += n) {
      const c = Math.min(n, end - s);
      yield { start: s, rows: this.readRows(s, c) };
    }
  }

  /**
   * A scalar numeric column as float64 (TSCAL/TZERO applied; TNULL, undefined logicals and
   * blank ASCII fields → NaN), read in chunks. For catalogs (RA, Dec, magnitudes).
   */
  readNumericColumn(col: string | number, start = 0, count = this.nrows - start): Float64Array {
    const c = this.column(col);
    const numeric = ['L', 'B', 'I', 'J', 'K', 'E', 'D', 'ascii-I', 'ascii-F', 'ascii-E', 'ascii-D'].includes(c.code);
    if (c.varLength || c.repeat !== 1 || c.dim || !numeric) {
      throw new FitsError('FITS_NOT_NUMERIC', `${this.file.name}: HDU ${this.hdu.index}: column ${c.name} (${c.format}) is not a scalar numeric column`, {
        file: this.file.name,
        hdu: this.hdu.index,
        field: c.name,
      });
    }
    this.checkRows(start, count);
    const out = new Float64Array(count);
    const chunk = Math.max(1, Math.floor(DEFAULT_CHUNK_BYTES / Math.max(1, this.rowBytes)));
    const tnull = typeof c.tnull === 'number' || typeof c.tnull === 'bigint' ? Number(c.tnull) : undefined;
    for (let s = 0; s < count; s += chunk) {
      const n = Math.min(chunk, count - s);
      const bytes = this.rawRows(start + s, n);
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let r = 0; r < n; r++) {
        const base = r * this.rowBytes + c.offset;
        let v: number;
        if (this.kind === 'table') {
          const x = this.decodeCell(c, bytes, dv, r * this.rowBytes, start + s + r);
          v = x === null ? NaN : Number(x);
        } else {
          const raw = readRawNumber(c.code as BinCode, dv, base);
          if ((tnull !== undefined && raw === tnull && 'BIJK'.includes(c.code)) || (c.code === 'L' && raw === 0)) v = NaN;
          else v = c.code === 'L' ? (raw === 0x54 ? 1 : 0) : scaleNumber(c, raw);
        }
        out[s + r] = v;
      }
    }
    return out;
  }

  private decodeCell(c: Column, bytes: Uint8Array, dv: DataView, rowBase: number, row: number): CellValue {
    if (this.kind === 'table') return decodeAsciiCell(c, bytes, rowBase);
    const base = rowBase + c.offset;
    if (c.varLength) return this.decodeVarCell(c, dv, base, row);
    return decodeFixed(c, c.code as BinCode, c.code === 'X' ? c.repeat : c.repeat, bytes, dv, base, true);
  }

  private decodeVarCell(c: Column, dv: DataView, base: number, row: number): CellValue {
    let nelem: number, off: number;
    if (c.varLength === 'P') {
      nelem = dv.getUint32(base);
      off = dv.getUint32(base + 4);
    } else {
      const n = dv.getBigUint64(base), o = dv.getBigUint64(base + 8);
      if (n > BigInt(Number.MAX_SAFE_INTEGER) || o > BigInt(Number.MAX_SAFE_INTEGER)) throw this.heapError(c, row, `descriptor (${n}, ${o}) is absurd`);
      nelem = Number(n);
      off = Number(o);
    }
    const code = c.code as BinCode;
    const nbytes = code === 'X' ? Math.ceil(nelem / 8) : nelem * ELEMENT_BYTES[code];
    if (off + nbytes > this.heapSize) {
      throw this.heapError(c, row, `descriptor (${nelem} elements at heap offset ${off}) passes the heap end (${this.heapSize} bytes)`);
    }
    // Counted before reading: many descriptors may point at the same heap bytes.
    this.spend(code === 'A' ? 1 : nelem, c, row);
    const heap = this.file.readData(this.hdu, this.heapOffset + off, nbytes);
    const hdv = new DataView(heap.buffer, heap.byteOffset, heap.byteLength);
    const v = decodeFixed({ ...c, dim: undefined }, code, nelem, heap, hdv, 0, false);
    return v;
  }

  private heapError(c: Column, row: number, msg: string): FitsError {
    return new FitsError('FITS_BAD_HEAP', `${this.file.name}: HDU ${this.hdu.index}: column ${c.name} row ${row}: ${msg}`, {
      file: this.file.name,
      hdu: this.hdu.index,
      field: c.name,
      row,
    });
  }
}

function readRawNumber(code: BinCode, dv: DataView, p: number): number {
  switch (code) {
    case 'L': case 'B': return dv.getUint8(p);
    case 'I': return dv.getInt16(p);
    case 'J': return dv.getInt32(p);
    case 'K': return Number(dv.getBigInt64(p));
    case 'E': return dv.getFloat32(p);
    case 'D': return dv.getFloat64(p);
    default: return NaN;
  }
}

function scaleNumber(c: Column, raw: number): number {
  if (c.unsigned) return raw + c.tzero;
  return c.scaled ? raw * c.tscal + c.tzero : raw;
}

function decodeElement(c: Column, code: BinCode, dv: DataView, p: number): CellValue {
  switch (code) {
    case 'L': {
      const b = dv.getUint8(p);
      return b === 0x54 ? true : b === 0x46 ? false : null;
    }
    case 'B': {
      const v = dv.getUint8(p);
      return c.unsigned ? v - 128 : c.scaled ? v * c.tscal + c.tzero : v;
    }
    case 'I': case 'J': case 'E': case 'D':
      return scaleNumber(c, readRawNumber(code, dv, p));
    case 'K': {
      const v = dv.getBigInt64(p);
      if (c.unsigned) return BigInt.asUintN(64, v ^ -0x8000000000000000n);
      if (c.scaled) return Number(v) * c.tscal + c.tzero;
      return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
    }
    case 'C': return [dv.getFloat32(p) * c.tscal + c.tzero, dv.getFloat32(p + 4) * c.tscal];
    case 'M': return [dv.getFloat64(p) * c.tscal + c.tzero, dv.getFloat64(p + 8) * c.tscal];
    default: return null;
  }
}

/** Decodes `n` elements at `base`; scalar when n = 1 in a fixed cell without TDIM. */
function decodeFixed(c: Column, code: BinCode, n: number, bytes: Uint8Array, dv: DataView, base: number, fixed: boolean): CellValue {
  if (code === 'A') {
    const dim = c.dim;
    if (dim && dim.length >= 2 && fixed) {
      const parts: CellValue[] = [];
      for (let i = 0; i + dim[0]! <= n; i += dim[0]!) parts.push(asciiString(bytes, base + i, dim[0]!));
      return reshape(parts, dim.slice(1));
    }
    return asciiString(bytes, base, n);
  }
  if (code === 'X') {
    const bits: boolean[] = [];
    for (let i = 0; i < n; i++) bits.push((bytes[base + (i >> 3)]! & (0x80 >> (i & 7))) !== 0);
    return bits;
  }
  const size = ELEMENT_BYTES[code];
  if (n === 1 && fixed && !c.dim) return decodeElement(c, code, dv, base);
  const out: CellValue[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = decodeElement(c, code, dv, base + i * size);
  return fixed && c.dim && c.dim.length > 1 ? reshape(out, c.dim) : out;
}

/** TDIM (a, b, c) is FITS order: numpy shape [c][b][a]. */
function reshape(flat: CellValue[], dim: number[]): CellValue[] {
  const total = dim.reduce((a, b) => a * b, 1);
  if (dim.length <= 1 || total !== flat.length) return flat;
  const inner = dim[0]!;
  let level: CellValue[] = [];
  for (let i = 0; i < flat.length; i += inner) level.push(flat.slice(i, i + inner));
  for (let d = 1; d < dim.length - 1; d++) {
    const k = dim[d]!;
    const next: CellValue[] = [];
    for (let i = 0; i < level.length; i += k) next.push(level.slice(i, i + k));
    level = next;
  }
  return level;
}

/** FITS strings end at the first NUL; trailing blanks are not significant (§7.3.3.1). */
function asciiString(bytes: Uint8Array, p: number, n: number): string {
  let end = p;
  while (end < p + n && bytes[end] !== 0) end++;
  let s = '';
  for (let i = p; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s.replace(/ +$/, '');
}

const ASCII_INT = /^[+-]?\d+$/;
const ASCII_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[EeDd]?[+-]?\d+)?$/;

/** ASCII TABLE field: A → string; I → integer or null (blank/TNULL); F/E/D → number or NaN. */
function decodeAsciiCell(c: Column, bytes: Uint8Array, rowBase: number): CellValue {
  let s = '';
  for (let i = 0; i < c.width; i++) s += String.fromCharCode(bytes[rowBase + c.offset + i]!);
  if (c.code === 'ascii-A') return s.replace(/[\0 ]+$/, '');
  const t = s.trim();
  const isNull = t === '' || (typeof c.tnull === 'string' && t === c.tnull.trim());
  if (c.code === 'ascii-I') {
    if (isNull || !ASCII_INT.test(t)) return null;
    const v = Number(t);
    return c.scaled ? v * c.tscal + c.tzero : v;
  }
  if (isNull) return NaN;
  let norm = t.replace(/[Dd]/, 'E');
  // Fortran allows an exponent without its letter ('1.0+5'); implicit decimals (Fw.d without '.').
  if (!ASCII_FLOAT.test(t)) return NaN;
  if (!/[Ee]/.test(norm)) norm = norm.replace(/(\d)([+-]\d+)$/, '$1E$2');
  let v = Number(norm);
  if (!/\./.test(t) && c.decimals) v /= 10 ** c.decimals;
  return c.scaled ? v * c.tscal + c.tzero : v;
}
