// Which band each image plane holds, from the FITS keywords surveys write, and which keyword
// decided it (recorded in the ingest report). Names go through band-names.ts.
//   cube (NAXIS3 = n): BANDS = 'g,r,i,z' | FILTERS = 'g,r,i,z' | BAND1…BANDn | FILTER1…FILTERn |
//                      FILTER / BAND when n = 1
//   one image HDU per band: that HDU's FILTER | BAND | FILTER1/FILTER2 (HST ACS writes the
//                      filter in one wheel and CLEAR* in the other) | EXTNAME (G, IMAGE_G, r), else
//                      the primary header's BANDS/FILTERS list when it names as many bands
// A keyword that names a different number of bands than there are planes is an error (never a
// silent band1… fallback): the file is wrong, and the message says which HDU and keyword.
import { FitsError, InputError } from '../errors';
import type { FitsHeader } from '../fits/header';
import { isPlaceholderBand, normaliseBandName, parseBandList } from './band-names';

export interface BandDecision {
  bands: string[];
  /** What named them, e.g. "FILTERS keyword (HDU 0)", "--bands option", "none (band1…band4)". */
  source: string;
}

export interface BandWhere {
  file: string;
  hdu: number;
}

const placeholders = (n: number): BandDecision => ({
  bands: Array.from({ length: n }, (_, i) => `band${i + 1}`),
  source: `none (band1…band${n})`,
});

function listKeyword(h: FitsHeader, kw: 'BANDS' | 'FILTERS', n: number, at: BandWhere): BandDecision | null {
  const text = h.getString(kw);
  if (text === undefined || !text.trim()) return null;
  const bands = parseBandList(text);
  if (bands.length !== n) {
    throw new FitsError(
      'BANDS_COUNT',
      `${at.file}: HDU ${at.hdu} keyword ${kw} = '${text.trim()}' names ${bands.length} band(s), the image has ${n} plane(s)`,
      { file: at.file, hdu: at.hdu, keyword: kw },
    );
  }
  return { bands, source: `${kw} keyword (HDU ${at.hdu})` };
}

function numberedKeywords(h: FitsHeader, stem: 'BAND' | 'FILTER', n: number, at: BandWhere): BandDecision | null {
  const present = Array.from({ length: n + 1 }, (_, i) => h.getString(`${stem}${i + 1}`));
  const count = present.filter((x) => x !== undefined).length;
  if (count === 0) return null;
  if (count !== n || present[n] !== undefined || present.slice(0, n).some((x) => x === undefined)) {
    throw new FitsError(
      'BANDS_COUNT',
      `${at.file}: HDU ${at.hdu} has ${count} ${stem}n keyword(s), the image has ${n} plane(s) (expected ${stem}1…${stem}${n})`,
      { file: at.file, hdu: at.hdu, keyword: `${stem}1` },
    );
  }
  return { bands: present.slice(0, n).map((x) => normaliseBandName(x!)), source: `${stem}1…${stem}${n} keywords (HDU ${at.hdu})` };
}

/** Bands of the n planes of a cube HDU (NAXIS3 = n, or NAXIS3 of an N × bands × H × W chunk). */
export function cubeBands(h: FitsHeader, n: number, at: BandWhere): BandDecision {
  const d =
    listKeyword(h, 'BANDS', n, at) ??
    listKeyword(h, 'FILTERS', n, at) ??
    numberedKeywords(h, 'BAND', n, at) ??
    (n > 1 ? numberedKeywords(h, 'FILTER', n, at) : null) ??
    (n === 1 ? singleBand(h, at) : null) ??
    placeholders(n);
  return checkUnique(d, at);
}

// Extension names that say what an HDU holds, not its band — survey conventions and LensDesk's own products
// (restore, deblend, massmap), so one command's output is a valid input to the next.
const GENERIC_EXTNAMES = new Set(['PRIMARY', 'SCI', 'IMAGE', 'IMG', 'DATA', 'FLUX', 'CUTOUT', 'COMPRESSED_IMAGE',
  'MEAN', 'STD', 'SAMPLES', 'MODEL', 'RESIDUAL', 'KAPPA_E', 'KAPPA_B', 'KAPPA_STD']);

/** The band of one 2-D image HDU from its own keywords, else null. */
export function singleBand(h: FitsHeader, at: BandWhere): BandDecision | null {
  for (const kw of ['FILTER', 'BAND'] as const) {
    const v = h.getString(kw)?.trim();
    if (v) return { bands: [normaliseBandName(v)], source: `${kw} keyword (HDU ${at.hdu})` };
  }
  // HST ACS/WFC: FILTER1 and FILTER2 are the two wheels; the one that is not CLEAR… is the band.
  const wheels = ['FILTER1', 'FILTER2'].map((k) => [k, h.getString(k)?.trim()] as const).filter(([, v]) => v && !/^CLEAR/i.test(v));
  if (wheels.length === 1) return { bands: [normaliseBandName(wheels[0]![1]!)], source: `${wheels[0]![0]} keyword (HDU ${at.hdu})` };
  const ext = h.getString('EXTNAME')?.trim();
  if (ext && !GENERIC_EXTNAMES.has(ext.toUpperCase()) && !/^COMP\d+$/i.test(ext)) return { bands: [normaliseBandName(ext)], source: `EXTNAME (HDU ${at.hdu})` };
  return null;
}

/**
 * Bands of a file with one 2-D image HDU per band: each HDU's own keywords; else the primary
 * header's BANDS/FILTERS list (or, for a single image, its FILTER) when it names them all.
 */
export function perHduBands(hdus: { header: FitsHeader; index: number }[], primary: FitsHeader | null, file: string): BandDecision {
  const n = hdus.length;
  const own = hdus.map((h) => singleBand(h.header, { file, hdu: h.index }));
  if (own.every((d) => d !== null)) {
    const kinds = [...new Set(own.map((d) => d!.source.replace(/ \(HDU \d+\)$/, '')))];
    const d = { bands: own.map((d) => d!.bands[0]!), source: `${kinds.join(' + ')} per HDU (HDU ${hdus.map((h) => h.index).join(',')})` };
    return checkUnique(d, { file, hdu: hdus[0]!.index });
  }
  if (primary && !hdus.some((h) => h.index === 0)) {
    const at = { file, hdu: 0 };
    const fromPrimary = listKeyword(primary, 'BANDS', n, at) ?? listKeyword(primary, 'FILTERS', n, at) ?? (n === 1 ? singleBand(primary, at) : null);
    if (fromPrimary) return checkUnique(fromPrimary, at);
  }
  if (own.some((d) => d !== null)) {
    const missing = hdus.filter((_, i) => own[i] === null).map((h) => h.index);
    throw new FitsError('BANDS_MISSING', `${file}: HDU ${missing.join(',')} name(s) no band (no FILTER, BAND or EXTNAME) while the other image HDUs do`, {
      file,
      hdu: missing[0],
      keyword: 'FILTER',
    });
  }
  return placeholders(n);
}

function checkUnique(d: BandDecision, at: BandWhere): BandDecision {
  const seen = new Set<string>();
  for (const b of d.bands) {
    if (seen.has(b)) {
      throw new FitsError('BANDS_DUPLICATE', `${at.file}: ${d.source} names band '${b}' twice (${d.bands.join(',')}); planes are matched to a model by band name`, {
        file: at.file,
        hdu: at.hdu,
      });
    }
    seen.add(b);
  }
  return d;
}

/**
 * The user's `--bands g,r,i,z` (plane order) against what the file says. It names planes the file
 * leaves unnamed; where the file names them too, both must agree (after normalisation).
 */
export function applyBandsOption(d: BandDecision, option: string[] | undefined, at: BandWhere): BandDecision {
  if (!option?.length) return d;
  const want = option.map((b) => normaliseBandName(b));
  if (want.length !== d.bands.length) {
    throw new InputError('BANDS_COUNT', `${at.file}: --bands ${want.join(',')} names ${want.length} band(s), HDU ${at.hdu} has ${d.bands.length} plane(s)`, {
      file: at.file,
      hdu: at.hdu,
      field: 'bands',
    });
  }
  if (d.bands.every(isPlaceholderBand)) return checkUnique({ bands: want, source: '--bands option' }, at);
  if (want.every((b, i) => b === d.bands[i])) return { bands: want, source: `${d.source}, agrees with --bands` };
  throw new InputError(
    'BANDS_CONFLICT',
    `${at.file}: HDU ${at.hdu} ${d.source.replace(/ \(HDU [\d,]+\)$/, '')} says ${d.bands.join(',')}, --bands says ${want.join(',')}; ` +
      'fix the option (it lists the planes in file order) or leave it out to use the keyword',
    { file: at.file, hdu: at.hdu, keyword: d.source.split(' ')[0], field: 'bands' },
  );
}
