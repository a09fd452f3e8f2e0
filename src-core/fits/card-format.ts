// Strict card formatting for the writer (FITS 4.0 §4.1–4.2): fixed-format values (strings from
// column 11, other values right-justified to column 30), '' escapes, long strings over CONTINUE
// cards (§4.2.1.2), HIERARCH for keywords that are not 1–8 characters of A–Z 0–9 _ -.
import { InputError } from '../errors';
import { COMMENTARY_KEYWORDS, type FitsValue, type FitsValueType } from './header';

export interface CardInput {
  keyword: string;
  value?: FitsValue;
  comment?: string;
  /** Keeps a float written as float ('1.0') even when its value is integral. */
  type?: FitsValueType;
}

const STANDARD_KEYWORD = /^[A-Z0-9_-]{1,8}$/;

function bad(keyword: string, msg: string): InputError {
  return new InputError('FITS_BAD_CARD', `cannot write keyword '${keyword}': ${msg}`, { keyword });
}

function checkText(keyword: string, s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw bad(keyword, `character code ${c} is not printable ASCII`);
  }
}

/** Shortest text that reads back to the same double, with a '.' or 'E' so it stays a float. */
export function formatFloat(x: number, keyword = ''): string {
  if (!Number.isFinite(x)) throw bad(keyword, `non-finite value ${x} cannot be written in a header`);
  if (Object.is(x, -0)) return '-0.0';
  let s = String(x);
  const e = s.indexOf('e');
  if (e >= 0) {
    let mant = s.slice(0, e);
    if (!mant.includes('.')) mant += '.0';
    const exp = s.slice(e + 1);
    const sign = exp.startsWith('-') ? '-' : '+';
    s = `${mant}E${sign}${exp.replace(/^[+-]/, '').padStart(2, '0')}`;
  } else if (!s.includes('.')) {
    s += '.0';
  }
  return s;
}

/** The value field text (without padding) for a non-string value. */
function formatScalar(keyword: string, v: FitsValue, type?: FitsValueType): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (type !== 'float' && Number.isSafeInteger(v)) return String(v);
    return formatFloat(v, keyword);
  }
  if (Array.isArray(v)) return `(${formatFloat(v[0], keyword)}, ${formatFloat(v[1], keyword)})`;
  throw bad(keyword, `unsupported value ${String(v)}`);
}

function withComment(body: string, comment: string | undefined): string {
  if (!comment) return body.padEnd(80, ' ');
  const room = 80 - body.length - 3;
  if (room <= 0) return body.padEnd(80, ' ');
  return (body + ' / ' + comment.slice(0, room)).padEnd(80, ' ');
}

function quote(s: string): string {
  return s.replace(/'/g, "''");
}

/** Formats one logical card as one or more 80-character card images. */
export function formatCard(c: CardInput): string[] {
  const kw = c.keyword.trim();
  const comment = c.comment?.trim();
  if (comment) checkText(kw, comment);
  const up = kw.toUpperCase();
  if (COMMENTARY_KEYWORDS.has(up) && (c.value === undefined || typeof c.value === 'string' || c.value === null)) {
    const text = typeof c.value === 'string' ? c.value : (comment ?? '');
    checkText(kw, text);
    const out: string[] = [];
    for (let i = 0; i === 0 || i < text.length; i += 72) out.push((up.padEnd(8, ' ') + text.slice(i, i + 72)).padEnd(80, ' '));
    return out;
  }
  if (up === 'END' || up === 'CONTINUE') throw bad(kw, 'reserved keyword');
  const hierarch = !STANDARD_KEYWORD.test(up);
  if (hierarch) checkText(kw, kw);
  const prefix = hierarch ? `HIERARCH ${kw} = ` : `${up.padEnd(8, ' ')}= `;
  if (prefix.length > 70) throw bad(kw, 'HIERARCH keyword too long');
  const v = c.value ?? null;
  if (typeof v === 'string') {
    checkText(kw, v);
    const q = quote(v);
    const single = `'${q.padEnd(8, ' ')}'`;
    if (prefix.length + single.length <= 80) return [withComment(prefix + single, comment)];
    // Long string: chunks of at most 67 characters + '&' (§4.2.1.2), never splitting a '' pair.
    const out: string[] = [];
    let rest = q;
    let first = true;
    while (rest.length > 0) {
      const head = first ? prefix : 'CONTINUE  ';
      let take = Math.min(rest.length, 80 - head.length - 3);
      if (take < rest.length && rest[take - 1] === "'" && countTrailingQuotes(rest.slice(0, take)) % 2 === 1) take--;
      const piece = rest.slice(0, take);
      rest = rest.slice(take);
      out.push(`${head}'${piece}${rest.length > 0 ? '&' : ''}'`.padEnd(80, ' '));
      first = false;
    }
    if (comment) out[out.length - 1] = withComment(out[out.length - 1]!.trimEnd(), comment);
    return out;
  }
  const text = formatScalar(kw, v, c.type);
  const body = hierarch ? prefix + text : prefix + text.padStart(20, ' ');
  if (body.length > 80) throw bad(kw, 'value does not fit in one card');
  return [withComment(body, comment)];
}

function countTrailingQuotes(s: string): number {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === "'"; i--) n++;
  return n;
}

/** Joins cards + END and pads with blanks to a multiple of 2880 bytes. */
export function headerBytes(images: readonly string[]): Uint8Array {
  const all = [...images, 'END'.padEnd(80, ' ')];
  const len = Math.ceil((all.length * 80) / 2880) * 2880;
  const out = new Uint8Array(len).fill(0x20);
  let p = 0;
  for (const im of all) {
    if (im.length !== 80) throw bad(im.slice(0, 8), `card image is ${im.length} characters, not 80`);
    for (let i = 0; i < 80; i++) out[p++] = im.charCodeAt(i);
  }
  return out;
}
