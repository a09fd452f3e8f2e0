// BINTABLE encoding (FITS 4.0 §7.3): row bytes for every TFORM code and the heap for P/Q
// variable-length arrays (descriptors = element count, byte offset into the heap).
import { InputError } from '../errors';
import { formatCard } from './card-format';
import { ELEMENT_BYTES, type BinCode } from './columns';
import type { FitsValue } from './header';
import type { CellValue } from './table';

export interface BinColumnSpec {
  name: string;
  /** TFORM: e.g. 'D', '3E', '20A', '16X', 'PJ', 'QD', '1PA'. */
  format: string;
  unit?: string;
  /** TDIM in FITS order (fastest first). */
  dim?: number[];
  /** TNULL for integer columns: null cells are written as this value. */
  tnull?: number;
  tscal?: number;
  tzero?: number;
  disp?: string;
  /** Comment on the TTYPE card (e.g. a UCD-like description). */
  comment?: string;
  /** One value per row: scalars, arrays (repeat > 1, P/Q), strings, booleans, [re, im]. */
  values: ArrayLike<CellValue>;
}

export interface EncodedTable {
  rowBytes: number;
  heapBytes: number;
  bytes: Uint8Array;
  columnCards: string[];
}

interface Layout {
  spec: BinColumnSpec;
  code: BinCode;
  repeat: number;
  varLength?: 'P' | 'Q';
  width: number;
  offset: number;
}

function bad(col: string, msg: string, row?: number): InputError {
  return new InputError('FITS_BAD_COLUMN_DATA', `column ${col}${row === undefined ? '' : ` row ${row}`}: ${msg}`, { field: col, row });
}

function layoutOf(spec: BinColumnSpec, offset: number): Layout {
  const m = /^(\d*)([LXBIJKAEDCMPQ])([LXBIJKAEDCM]?)(?:\((\d+)\))?$/.exec(spec.format.trim().toUpperCase());
  if (!m) throw bad(spec.name, `unsupported TFORM '${spec.format}'`);
  const repeat = m[1] === '' ? 1 : Number(m[1]);
  if (m[2] === 'P' || m[2] === 'Q') {
    if (!m[3]) throw bad(spec.name, `TFORM '${spec.format}' needs an element type (e.g. PJ)`);
    return { spec, code: m[3] as BinCode, repeat: 1, varLength: m[2], width: m[2] === 'P' ? 8 : 16, offset };
  }
  const code = m[2] as BinCode;
  return { spec, code, repeat, width: code === 'X' ? Math.ceil(repeat / 8) : repeat * ELEMENT_BYTES[code], offset };
}

function flat(v: CellValue): CellValue[] {
  return Array.isArray(v) ? v.flatMap(flat) : [v];
}

/** Writes `n` elements of `vals` at `p` in `dv`. Returns bytes written. */
function putElements(l: Layout, vals: CellValue[], n: number, dv: DataView, bytes: Uint8Array, p: number, row: number): void {
  const s = l.spec;
  const tscal = s.tscal ?? 1, tzero = s.tzero ?? 0;
  const store = (v: number): number => (tscal !== 1 || tzero !== 0 ? Math.round((v - tzero) / tscal) : v);
  for (let i = 0; i < n; i++) {
    const v = vals[i] ?? null;
    const q = p + i * ELEMENT_BYTES[l.code];
    switch (l.code) {
      case 'L': dv.setUint8(q, v === null ? 0 : v ? 0x54 : 0x46); break;
      case 'B': case 'I': case 'J': {
        let x: number;
        if (v === null || (typeof v === 'number' && Number.isNaN(v))) {
          if (s.tnull === undefined) throw bad(s.name, 'null value needs TNULL', row);
          x = s.tnull;
        } else x = store(Number(v));
        if (l.code === 'B') { if (!(x >= 0 && x <= 255)) throw bad(s.name, `value ${String(v)} out of range for B`, row); dv.setUint8(q, x); }
        else if (l.code === 'I') { if (!(x >= -32768 && x <= 32767)) throw bad(s.name, `value ${String(v)} out of range for I`, row); dv.setInt16(q, x); }
        else { if (!(x >= -2147483648 && x <= 2147483647)) throw bad(s.name, `value ${String(v)} out of range for J`, row); dv.setInt32(q, x); }
        break;
      }
      case 'K': {
        let x: bigint;
        if (v === null) {
          if (s.tnull === undefined) throw bad(s.name, 'null value needs TNULL', row);
          x = BigInt(s.tnull);
        } else if (typeof v === 'bigint') x = tzero === 9223372036854775808 ? BigInt.asIntN(64, v - 9223372036854775808n) : v;
        else x = BigInt(store(Number(v)));
        dv.setBigInt64(q, x);
        break;
      }
      case 'E': dv.setFloat32(q, v === null ? NaN : (Number(v) - tzero) / tscal); break;
      case 'D': dv.setFloat64(q, v === null ? NaN : (Number(v) - tzero) / tscal); break;
      case 'C': case 'M': {
        const c = Array.isArray(v) ? v : [v, 0];
        const set = l.code === 'C' ? dv.setFloat32.bind(dv) : dv.setFloat64.bind(dv);
        const h = ELEMENT_BYTES[l.code] / 2;
        set(q, Number(c[0] ?? NaN));
        set(q + h, Number(c[1] ?? NaN));
        break;
      }
      default: throw bad(s.name, `code ${l.code} is not numeric`, row);
    }
  }
  void bytes;
}

function putString(l: Layout, v: CellValue, n: number, bytes: Uint8Array, p: number, row: number): number {
  const s = v === null ? '' : Array.isArray(v) ? flat(v).map((x) => String(x ?? '')).join('') : String(v);
  if (s.length > n) throw bad(l.spec.name, `string of ${s.length} characters does not fit ${n}`, row);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw bad(l.spec.name, `character code ${c} is not printable ASCII`, row);
    bytes[p + i] = c;
  }
  for (let i = s.length; i < n; i++) bytes[p + i] = 0x20;
  return s.length;
}

function putBits(l: Layout, v: CellValue, n: number, bytes: Uint8Array, p: number): void {
  const bits = v === null ? [] : flat(v);
  for (let i = 0; i < n && i < bits.length; i++) if (bits[i]) bytes[p + (i >> 3)]! |= 0x80 >> (i & 7);
}

/** Encodes all rows and the heap; also returns the TTYPE/TFORM/... cards. */
export function encodeBinTable(columns: BinColumnSpec[], nrows: number): EncodedTable {
  if (!Number.isSafeInteger(nrows) || nrows < 0) throw new InputError('FITS_BAD_ROWS', `invalid row count ${nrows}`, {});
  let offset = 0;
  const layouts = columns.map((c) => {
    if (c.values.length !== nrows) throw bad(c.name, `has ${c.values.length} values for ${nrows} rows`);
    const l = layoutOf(c, offset);
    offset += l.width;
    return l;
  });
  const rowBytes = offset;
  // Heap: concatenated variable-length cells (sizes known up front).
  const heapParts: Uint8Array[] = [];
  let heapBytes = 0;
  const maxLen = new Map<Layout, number>();
  const main = new Uint8Array(rowBytes * nrows);
  const dv = new DataView(main.buffer);
  for (let r = 0; r < nrows; r++) {
    for (const l of layouts) {
      const v = l.spec.values[r] ?? null;
      const p = r * rowBytes + l.offset;
      if (l.varLength) {
        const elems = l.code === 'A' ? null : v === null ? [] : flat(v);
        const n = l.code === 'A' ? (v === null ? 0 : String(v).length) : elems!.length;
        const nb = l.code === 'X' ? Math.ceil(n / 8) : n * ELEMENT_BYTES[l.code];
        const part = new Uint8Array(nb);
        if (l.code === 'A') putString(l, v, n, part, 0, r);
        else if (l.code === 'X') putBits(l, elems, n, part, 0);
        else putElements(l, elems!, n, new DataView(part.buffer), part, 0, r);
        if (l.varLength === 'P') {
          if (heapBytes + nb > 0xffffffff) throw bad(l.spec.name, 'heap exceeds 4 GB; use a Q format', r);
          dv.setUint32(p, n);
          dv.setUint32(p + 4, heapBytes);
        } else {
          dv.setBigUint64(p, BigInt(n));
          dv.setBigUint64(p + 8, BigInt(heapBytes));
        }
        heapParts.push(part);
        heapBytes += nb;
        maxLen.set(l, Math.max(maxLen.get(l) ?? 0, n));
      } else if (l.code === 'A') {
        const dim = l.spec.dim;
        if (dim && dim.length >= 2 && Array.isArray(v)) {
          const parts = flat(v);
          parts.forEach((s, i) => putString(l, s, dim[0]!, main, p + i * dim[0]!, r));
        } else putString(l, v, l.repeat, main, p, r);
      } else if (l.code === 'X') putBits(l, v, l.repeat, main, p);
      else {
        const vals = l.repeat === 1 && !Array.isArray(v) ? [v] : v === null ? [] : l.code === 'C' || l.code === 'M' ? complexList(v) : flat(v);
        if (vals.length > l.repeat) throw bad(l.spec.name, `${vals.length} elements do not fit repeat ${l.repeat}`, r);
        putElements(l, vals, l.repeat, dv, main, p, r);
      }
    }
  }
  const bytes = new Uint8Array(main.length + heapBytes);
  bytes.set(main);
  let h = main.length;
  for (const part of heapParts) {
    bytes.set(part, h);
    h += part.length;
  }
  const cards: string[] = [];
  layouts.forEach((l, i) => {
    const n = i + 1;
    const s = l.spec;
    const form = l.varLength ? `1${l.varLength}${l.code}(${maxLen.get(l) ?? 0})` : s.format.trim().toUpperCase();
    cards.push(...formatCard({ keyword: `TTYPE${n}`, value: s.name, comment: s.comment }));
    cards.push(...formatCard({ keyword: `TFORM${n}`, value: form }));
    const opt: Array<[string, FitsValue | undefined]> = [
      ['TUNIT', s.unit],
      ['TDIM', s.dim ? `(${s.dim.join(',')})` : undefined],
      ['TNULL', s.tnull],
      ['TSCAL', s.tscal],
      ['TZERO', s.tzero],
      ['TDISP', s.disp],
    ];
    for (const [k, v] of opt) if (v !== undefined) cards.push(...formatCard({ keyword: `${k}${n}`, value: v }));
  });
  return { rowBytes, heapBytes, bytes, columnCards: cards };
}

/** A complex cell: [re, im] or a list of [re, im] pairs. */
function complexList(v: CellValue): CellValue[] {
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number') return [v];
  return Array.isArray(v) ? v : [v];
}
