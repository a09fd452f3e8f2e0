// Pixel units of a cutout (FITS BUNIT, FITS 4.0 §4.4.2.1 and the IAU style of unit strings) and the factor that
// turns them into detected electrons, so that the lens model, the noise map and a Poisson term share one unit.
//   electrons            × 1
//   electrons/s          × EXPTIME (s)                 (HST drizzled images: BUNIT = 'ELECTRONS/S')
//   counts, ADU, DN      × GAIN (e⁻/ADU; CCDGAIN, ATODGAIN as HST writes it)
//   counts/s, ADU/s      × EXPTIME × GAIN
//   nanomaggies, nJy, µJy, Jy, MJy/sr   calibrated fluxes: no factor to electrons is known from the header, so the
//                        image stays in its own unit and the noise must come from a noise map (VARIANCE, IVAR, …).
// No BUNIT: the unit is unknown; the image is used as it is, with no Poisson term (the gain is unknown).
import { InputError } from '../../errors';

export type UnitKind = 'electron' | 'electron-rate' | 'count' | 'count-rate' | 'flux' | 'unknown';

export interface PixelUnits {
  /** BUNIT as written ('' when absent). */
  bunit: string;
  kind: UnitKind;
  /** Multiply pixel values by this to get e⁻ (variances by its square); null when unknown (flux units, or counts
   * without a gain): the image then stays in its own unit and no Poisson term can be formed. */
  toElectrons: number | null;
  /** The keywords the factor came from, e.g. 'EXPTIME 1200 s' or 'GAIN 2.5 e⁻/ADU'. */
  via: string;
}

/** Keyword values the conversion may need (looked up by the caller in the HDU, then the primary header). */
export interface UnitKeywords {
  exptime?: number;
  gain?: number;
}

const ELECTRON = /^(e|e-|electrons?|photoelectrons?)$/;
const COUNT = /^(counts?|adu|dn|adus|cts|ct)$/;
const FLUX = /^(nanomaggys?|nanomaggies|nmgy|maggys?|maggies|[nµu]?jy|mjy|mjy\/sr|[nµu]?jy\/(pix|pixel|arcsec\*\*2|arcsec2|sr)|erg\/s\/cm\*\*2\/a|erg\/s\/cm2\/a|w\/m\*\*2\/nm)$/;

/** Splits 'electrons/s', 'ELECTRONS S-1', 'e-/sec', 'counts s**-1' into a base unit and whether it is per second. */
function splitRate(u: string): { base: string; rate: boolean } {
  const s = u.toLowerCase().replace(/\s+/g, ' ').trim();
  const m = /^(.*?)(?:\s*\/\s*(?:s|sec|second)|\s+(?:s|sec)\s*(?:-1|\*\*-1|\^-1|\*\*\(-1\)))$/.exec(s);
  return m ? { base: m[1]!.trim(), rate: true } : { base: s, rate: false };
}

/** Parses BUNIT and returns the factor to e⁻; throws InputError naming the keyword when a needed one is missing. */
export function pixelUnits(bunit: string | undefined, k: UnitKeywords, where = 'image'): PixelUnits {
  const raw = (bunit ?? '').trim();
  if (!raw) return { bunit: '', kind: 'unknown', toElectrons: null, via: 'no BUNIT: pixel values used as they are, gain unknown' };
  const { base, rate } = splitRate(raw);
  const needExptime = (): number => {
    if (!(k.exptime! > 0)) throw new InputError('FIT_UNITS', `${where}: BUNIT '${raw}' is a rate but EXPTIME is missing or ≤ 0`, { keyword: 'EXPTIME', bunit: raw });
    return k.exptime!;
  };
  if (ELECTRON.test(base)) {
    if (!rate) return { bunit: raw, kind: 'electron', toElectrons: 1, via: 'electrons' };
    const t = needExptime();
    return { bunit: raw, kind: 'electron-rate', toElectrons: t, via: `EXPTIME ${t} s` };
  }
  if (COUNT.test(base)) {
    const g = k.gain! > 0 ? k.gain! : null;
    const t = rate ? needExptime() : 1;
    const via = [rate ? `EXPTIME ${t} s` : '', g ? `GAIN ${g} e⁻/ADU` : 'no GAIN: gain unknown'].filter(Boolean).join(', ');
    return { bunit: raw, kind: rate ? 'count-rate' : 'count', toElectrons: g ? t * g : null, via };
  }
  if (FLUX.test(raw.toLowerCase().replace(/\s+/g, ''))) return { bunit: raw, kind: 'flux', toElectrons: null, via: 'calibrated flux: needs a noise map' };
  return { bunit: raw, kind: 'unknown', toElectrons: null, via: `unrecognised BUNIT '${raw}': pixel values used as they are, gain unknown` };
}

/** The factor that scales the image into the fit's working unit: e⁻ when known, else the file's own unit (1). */
export function workingScale(u: PixelUnits): number {
  return u.toElectrons ?? 1;
}

/** The working unit's name for the output. */
export function workingUnit(u: PixelUnits): string {
  return u.toElectrons !== null ? 'electron' : u.bunit || 'file units';
}
