// The header of the image a tile-compressed HDU holds (FITS 4.0 §10.1.1: ZSIMPLE/ZTENSION,
// ZBITPIX, ZNAXISn, ZPCOUNT, ZGCOUNT, ZEXTEND, ZHECKSUM/ZDATASUM stand for the image's own
// keywords). Built the way astropy presents it (io.fits.hdu.compressed.header
// _bintable_header_to_image_header), so the cards and their order match the reference JSON:
// table and compression keywords are dropped, the mandatory keywords rebuilt at the top, EXTEND
// and CHECKSUM/DATASUM appended after the last non-commentary card, EXTNAME 'COMPRESSED_IMAGE'
// dropped, and trailing blank cards kept as many as the table header had.
import { COMMENTARY_KEYWORDS, FitsHeader, type FitsCard, type FitsValue, type FitsValueType } from '../header';

const TABLE_KEYWORDS = new Set(['TTYPE', 'TFORM', 'TUNIT', 'TNULL', 'TSCAL', 'TZERO', 'TDISP', 'TBCOL', 'TDIM', 'TCTYP', 'TCUNI', 'TCRPX', 'TCRVL', 'TCDLT', 'TRPOS']);
const COMPRESSION_KEYWORDS = new Set([
  'ZSIMPLE', 'ZTENSION', 'ZBITPIX', 'ZNAXIS', 'ZEXTEND', 'ZBLOCKED', 'ZPCOUNT', 'ZGCOUNT', 'ZHECKSUM', 'ZDATASUM',
  'ZIMAGE', 'ZCMPTYPE', 'ZMASKCMP', 'ZQUANTIZ', 'ZDITHER0', 'ZBLANK', 'ZSCALE', 'ZZERO', 'ZTHEAP',
]);
const INDEXED_COMPRESSION = new Set(['ZNAXIS', 'ZTILE', 'ZNAME', 'ZVAL']);
/** Keywords that describe the BINTABLE container itself, not the image. */
const CONTAINER_KEYWORDS = new Set(['TFIELDS', 'THEAP', 'CHECKSUM', 'DATASUM']);

/** True for keywords that belong to the compressed container rather than to the image. */
export function isCompressionReserved(keyword: string): boolean {
  const k = keyword.toUpperCase();
  if (CONTAINER_KEYWORDS.has(k) || COMPRESSION_KEYWORDS.has(k)) return true;
  const m = /^([A-Z]+)([1-9][0-9]*)$/.exec(k);
  if (!m) return false;
  return (m[1]!.startsWith('T') && TABLE_KEYWORDS.has(m[1]!)) || INDEXED_COMPRESSION.has(m[1]!);
}

interface Card {
  keyword: string;
  value: FitsValue;
  type: FitsValueType;
  comment: string;
  hierarch: boolean;
}

function typeOf(v: FitsValue): FitsValueType {
  if (typeof v === 'boolean') return 'logical';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return 'integer';
  if (typeof v === 'number') return 'float';
  return 'undefined';
}

const isBlank = (c: Card): boolean => c.keyword === '' && (c.value === '' || c.value === null);
const isCommentary = (c: Card): boolean => COMMENTARY_KEYWORDS.has(c.keyword.toUpperCase());

/** Image header of a compressed HDU from its BINTABLE header. */
export function imageHeaderFromCompressed(table: FitsHeader): FitsHeader {
  const cards: Card[] = table.cards
    .filter((c) => !isCompressionReserved(c.keyword) || isCommentary(c))
    .map((c) => ({ keyword: c.keyword, value: c.value, type: c.type, comment: c.comment, hierarch: c.hierarch }));
  const idx = (k: string): number => cards.findIndex((c) => c.keyword === k);
  const from = (zk: string, k: string): Card => {
    const z = table.card(zk);
    const v = z?.value ?? null;
    return { keyword: k, value: v, type: z?.type ?? typeOf(v), comment: z?.comment ?? '', hierarch: false };
  };
  const make = (k: string, v: FitsValue): Card => ({ keyword: k, value: v, type: typeOf(v), comment: '', hierarch: false });
  /** astropy Header.set(k, …, before/after): an existing card is moved, a new one inserted. */
  const setAt = (card: Card, pos: { before?: number; after?: string }): void => {
    const old = idx(card.keyword);
    if (old >= 0) cards.splice(old, 1);
    let at = pos.before ?? idx(pos.after!) + 1;
    if (at < 0) at = cards.length;
    cards.splice(Math.min(at, cards.length), 0, card);
  };
  /** astropy Header.set(k, …) without position: update in place, or append after the last non-commentary card. */
  const setAppend = (card: Card): void => {
    const old = idx(card.keyword);
    if (old >= 0) {
      cards[old] = card;
      return;
    }
    let i = cards.length - 1;
    while (i >= 0 && isBlank(cards[i]!)) i--;
    while (i >= 0 && isCommentary(cards[i]!)) i--;
    cards.splice(i + 1, 0, card);
  };

  if (table.has('ZSIMPLE')) {
    setAt(from('ZSIMPLE', 'SIMPLE'), { before: 0 });
    const x = idx('XTENSION');
    if (x >= 0) cards.splice(x, 1);
  } else if (table.has('ZTENSION')) {
    setAt({ ...from('ZTENSION', 'XTENSION'), value: 'IMAGE', type: 'string' }, { before: 0 });
  } else {
    setAt(make('XTENSION', 'IMAGE'), { before: 0 });
  }
  setAt(from('ZBITPIX', 'BITPIX'), { before: 1 });
  setAt(from('ZNAXIS', 'NAXIS'), { before: 2 });
  // Only a valid ZNAXIS (0..999, FITS 4.0 §4.4.1.1) drives the loop; a hostile one is copied as
  // it is and rejected when the image is read (params.ts compressedAxes).
  const zn = table.getNumber('ZNAXIS', 0);
  const naxis = Number.isInteger(zn) && zn >= 0 && zn <= 999 ? zn : 0;
  let last = 'NAXIS';
  for (let i = 1; i <= naxis; i++) {
    setAt(from(`ZNAXIS${i}`, `NAXIS${i}`), { after: last });
    last = `NAXIS${i}`;
  }
  for (let j = cards.length - 1; j >= 0; j--) {
    const m = /^NAXIS(\d+)$/.exec(cards[j]!.keyword);
    if (m && Number(m[1]) > naxis) cards.splice(j, 1);
  }
  setAt(table.has('ZPCOUNT') ? from('ZPCOUNT', 'PCOUNT') : make('PCOUNT', 0), { after: last });
  setAt(table.has('ZGCOUNT') ? from('ZGCOUNT', 'GCOUNT') : make('GCOUNT', 1), { after: 'PCOUNT' });
  if (table.has('ZEXTEND')) setAppend(from('ZEXTEND', 'EXTEND'));
  if (table.has('ZBLOCKED')) setAppend(from('ZBLOCKED', 'BLOCKED'));
  if (table.has('ZHECKSUM')) setAppend(from('ZHECKSUM', 'CHECKSUM'));
  if (table.has('ZDATASUM')) setAppend(from('ZDATASUM', 'DATASUM'));
  const e = idx('EXTNAME');
  if (e >= 0 && typeof cards[e]!.value === 'string' && (cards[e]!.value as string).trim() === 'COMPRESSED_IMAGE') cards.splice(e, 1);
  if (idx('SIMPLE') >= 0) {
    for (const k of ['PCOUNT', 'GCOUNT']) {
      const i = idx(k);
      if (i >= 0) cards.splice(i, 1);
    }
  }
  const trailingBlanks = (list: readonly Card[]): number => {
    let n = 0;
    for (let i = list.length - 1; i >= 0 && isBlank(list[i]!); i--) n++;
    return n;
  };
  const want = trailingBlanks(table.cards as readonly Card[]);
  for (let n = trailingBlanks(cards); n < want; n++) cards.push(make('', ''));
  const out: FitsCard[] = cards.map((c, i) => ({ ...c, type: c.keyword === '' ? 'commentary' : c.type, cardIndex: i, span: 1 }));
  return new FitsHeader(out);
}
