// HDU scanning (FITS Standard 4.0 §3.3, §4.4.1): headers are read block by block until END,
// data sizes come from BITPIX/NAXISn/PCOUNT/GCOUNT, nothing else is read until asked for.
// Offsets follow astropy's `fileinfo()`: headerOffset, dataOffset, dataSpan (padded to 2880).
import { FitsError } from '../errors';
import { FitsHeader, bytesToAscii } from './header';
import type { ByteSource } from './source';

export const BLOCK = 2880;
/** Upper bound on cards in one header (~16 MB); real headers have at most a few thousand. */
export const MAX_HEADER_CARDS = 200_000;
/** Upper bound on HDUs scanned in one file (a hostile file of empty HDUs cannot loop forever). */
export const MAX_HDUS = 100_000;

export type HduType = 'primary' | 'image' | 'bintable' | 'table' | 'unknown';

export interface Hdu {
  readonly index: number;
  readonly type: HduType;
  /** XTENSION value ('IMAGE', 'BINTABLE', 'TABLE', ...) or 'PRIMARY'. */
  readonly xtension: string;
  readonly header: FitsHeader;
  /** EXTNAME, 'PRIMARY' for HDU 0, 'COMPRESSED_IMAGE' for an unnamed tile-compressed image (as astropy). */
  readonly name: string;
  readonly ver: number;
  readonly bitpix: number;
  /** NAXISn values, FITS order (NAXIS1 first). */
  readonly naxes: readonly number[];
  readonly pcount: number;
  readonly gcount: number;
  readonly headerOffset: number;
  readonly dataOffset: number;
  /** Data bytes without the padding to 2880. */
  readonly dataSize: number;
  /** Data bytes including padding (astropy's data_span). */
  readonly dataSpan: number;
  /** A BINTABLE holding a tile-compressed image (ZIMAGE = T, FITS 4.0 §10). */
  readonly compressed: boolean;
  /** True when the file ends before this HDU's data does; reading its data throws. */
  readonly truncated: boolean;
  /** Header warnings plus structural ones (missing keywords, bad padding). */
  readonly warnings: readonly string[];
}

const VALID_BITPIX = new Set([8, 16, 32, 64, -32, -64]);

function err(code: string, msg: string, src: ByteSource, details: Record<string, string | number>): FitsError {
  return new FitsError(code, `${src.name}: ${msg}`, { file: src.name, ...details });
}

/** Reads one header starting at `offset`: returns the header and the offset just after its END block. */
export function readHeaderAt(src: ByteSource, offset: number, hduIndex: number): { header: FitsHeader; end: number } {
  const images: string[] = [];
  let pos = offset;
  const warnings: string[] = [];
  for (;;) {
    if (pos + BLOCK > src.size) {
      throw err(
        'FITS_TRUNCATED',
        `HDU ${hduIndex}: header starting at byte ${offset} has no END card before end of file (${src.size} bytes)`,
        src,
        { hdu: hduIndex, offset: pos },
      );
    }
    const block = src.read(pos, BLOCK);
    for (let i = 0; i < BLOCK; i++) {
      const b = block[i]!;
      if (b < 0x20 || b > 0x7e) {
        warnings.push(`byte ${pos + i}: non-ASCII character 0x${b.toString(16)} in header`);
        if (warnings.length > 20) break;
      }
    }
    const text = bytesToAscii(block);
    let ended = false;
    for (let c = 0; c < BLOCK; c += 80) {
      const card = text.slice(c, c + 80);
      if (card.startsWith('END') && card.slice(3).trim() === '') {
        ended = true;
        if (text.slice(c + 80).trim() !== '') warnings.push('header padding after END is not all blanks');
        break;
      }
      images.push(card);
    }
    pos += BLOCK;
    if (ended) break;
    if (images.length > MAX_HEADER_CARDS) {
      throw err('FITS_HEADER_TOO_LARGE', `HDU ${hduIndex}: more than ${MAX_HEADER_CARDS} cards without END`, src, {
        hdu: hduIndex,
        offset,
      });
    }
  }
  const header = FitsHeader.fromCardImages(images, true);
  (header.warnings as string[]).unshift(...warnings);
  return { header, end: pos };
}

function intKey(h: FitsHeader, key: string, src: ByteSource, hdu: number, def?: number): number {
  const v = h.getInteger(key);
  if (v === undefined) {
    if (def !== undefined && !h.has(key)) return def;
    throw err('FITS_BAD_KEYWORD', `HDU ${hdu}: keyword ${key} is missing or not an integer`, src, {
      hdu,
      keyword: key,
    });
  }
  if (typeof v === 'bigint' || v < 0) {
    throw err('FITS_BAD_KEYWORD', `HDU ${hdu}: keyword ${key} = ${v} is out of range`, src, { hdu, keyword: key });
  }
  return v;
}

/** Builds an Hdu from a parsed header; validates sizes with exact (BigInt) arithmetic. */
export function describeHdu(
  src: ByteSource,
  index: number,
  header: FitsHeader,
  headerOffset: number,
  dataOffset: number,
): Hdu {
  const warnings = [...header.warnings];
  let xtension = 'PRIMARY';
  if (index === 0) {
    if (header.cards[0]?.keyword !== 'SIMPLE') {
      throw err('FITS_NOT_FITS', 'not a FITS file: first card is not SIMPLE', src, { hdu: 0, offset: 0 });
    }
    if (header.get('SIMPLE') !== true) warnings.push('SIMPLE is not T');
  } else {
    const x = header.cards[0]?.keyword === 'XTENSION' ? header.get('XTENSION') : undefined;
    if (typeof x !== 'string') {
      throw err('FITS_BAD_KEYWORD', `HDU ${index}: extension header does not start with XTENSION`, src, {
        hdu: index,
        offset: headerOffset,
        keyword: 'XTENSION',
      });
    }
    xtension = x.trim().toUpperCase();
  }
  const bitpix = header.getInteger('BITPIX');
  if (typeof bitpix !== 'number' || !VALID_BITPIX.has(bitpix)) {
    throw err('FITS_BAD_BITPIX', `HDU ${index}: BITPIX = ${String(header.get('BITPIX'))} is not 8/16/32/64/-32/-64`, src, {
      hdu: index,
      keyword: 'BITPIX',
    });
  }
  const naxis = intKey(header, 'NAXIS', src, index);
  if (naxis > 999) throw err('FITS_BAD_KEYWORD', `HDU ${index}: NAXIS = ${naxis} > 999`, src, { hdu: index, keyword: 'NAXIS' });
  const naxes: number[] = [];
  for (let i = 1; i <= naxis; i++) naxes.push(intKey(header, `NAXIS${i}`, src, index));
  const isExt = index > 0;
  const pcount = intKey(header, 'PCOUNT', src, index, isExt ? undefined : 0);
  const gcount = intKey(header, 'GCOUNT', src, index, 1);
  // §4.4.1.1 random groups: NAXIS1 = 0 and GROUPS = T; the element count skips NAXIS1.
  const groups = index === 0 && naxis > 0 && naxes[0] === 0 && header.get('GROUPS') === true;
  let elements = 0n;
  if (naxis > 0) {
    elements = 1n;
    for (let i = groups ? 1 : 0; i < naxis; i++) elements *= BigInt(naxes[i]!);
  }
  let bytes = (BigInt(Math.abs(bitpix)) / 8n) * BigInt(gcount) * (BigInt(pcount) + elements);
  if (naxis === 0 && !groups && pcount === 0) bytes = 0n;
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw err('FITS_TOO_LARGE', `HDU ${index}: declared data size ${bytes} bytes is absurd`, src, {
      hdu: index,
      offset: dataOffset,
    });
  }
  const dataSize = Number(bytes);
  const dataSpan = Math.ceil(dataSize / BLOCK) * BLOCK;
  const truncated = dataOffset + dataSize > src.size;
  if (truncated) {
    warnings.push(`data needs ${dataSize} bytes from offset ${dataOffset} but the file has ${src.size} bytes`);
  }
  let type: HduType = 'unknown';
  if (index === 0) type = 'primary';
  else if (xtension === 'IMAGE' || xtension === 'IUEIMAGE') type = 'image';
  else if (xtension === 'BINTABLE' || xtension === 'A3DTABLE') type = 'bintable';
  else if (xtension === 'TABLE') type = 'table';
  else warnings.push(`unknown XTENSION '${xtension}'`);
  const compressed = type === 'bintable' && header.get('ZIMAGE') === true;
  const extname = header.getString('EXTNAME');
  const name = extname?.trim() || (index === 0 ? 'PRIMARY' : compressed ? 'COMPRESSED_IMAGE' : '');
  const extver = header.getInteger('EXTVER');
  return {
    index,
    type,
    xtension,
    header,
    name,
    ver: typeof extver === 'number' ? extver : 1,
    bitpix,
    naxes,
    pcount,
    gcount,
    headerOffset,
    dataOffset,
    dataSize,
    dataSpan,
    compressed,
    truncated,
    warnings,
  };
}

/** A FITS file read lazily from a ByteSource: HDU headers are scanned on demand. */
export class FitsFile {
  private readonly list: Hdu[] = [];
  private nextOffset = 0;
  private done = false;
  /** File-level warnings (trailing garbage, truncation). */
  readonly warnings: string[] = [];

  constructor(readonly source: ByteSource) {
    if (source.size < BLOCK) {
      throw err('FITS_TRUNCATED', `file has ${source.size} bytes, less than one 2880-byte block`, source, {
        offset: 0,
      });
    }
    this.scanTo(0);
  }

  get name(): string {
    return this.source.name;
  }

  private scanTo(index: number): void {
    while (!this.done && this.list.length <= index) {
      const i = this.list.length;
      if (i >= MAX_HDUS) {
        this.done = true;
        this.warnings.push(`stopped after ${MAX_HDUS} HDUs`);
        break;
      }
      const off = this.nextOffset;
      if (off + BLOCK > this.source.size) {
        if (off < this.source.size) this.warnings.push(`${this.source.size - off} trailing bytes after last HDU ignored`);
        this.done = true;
        break;
      }
      if (i === 0 && bytesToAscii(this.source.read(0, 9)) !== 'SIMPLE  =') {
        // Checked before reading a header so a large non-FITS file is not scanned for END.
        throw err('FITS_NOT_FITS', 'not a FITS file: it does not start with SIMPLE  =', this.source, { hdu: 0, offset: 0 });
      }
      if (i > 0) {
        // Anything after the last HDU that is not an extension header is ignored (as astropy does).
        const head = bytesToAscii(this.source.read(off, 8));
        if (head !== 'XTENSION') {
          this.warnings.push(`bytes from ${off} do not start an extension header; ignored`);
          this.done = true;
          break;
        }
      }
      const { header, end } = readHeaderAt(this.source, off, i);
      const hdu = describeHdu(this.source, i, header, off, end);
      this.list.push(hdu);
      if (hdu.truncated) {
        this.warnings.push(`HDU ${i} is truncated`);
        this.done = true;
        break;
      }
      this.nextOffset = end + hdu.dataSpan;
    }
  }

  /** The HDU at `index` (0-based); FitsError FITS_NO_HDU when the file has fewer. */
  hdu(index: number): Hdu {
    if (!Number.isInteger(index) || index < 0) {
      throw new FitsError('FITS_NO_HDU', `${this.name}: invalid HDU index ${index}`, { file: this.name, hdu: index });
    }
    this.scanTo(index);
    const h = this.list[index];
    if (!h) {
      throw new FitsError('FITS_NO_HDU', `${this.name}: HDU ${index} does not exist (file has ${this.list.length})`, {
        file: this.name,
        hdu: index,
      });
    }
    return h;
  }

  /** All HDUs (scans every header; data is still not read). */
  hdus(): readonly Hdu[] {
    this.scanTo(Number.MAX_SAFE_INTEGER);
    return this.list;
  }

  get length(): number {
    return this.hdus().length;
  }

  /** First HDU with this EXTNAME (case-insensitive) and optional EXTVER. */
  find(name: string, ver?: number): Hdu | undefined {
    const n = name.toUpperCase();
    return this.hdus().find((h) => h.name.toUpperCase() === n && (ver === undefined || h.ver === ver));
  }

  /** Reads `length` bytes of an HDU's data area starting at `offset` within it (bounds-checked). */
  readData(hdu: Hdu, offset: number, length: number): Uint8Array {
    if (offset < 0 || length < 0 || offset + length > hdu.dataSize) {
      throw new FitsError(
        'FITS_BAD_RANGE',
        `${this.name}: HDU ${hdu.index}: read of ${length} bytes at data offset ${offset} is outside its ${hdu.dataSize} data bytes`,
        { file: this.name, hdu: hdu.index, offset: hdu.dataOffset + offset },
      );
    }
    if (hdu.dataOffset + offset + length > this.source.size) {
      throw new FitsError(
        'FITS_TRUNCATED',
        `${this.name}: HDU ${hdu.index}: data truncated (needs byte ${hdu.dataOffset + offset + length}, file has ${this.source.size})`,
        { file: this.name, hdu: hdu.index, offset: hdu.dataOffset + offset },
      );
    }
    return this.source.read(hdu.dataOffset + offset, length);
  }
}
