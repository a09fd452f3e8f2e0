// Strict formatting of the fixed-format header cards the compressed-image writer emits
// (FITS 4.0 §4.1–4.2: 80 columns, keyword in 1–8, '= ' in 9–10, fixed-format values right-
// justified to column 30, strings quoted from column 11 and at least 8 characters wide).
// Kept private to compress/ until the shared writer exists.
import { InputError } from '../../errors';

export type CardValue = string | number | boolean | bigint | null;

export interface WriteCard {
  keyword: string;
  value?: CardValue;
  comment?: string;
  /** Force a float (with decimal point) for an integral number. */
  float?: boolean;
}

function formatFloat(v: number): string {
  if (!Number.isFinite(v)) throw new InputError('INPUT_INVALID', `FITS cannot store ${v} in a header value`);
  let s = String(v).toUpperCase();
  if (!/[.E]/.test(s)) s += '.0';
  else if (/E/.test(s) && !/\./.test(s)) s = s.replace('E', '.0E');
  if (s.length > 20) s = v.toExponential(14).toUpperCase();
  return s;
}

function formatValue(c: WriteCard): string {
  const v = c.value;
  if (v === null || v === undefined) return ''.padStart(20);
  if (typeof v === 'boolean') return (v ? 'T' : 'F').padStart(20);
  if (typeof v === 'bigint') return v.toString().padStart(20);
  if (typeof v === 'number') {
    if (Number.isInteger(v) && !c.float && Math.abs(v) < 1e18) return String(v).padStart(20);
    return formatFloat(v).padStart(20);
  }
  const q = `'${v.replace(/'/g, "''").padEnd(8)}'`;
  if (q.length > 70) throw new InputError('INPUT_INVALID', `string value of ${c.keyword} is too long for one card`);
  return q.padEnd(20);
}

/** One 80-character card image. COMMENT/HISTORY/'' take free text in `comment`. */
export function formatCard(c: WriteCard): string {
  const k = c.keyword.toUpperCase();
  if (!/^[A-Z0-9_-]{0,8}$/.test(k)) throw new InputError('INPUT_INVALID', `keyword '${c.keyword}' is not a standard FITS keyword`);
  if (/[^\x20-\x7e]/.test(c.comment ?? '') || (typeof c.value === 'string' && /[^\x20-\x7e]/.test(c.value))) {
    throw new InputError('INPUT_INVALID', `card ${k} has non-ASCII text`);
  }
  let s: string;
  if (k === 'COMMENT' || k === 'HISTORY' || k === '') s = k.padEnd(8) + (c.comment ?? '');
  else {
    s = k.padEnd(8) + '= ' + formatValue(c);
    if (c.comment) s += ' / ' + c.comment;
  }
  return s.slice(0, 80).padEnd(80);
}

/** Header bytes: the cards, END, padded with blanks to a multiple of 2880. */
export function headerBytes(cards: readonly WriteCard[]): Uint8Array {
  const text = cards.map(formatCard).join('') + 'END'.padEnd(80);
  const n = Math.ceil(text.length / 2880) * 2880;
  const out = new Uint8Array(n).fill(0x20);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
