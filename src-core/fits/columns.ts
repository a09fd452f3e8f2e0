// Column descriptions for BINTABLE (FITS 4.0 §7.3: TFORMn rT(e), TDIMn, TSCALn/TZEROn, TNULLn,
// P/Q descriptors for variable-length arrays) and ASCII TABLE (§7.2: TBCOLn, Aw Iw Fw.d Ew.d Dw.d).
import { FitsError } from '../errors';
import type { FitsValue } from './header';
import type { FitsFile, Hdu } from './file';

export type BinCode = 'L' | 'X' | 'B' | 'I' | 'J' | 'K' | 'A' | 'E' | 'D' | 'C' | 'M';
export const ELEMENT_BYTES: Record<BinCode, number> = { L: 1, X: 1, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16 };

export interface Column {
  /** 0-based column index (TTYPE{index+1}). */
  index: number;
  name: string;
  /** TFORMn as written. */
  format: string;
  /** Element code; for a P/Q column the code of the heap elements. */
  code: BinCode | 'ascii-A' | 'ascii-I' | 'ascii-F' | 'ascii-E' | 'ascii-D';
  /** Elements per cell (bits for X); for P/Q columns the declared maximum (0 when absent). */
  repeat: number;
  /** 'P' (32-bit) or 'Q' (64-bit) descriptor for variable-length arrays. */
  varLength?: 'P' | 'Q';
  /** Byte offset of the cell within a row. */
  offset: number;
  /** Bytes the cell occupies in the row. */
  width: number;
  unit?: string;
  /** TDIMn in FITS order (fastest first), e.g. [1, 2, 8]. */
  dim?: number[];
  tnull?: FitsValue;
  tscal: number;
  tzero: number;
  disp?: string;
  /** Values come back as unsigned integers (TZERO 128 for B→int8, 32768, 2^31, 2^63 with TSCAL 1). */
  unsigned: boolean;
  /** Values come back as floats (TSCAL ≠ 1 or TZERO ≠ 0 and not the unsigned convention). */
  scaled: boolean;
  /** ASCII TABLE: decimals of Fw.d/Ew.d/Dw.d. */
  decimals?: number;
}

const UNSIGNED_ZERO: Partial<Record<BinCode, number>> = { B: -128, I: 32768, J: 2147483648, K: 9223372036854775808 };

function bad(file: FitsFile, hdu: Hdu, keyword: string, msg: string): FitsError {
  return new FitsError('FITS_BAD_COLUMN', `${file.name}: HDU ${hdu.index}: ${keyword}: ${msg}`, {
    file: file.name,
    hdu: hdu.index,
    keyword,
  });
}

function common(hdu: Hdu, n: number) {
  const h = hdu.header;
  const name = (h.getString(`TTYPE${n}`) ?? `col${n}`).trim();
  const unit = h.getString(`TUNIT${n}`)?.trim() || undefined;
  const disp = h.getString(`TDISP${n}`)?.trim() || undefined;
  return { name, unit, disp, tscal: h.getNumber(`TSCAL${n}`, 1), tzero: h.getNumber(`TZERO${n}`, 0), tnull: h.get(`TNULL${n}`) };
}

/** Parses TDIM '(a,b,c)'. */
export function parseTdim(s: string): number[] | undefined {
  const m = /^\s*\(\s*(\d+(?:\s*,\s*\d+)*)\s*\)\s*$/.exec(s);
  return m ? m[1]!.split(',').map((x) => Number(x.trim())) : undefined;
}

/** BINTABLE columns; checks that the cells fit in NAXIS1. */
export function binTableColumns(file: FitsFile, hdu: Hdu): Column[] {
  const h = hdu.header;
  const tfields = h.getInteger('TFIELDS');
  if (typeof tfields !== 'number' || tfields < 0 || tfields > 999) throw bad(file, hdu, 'TFIELDS', `invalid value ${String(h.get('TFIELDS'))}`);
  const rowBytes = hdu.naxes[0] ?? 0;
  const cols: Column[] = [];
  let offset = 0;
  for (let n = 1; n <= tfields; n++) {
    const tform = h.getString(`TFORM${n}`);
    if (tform === undefined) throw bad(file, hdu, `TFORM${n}`, 'missing');
    const m = /^\s*(\d*)\s*([LXBIJKAEDCMPQ])\s*([LXBIJKAEDCM]?)\s*(?:\(\s*(\d+)\s*\))?.*$/i.exec(tform);
    if (!m) throw bad(file, hdu, `TFORM${n}`, `unsupported format '${tform}'`);
    const repeat = m[1] === '' ? 1 : Number(m[1]);
    let code = m[2]!.toUpperCase();
    let varLength: 'P' | 'Q' | undefined;
    let maxLen = 0;
    if (code === 'P' || code === 'Q') {
      if (!m[3]) throw bad(file, hdu, `TFORM${n}`, `variable-length format '${tform}' lacks an element type`);
      varLength = code;
      code = m[3].toUpperCase();
      maxLen = m[4] ? Number(m[4]) : 0;
      if (repeat > 1) throw bad(file, hdu, `TFORM${n}`, `repeat ${repeat} on a descriptor is not allowed`);
    }
    const bc = code as BinCode;
    const width = varLength ? repeat * (varLength === 'P' ? 8 : 16) : bc === 'X' ? Math.ceil(repeat / 8) : repeat * ELEMENT_BYTES[bc];
    if (!Number.isSafeInteger(width) || offset + width > rowBytes) {
      throw bad(file, hdu, `TFORM${n}`, `cell at byte ${offset} of ${width} bytes passes the row length NAXIS1 = ${rowBytes}`);
    }
    const c = common(hdu, n);
    const tdim = h.getString(`TDIM${n}`);
    const dim = tdim !== undefined ? parseTdim(tdim) : undefined;
    if (tdim !== undefined && !dim) (hdu.warnings as string[]).push(`TDIM${n} '${tdim}' unparsable; ignored`);
    const uz = UNSIGNED_ZERO[bc];
    const unsigned = uz !== undefined && c.tscal === 1 && c.tzero === uz;
    const scaled = !unsigned && (c.tscal !== 1 || c.tzero !== 0) && 'BIJKEDCM'.includes(bc);
    cols.push({
      index: n - 1,
      ...c,
      format: tform.trim(),
      code: bc,
      repeat: varLength ? maxLen : repeat,
      varLength,
      offset,
      width,
      dim: dim && dim.every((d) => d > 0) ? dim : undefined,
      unsigned,
      scaled,
    });
    offset += width;
  }
  if (offset !== rowBytes) (hdu.warnings as string[]).push(`columns use ${offset} bytes of the ${rowBytes}-byte row`);
  return cols;
}

/** ASCII TABLE columns (TBCOLn is 1-based). */
export function asciiTableColumns(file: FitsFile, hdu: Hdu): Column[] {
  const h = hdu.header;
  const tfields = h.getInteger('TFIELDS');
  if (typeof tfields !== 'number' || tfields < 0 || tfields > 999) throw bad(file, hdu, 'TFIELDS', `invalid value ${String(h.get('TFIELDS'))}`);
  const rowBytes = hdu.naxes[0] ?? 0;
  const cols: Column[] = [];
  for (let n = 1; n <= tfields; n++) {
    const tform = h.getString(`TFORM${n}`);
    const tbcol = h.getInteger(`TBCOL${n}`);
    if (tform === undefined) throw bad(file, hdu, `TFORM${n}`, 'missing');
    if (typeof tbcol !== 'number' || tbcol < 1) throw bad(file, hdu, `TBCOL${n}`, `invalid value ${String(h.get(`TBCOL${n}`))}`);
    const m = /^\s*([AIFED])\s*(\d+)(?:\.(\d+))?\s*$/i.exec(tform);
    if (!m) throw bad(file, hdu, `TFORM${n}`, `unsupported ASCII format '${tform}'`);
    const width = Number(m[2]);
    if (tbcol - 1 + width > rowBytes) throw bad(file, hdu, `TBCOL${n}`, `field of ${width} chars at column ${tbcol} passes NAXIS1 = ${rowBytes}`);
    const c = common(hdu, n);
    const letter = m[1]!.toUpperCase();
    cols.push({
      index: n - 1,
      ...c,
      format: tform.trim(),
      code: `ascii-${letter}` as Column['code'],
      repeat: 1,
      offset: tbcol - 1,
      width,
      unsigned: false,
      scaled: letter !== 'A' && (c.tscal !== 1 || c.tzero !== 0),
      decimals: m[3] !== undefined ? Number(m[3]) : undefined,
    });
  }
  return cols;
}
