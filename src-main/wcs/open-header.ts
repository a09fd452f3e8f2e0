// Opens the header that holds a celestial WCS: a FITS file (plain or .gz, chosen HDU or the first
// HDU with a celestial WCS) or a header-only text file (.hdr / .head: 80-character cards).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError, WcsError } from '../../src-core/errors';
import { parseHeaderText, type FitsHeader } from '../../src-core/fits/header';
import { celestialWcsKeys } from '../../src-core/wcs/wcs';
import { fitsExtensions } from '../../src-core/wcs/fits-extensions';
import { hasLookupDistortion, readLookupDistortion, type LookupDistortion } from '../../src-core/wcs/lookup-distortion';
import { openFitsFile } from '../fits/file-source';

export interface OpenedHeader {
  header: FitsHeader;
  /** HDU index, or null for a header-only file. */
  hdu: number | null;
  /** Paper IV lookup tables (CPDIS/D2IM) read from the file's extensions, when the header names them. */
  distortion?: LookupDistortion;
}

const isHeaderOnly = (path: string): boolean => /\.(hdr|head|txt)$/i.test(path);

/** Reads the header; with `hdu` undefined picks the first HDU whose header has a celestial WCS. */
export function openWcsHeader(path: string, hdu?: number): OpenedHeader {
  if (isHeaderOnly(path)) return { header: parseHeaderText(readFileSync(path, 'latin1')), hdu: null };
  const file = openFitsFile(path);
  try {
    const found = (header: FitsHeader, index: number): OpenedHeader =>
      hasLookupDistortion(header) ? { header, hdu: index, distortion: readLookupDistortion(header, fitsExtensions(file)) } : { header, hdu: index };
    if (hdu !== undefined) return found(file.hdu(hdu).header, hdu);
    for (const h of file.hdus()) if (celestialWcsKeys(h.header).length > 0) return found(h.header, h.index);
    throw new WcsError('WCS_NO_CELESTIAL', `${basename(path)}: no HDU has a celestial WCS (CTYPEi = RA---xxx/DEC--xxx, GLON/GLAT, …)`, { file: basename(path), keyword: 'CTYPE1' });
  } finally {
    file.source.close?.();
  }
}

/** Parses "a,b" into two finite numbers or throws InputError naming the option. */
export function parsePair(text: string, option: string): [number, number] {
  const parts = text.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.length !== 2 || parts.some((p) => p === '') || !nums.every(Number.isFinite)) {
    throw new InputError('INPUT_INVALID', `${option} expects two numbers 'a,b', got '${text}'`, { option });
  }
  return [nums[0], nums[1]];
}
