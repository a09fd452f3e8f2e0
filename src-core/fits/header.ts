// FITS header cards and the FitsHeader class (FITS Standard 4.0 §4). Lenient on read: anything
// that is not standard becomes a warning, never an exception; the writer (card-format.ts) is strict.
// Pure TypeScript, no Node imports. Keep this API stable: src-core/wcs and src-core/fits/compress
// consume it.
import { FitsError } from '../errors';

/** Complex values `(re, im)` are kept as a two-element tuple, like astropy's JSON refs. */
export type FitsComplex = [number, number];
/** A parsed card value. Integers beyond ±2^53 stay exact as bigint; an undefined value is null. */
export type FitsValue = string | number | bigint | boolean | null | FitsComplex;

/** How the value was written, so a round trip can keep `1.0` a float and `1` an integer. */
export type FitsValueType =
  | 'string'
  | 'logical'
  | 'integer'
  | 'float'
  | 'complex'
  | 'undefined'
  | 'commentary'
  | 'unparsable';

export interface FitsCard {
  /** Upper-case keyword for standard cards; HIERARCH keywords without the prefix ('ESO DET CHIP'). */
  readonly keyword: string;
  readonly value: FitsValue;
  readonly type: FitsValueType;
  /** Comment after '/', trimmed; '' when none. Merged with ' ' across CONTINUE cards. */
  readonly comment: string;
  /** True when written with the ESO HIERARCH convention. */
  readonly hierarch: boolean;
  /** Index of the first 80-character card image in the header (CONTINUE cards add to the span). */
  readonly cardIndex: number;
  /** Number of card images this logical card spans (1 + merged CONTINUE cards). */
  readonly span: number;
}

/** Keywords whose text is free-form (§4.4.2.4): value = everything after column 8, right-trimmed. */
export const COMMENTARY_KEYWORDS = new Set(['COMMENT', 'HISTORY', '']);

const INT_RE = /^[+-]?\d+$/;
const STRICT_KEYWORD = /^[A-Z0-9_-]*$/;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[EeDd][+-]?\d+)?$/;
const COMPLEX_RE = /^\(\s*([^,()]+?)\s*,\s*([^,()]+?)\s*\)$/;

/** Parses an integer token: a number when exactly representable, otherwise a bigint. */
function parseInteger(tok: string): number | bigint {
  const n = Number(tok);
  if (Number.isSafeInteger(n)) return n;
  return BigInt(tok.startsWith('+') ? tok.slice(1) : tok);
}

function parseFloatToken(tok: string): number {
  return Number(tok.replace(/[Dd]/, 'E'));
}

interface RawValue {
  value: FitsValue;
  type: FitsValueType;
  comment: string;
  /** For strings: the text before trailing blanks were removed, to detect a CONTINUE '&'. */
  rawString?: string;
}

/**
 * Parses a value field (the text after '= '): a quoted string with '' escapes, T/F, an
 * integer, a float with E or D exponent, a complex '(re, im)', or nothing (undefined → null).
 */
export function parseValueField(field: string, warn: (msg: string) => void): RawValue {
  let i = 0;
  while (i < field.length && field[i] === ' ') i++;
  if (field[i] === "'") {
    let s = '';
    let j = i + 1;
    let closed = false;
    while (j < field.length) {
      const c = field[j]!;
      if (c === "'") {
        if (field[j + 1] === "'") {
          s += "'";
          j += 2;
          continue;
        }
        closed = true;
        j++;
        break;
      }
      s += c;
      j++;
    }
    if (!closed) warn('string value has no closing quote');
    const rest = field.slice(j);
    const slash = rest.indexOf('/');
    if (slash < 0 && rest.trim() !== '') warn(`text after string value without '/': '${rest.trim()}'`);
    const comment = slash >= 0 ? rest.slice(slash + 1).trim() : '';
    // §4.2.1.1: trailing blanks in a string are not significant; leading blanks are.
    return { value: s.replace(/ +$/, ''), type: 'string', comment, rawString: s };
  }
  const slash = field.indexOf('/', i);
  const tok = (slash >= 0 ? field.slice(i, slash) : field.slice(i)).trim();
  const comment = slash >= 0 ? field.slice(slash + 1).trim() : '';
  if (tok === '') return { value: null, type: 'undefined', comment };
  if (tok === 'T' || tok === 'F') return { value: tok === 'T', type: 'logical', comment };
  if (INT_RE.test(tok)) return { value: parseInteger(tok), type: 'integer', comment };
  if (FLOAT_RE.test(tok)) return { value: parseFloatToken(tok), type: 'float', comment };
  const m = COMPLEX_RE.exec(tok);
  if (m && (FLOAT_RE.test(m[1]!) || INT_RE.test(m[1]!)) && (FLOAT_RE.test(m[2]!) || INT_RE.test(m[2]!))) {
    return { value: [parseFloatToken(m[1]!), parseFloatToken(m[2]!)], type: 'complex', comment };
  }
  // Lenient: lowercase logicals and non-standard tokens (e.g. DSS "SKEW = a, b") keep their text.
  if (tok === 't' || tok === 'f') {
    warn(`lower-case logical '${tok}'`);
    return { value: tok === 't', type: 'logical', comment };
  }
  warn(`unparsable value '${tok}' kept as text`);
  return { value: tok, type: 'unparsable', comment };
}

/** One 80-character card image split into keyword and value (no CONTINUE handling). */
export interface ParsedImage extends RawValue {
  keyword: string;
  hierarch: boolean;
  isEnd: boolean;
}

/** Parses one card image (padded/truncated to 80 characters). */
export function parseCardImage(image: string, warn: (msg: string) => void): ParsedImage {
  const card = image.length >= 80 ? image.slice(0, 80) : image.padEnd(80, ' ');
  const kwField = card.slice(0, 8);
  const kwTrim = kwField.trimEnd();
  if (kwTrim === 'END' && card.slice(8).trim() === '') {
    return { keyword: 'END', value: null, type: 'undefined', comment: '', hierarch: false, isEnd: true };
  }
  // ESO HIERARCH convention: 'HIERARCH ESO DET CHIP = value / comment'.
  if (card.startsWith('HIERARCH ')) {
    const eq = card.indexOf('=', 9);
    if (eq > 9) {
      const keyword = card.slice(9, eq).trim().replace(/\s+/g, ' ');
      const v = parseValueField(card.slice(eq + 1), (m) => warn(`HIERARCH ${keyword}: ${m}`));
      return { keyword, ...v, hierarch: true, isEnd: false };
    }
  }
  let keyword = kwTrim;
  if (!STRICT_KEYWORD.test(kwTrim)) {
    keyword = kwTrim.trimStart().toUpperCase();
    if (kwTrim.startsWith(' ') && kwTrim.trim() !== '') warn(`keyword '${kwField}' has leading blanks`);
    if (!/^[A-Z0-9_-]*$/.test(keyword)) warn(`keyword '${keyword}' has characters outside A-Z 0-9 _ -`);
    if (kwTrim !== keyword && /[a-z]/.test(kwTrim)) warn(`keyword '${kwTrim}' is not upper case`);
  }
  const hasIndicator = card[8] === '=' && (card[9] === ' ' || card.length === 9);
  const looseIndicator = card[8] === '=' && !hasIndicator;
  if (COMMENTARY_KEYWORDS.has(keyword) || (keyword !== 'CONTINUE' && !hasIndicator && !looseIndicator)) {
    if (!COMMENTARY_KEYWORDS.has(keyword) && keyword !== 'CONTINUE') {
      warn(`keyword ${keyword} has no value indicator; kept as commentary text`);
    }
    return {
      keyword,
      value: card.slice(8).trimEnd(),
      type: 'commentary',
      comment: '',
      hierarch: false,
      isEnd: false,
    };
  }
  if (keyword === 'CONTINUE') {
    const v = parseValueField(card.slice(8), (m) => warn(`CONTINUE: ${m}`));
    return { keyword, ...v, hierarch: false, isEnd: false };
  }
  if (looseIndicator) warn(`keyword ${keyword}: '=' not followed by a blank in column 10`);
  const v = parseValueField(card.slice(hasIndicator ? 10 : 9), (m) => warn(`${keyword}: ${m}`));
  return { keyword, ...v, hierarch: false, isEnd: false };
}

/** A header: logical cards in file order, CONTINUE merged, END excluded. */
export class FitsHeader {
  readonly cards: readonly FitsCard[];
  /** Non-fatal problems found while parsing (lenient read). */
  readonly warnings: readonly string[];
  /** Whether an END card was found (header-only `.hdr` files may lack it). */
  readonly hasEnd: boolean;
  /** Number of 80-character card images read, END included. */
  readonly cardImageCount: number;
  private readonly index: Map<string, number>;

  constructor(cards: FitsCard[], warnings: string[] = [], hasEnd = true, cardImageCount?: number) {
    this.cards = cards;
    this.warnings = warnings;
    this.hasEnd = hasEnd;
    this.cardImageCount = cardImageCount ?? cards.reduce((n, c) => n + c.span, 0) + (hasEnd ? 1 : 0);
    this.index = new Map();
    // Duplicates: the first occurrence wins, as in cfitsio and astropy (a warning is recorded).
    cards.forEach((c, i) => {
      const k = c.keyword.toUpperCase();
      if (COMMENTARY_KEYWORDS.has(k)) return;
      if (this.index.has(k)) (warnings as string[]).push(`duplicate keyword ${c.keyword}; first kept`);
      else this.index.set(k, i);
    });
  }

  /** Parses card images (80 characters each, in file order). */
  static fromCardImages(images: readonly string[], hasEnd = true): FitsHeader {
    const warnings: string[] = [];
    const cards: FitsCard[] = [];
    let last: { card: FitsCard; raw: string | undefined } | null = null;
    for (let i = 0; i < images.length; i++) {
      const p = parseCardImage(images[i]!, (m) => warnings.push(`card ${i + 1}: ${m}`));
      if (p.isEnd) break;
      if (p.keyword === 'CONTINUE' && !p.hierarch && p.type !== 'commentary') {
        // OGIP/FITS 4.0 §4.2.1.2 long strings: astropy glues every CONTINUE to the card before it.
        if (last && last.card.type === 'string' && p.type === 'string') {
          const prev = last.card;
          const head = stripAmpersand(last.raw ?? (prev.value as string));
          const tail = (p.value as string);
          const merged: FitsCard = {
            ...prev,
            value: stripAmpersand(head + (p.rawString ?? tail)),
            comment: [prev.comment, p.comment].filter((s) => s !== '').join(' '),
            span: prev.span + 1,
          };
          cards[cards.length - 1] = merged;
          last = { card: merged, raw: head + (p.rawString ?? tail) };
          continue;
        }
        warnings.push(`card ${i + 1}: CONTINUE does not follow a string value; kept as its own card`);
      }
      const card: FitsCard = {
        keyword: p.keyword,
        value: p.value,
        type: p.type,
        comment: p.comment,
        hierarch: p.hierarch,
        cardIndex: i,
        span: 1,
      };
      cards.push(card);
      last = { card, raw: p.rawString };
    }
    return new FitsHeader(cards, warnings, hasEnd, undefined);
  }

  has(key: string): boolean {
    return this.index.has(key.toUpperCase());
  }
  /** The first card with this keyword (commentary keywords: use getAll). */
  card(key: string): FitsCard | undefined {
    const i = this.index.get(key.toUpperCase());
    return i === undefined ? undefined : this.cards[i];
  }
  /** Value of the first card with this keyword; undefined when absent, null when undefined-valued. */
  get(key: string): FitsValue | undefined {
    return this.card(key)?.value;
  }
  /** All cards with this keyword, in file order (COMMENT, HISTORY, duplicates). */
  getAll(key: string): FitsCard[] {
    const k = key.toUpperCase();
    return this.cards.filter((c) => c.keyword.toUpperCase() === k);
  }
  /** A numeric value (integer, float or bigint converted to number); undefined when absent or not numeric. */
  getNumber(key: string): number | undefined;
  getNumber(key: string, fallback: number): number;
  getNumber(key: string, fallback?: number): number | undefined {
    const v = this.get(key);
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    return fallback;
  }
  /** An exact integer value; bigint only when beyond ±2^53. */
  getInteger(key: string): number | bigint | undefined {
    const c = this.card(key);
    if (!c) return undefined;
    if (c.type === 'integer') return c.value as number | bigint;
    if (c.type === 'float' && Number.isInteger(c.value)) return c.value as number;
    return undefined;
  }
  getString(key: string): string | undefined;
  getString(key: string, fallback: string): string;
  getString(key: string, fallback?: string): string | undefined {
    const v = this.get(key);
    return typeof v === 'string' ? v : fallback;
  }
  getBoolean(key: string): boolean | undefined;
  getBoolean(key: string, fallback: boolean): boolean;
  getBoolean(key: string, fallback?: boolean): boolean | undefined {
    const v = this.get(key);
    return typeof v === 'boolean' ? v : fallback;
  }
  /** Keywords with a value, first occurrence order, without duplicates or commentary. */
  keys(): string[] {
    return [...this.index.keys()];
  }
  /** `[keyword, value]` pairs in file order, like the astropy reference JSON. */
  entries(): Array<[string, FitsValue]> {
    return this.cards.map((c) => [c.keyword, c.value]);
  }
}

function stripAmpersand(s: string): string {
  const t = s.replace(/ +$/, '');
  return t.endsWith('&') ? t.slice(0, -1) : t;
}

// WHATWG TextDecoder exists in every runtime we target (Node, browsers, workers) but is not in
// the ES2022 lib that keeps src-core pure, so it is looked up at run time with a fallback.
interface Latin1Decoder {
  decode(b: Uint8Array): string;
}
const latin1: Latin1Decoder | undefined = (() => {
  const TD = (globalThis as { TextDecoder?: new (label: string) => Latin1Decoder }).TextDecoder;
  try {
    return TD ? new TD('latin1') : undefined;
  } catch {
    return undefined;
  }
})();

/** Latin-1 decode of header bytes (headers are ASCII; anything else is warned about by callers). */
export function bytesToAscii(bytes: Uint8Array, start = 0, end = bytes.length): string {
  if (latin1) return latin1.decode(bytes.subarray(start, end));
  let s = '';
  const CH = 8192;
  for (let i = start; i < end; i += CH) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + CH)) as unknown as number[]);
  }
  return s;
}

/**
 * Parses header-only text (`.hdr` files): 80-character cards with no newlines, possibly without
 * END; also accepts newline-separated cards (one card per line, padded to 80).
 */
export function parseHeaderText(text: string): FitsHeader {
  let images: string[];
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines.every((l) => l.length <= 80)) {
    images = lines.filter((l, i) => !(i === lines.length - 1 && l === '')).map((l) => l.padEnd(80, ' '));
  } else {
    images = [];
    for (let i = 0; i < text.length; i += 80) images.push(text.slice(i, i + 80));
  }
  let end = images.findIndex((im) => im.slice(0, 8).trimEnd() === 'END' && im.slice(8).trim() === '');
  const hasEnd = end >= 0;
  if (!hasEnd) end = images.length;
  // Trailing all-blank cards are padding, not blank-keyword commentary.
  let stop = end;
  if (!hasEnd) while (stop > 0 && images[stop - 1]!.trim() === '') stop--;
  const h = FitsHeader.fromCardImages(images.slice(0, stop), hasEnd);
  if (!hasEnd) (h.warnings as string[]).push('no END card');
  return h;
}

/** Parses a header from raw bytes (e.g. a `.hdr` file read by the caller). */
export function parseHeaderBytes(bytes: Uint8Array, file?: string): FitsHeader {
  if (bytes.length > 64 * 1024 * 1024) {
    throw new FitsError('FITS_HEADER_TOO_LARGE', `header text of ${bytes.length} bytes is too large`, {
      file,
    });
  }
  return parseHeaderText(bytesToAscii(bytes));
}
