// Survey filter names → LensDesk band names. Files name their filters in many dialects
// (FILTER = 'HSC-G', 'DECam g', "r'", 'r_SDSS', 'LSST-r', 'F814W', EXTNAME = 'IMAGE_G'); the model
// cards and the simulator presets (src-core/lens/presets.ts) use short names. One table maps the
// first to the second, so a cube whose FILTERS says 'HSC-G,HSC-R2,HSC-I2,HSC-Z' scores with a model
// trained on g,r,i,z. Documented in docs/fits.md ("Band names").
//
// LensDesk names: u g r i z y (SDSS/LSST/HSC/DECam optical, lower case), Y (DECam/DES and Euclid
// NISP Y, upper case as in the DES preset), J H (Euclid NISP), VIS (Euclid), HST/JWST filters
// as their F-number (F814W), anything else kept as written (trimmed).

/** Survey prefixes and suffixes that decorate a band letter: 'HSC-G', 'LSST r', 'r_SDSS', 'DECam g'. */
const SURVEY_WORDS = ['HSC', 'LSST', 'DECAM', 'DES', 'SDSS', 'PS1', 'PAN-STARRS', 'KIDS', 'CFHT', 'MEGACAM', 'SUBARU', 'RUBIN', 'LS', 'LEGACY'];
/** EXTNAME decorations around a band in one-HDU-per-band files: IMAGE_G, SCI_R, G_IMAGE, FLUX_I. */
const EXT_WORDS = ['IMAGE', 'IMG', 'SCI', 'FLUX', 'DATA', 'BAND', 'FILTER', 'CUTOUT'];
const OPTICAL = new Set(['u', 'g', 'r', 'i', 'z', 'y']);

/** One LensDesk band name for a survey filter name (FITS FILTER/BAND/EXTNAME value or a --bands item). */
export function normaliseBandName(raw: string): string {
  const s = raw.trim();
  if (!s) return s;
  const up = s.toUpperCase();
  // HST / JWST filter names: F + 3–4 digits + width letter (W, M, N, LP, X). Kept as the F-number,
  // also when the instrument is written before it ('ACS F814W', 'WFC3/F160W').
  const hst = /(?:^|[\s/_-])(F\d{3,4}(?:W2|LP|[WMNX]))$/.exec(up) ?? /^(F\d{3,4}(?:W2|LP|[WMNX]))$/.exec(up);
  if (hst) return hst[1]!;
  // Euclid: VIS, and NISP Y, J, H ('NISP-Y', 'NIR_J', 'Euclid H', 'EUCLID-VIS').
  const euclid = /^(?:EUCLID[\s_-]*)?(?:(VIS)|(?:NISP|NIR)[\s_-]*([YJH]))$/.exec(up) ?? /^EUCLID[\s_-]*([YJH])$/.exec(up);
  if (euclid) return euclid[1] === 'VIS' ? 'VIS' : (euclid[2] ?? euclid[1])!;
  // HSC names its filters HSC-G, HSC-R, HSC-R2, HSC-I, HSC-I2, HSC-Z, HSC-Y (the 2 is the
  // replacement filter of the same band: Kawanomoto et al. 2018, PASJ 70, 66).
  const hsc = /^HSC[\s_-]*([GRIZY])2?$/.exec(up);
  if (hsc) return hsc[1]!.toLowerCase();
  // DECam writes FILTER = 'g DECam SDSS c0001 4720.0 1520.0': the band is the first word. Y is the
  // DES/DECam Y band (kept upper case, as the DES preset names it).
  const decam = /^([ugrizY])\s+DECAM\b/i.exec(s);
  if (decam) return decam[1] === 'Y' || decam[1] === 'y' ? 'Y' : decam[1]!.toLowerCase();
  // SDSS primes: u' g' r' i' z'.
  const prime = /^([ugriz])['′]$/i.exec(s);
  if (prime) return prime[1]!.toLowerCase();
  // One band letter with a survey word before or after it: 'LSST-r', 'r_SDSS', 'SDSS r', 'PS1 y'.
  const parts = s.split(/[\s_\-.:/]+/).filter(Boolean);
  if (parts.length === 2) {
    const [a, b] = parts as [string, string];
    const isWord = (w: string) => SURVEY_WORDS.includes(w.toUpperCase()) || EXT_WORDS.includes(w.toUpperCase());
    const letter = isWord(a) ? b : isWord(b) ? a : null;
    if (letter !== null && letter.length <= 2) return bandLetter(letter, (isWord(a) ? a : b).toUpperCase());
  }
  if (s.length === 1 || (s.length === 2 && s.endsWith("'"))) return bandLetter(s, '');
  return s;
}

/**
 * A band letter: u g r i z (any case) → lower case; J H K kept. Y/y follows the survey: DES/DECam
 * call theirs Y (as the DES preset), LSST/HSC/Pan-STARRS y; a bare letter keeps its case.
 */
function bandLetter(l: string, survey: string): string {
  const c = l.replace(/['′]$/, '');
  if (c === 'Y' || c === 'y') return survey === 'DES' || survey === 'DECAM' ? 'Y' : survey && SURVEY_WORDS.includes(survey) ? 'y' : c;
  if (OPTICAL.has(c.toLowerCase())) return c.toLowerCase();
  return c;
}

/**
 * A list of bands written in one keyword or option: 'g,r,i,z', 'g r i z', 'g;r;i;z', or 'griz'
 * (only when every letter is an optical band), each item normalised.
 */
export function parseBandList(text: string): string[] {
  const t = text.trim();
  if (!t) return [];
  const items = /[,;]/.test(t) ? t.split(/[,;]/) : /\s/.test(t) && !/\bDECAM\b/i.test(t) ? t.split(/\s+/) : [t];
  if (items.length === 1 && /^[ugrizy]{2,6}$/.test(t)) return [...t];
  return items.map((x) => normaliseBandName(x)).filter((x) => x.length > 0);
}

/** Names LensDesk gives planes it cannot name ('band1', 'band2', …): not real band names. */
export function isPlaceholderBand(name: string): boolean {
  return /^band\d+$/.test(name);
}
