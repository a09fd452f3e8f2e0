// Reads the WCS keywords of one description (primary or alternate letter) into plain numbers
// (Greisen & Calabretta 2002, "Representations of world coordinates in FITS", A&A 395, 1061,
// hereafter GC02; SIP: Shupe et al. 2005, ASP Conf. Ser. 347, 491). Only the parsing lives here;
// the transforms are in wcs.ts. The header is anything with get(keyword) (FitsHeader qualifies).
import { WcsError } from '../errors';
import { readDssPlate, type DssPlate } from './dss';

/** What the WCS needs from a header: FitsHeader from src-core/fits/header.ts satisfies it. */
export interface WcsKeywordSource {
  get(keyword: string): unknown;
  /** Every card of a keyword that may repeat (record-valued keywords: DP1 = 'EXTVER: 1'). */
  getAll?(keyword: string): readonly { value: unknown }[];
}

export interface SipPolynomial {
  readonly order: number;
  /** coeff[p][q] multiplies u^p v^q. */
  readonly coeff: readonly (readonly number[])[];
}

export interface WcsParams {
  /** Alternate description letter: '' for the primary, 'A'…'Z'. */
  readonly key: string;
  readonly naxis: number;
  readonly ctype: readonly string[];
  /** 1-based reference pixel (FITS convention), one per axis. */
  readonly crpix: readonly number[];
  readonly crval: readonly number[];
  /** Linear transform, pixel offsets → intermediate world coordinates, CDELT folded in (n×n). */
  readonly cd: readonly (readonly number[])[];
  /** Which form the header used: 'PC', 'PC-deprecated', 'CD', 'CROTA' or 'none' (identity). */
  readonly linearForm: string;
  /** 0-based axis indices of the celestial longitude and latitude. */
  readonly lngAxis: number;
  readonly latAxis: number;
  /** Projection code from CTYPE (TPV reported as 'TPV'), e.g. 'TAN'. */
  readonly projection: string;
  /** PVi_m, keyed by 1-based axis i then m. */
  readonly pv: ReadonlyMap<number, ReadonlyMap<number, number>>;
  readonly lonpole: number | undefined;
  readonly latpole: number | undefined;
  /** 'ICRS' | 'FK5' | 'FK4' | 'FK4-NO-E' | 'GAPPT' | '' (non-equatorial, e.g. galactic). */
  readonly radesys: string;
  readonly equinox: number | undefined;
  /** 'equatorial', 'galactic', 'ecliptic', 'supergalactic' or 'other'. */
  readonly frame: string;
  /** Scale of each celestial CUNIT to degrees (1 for 'deg' or absent). */
  readonly unitToDeg: readonly number[];
  readonly sip: { a: SipPolynomial; b: SipPolynomial; ap?: SipPolynomial; bp?: SipPolynomial } | undefined;
  readonly tpv: boolean;
  /** DSS plate solution; when present it replaces CTYPE/CD (as wcslib does). Primary WCS only. */
  readonly dss: DssPlate | undefined;
  /** NAXISn of the HDU when known (0 for header fragments). */
  readonly axisLengths: readonly number[];
  /** Header fixes applied while reading, in astropy's spirit (e.g. RADECSYS → RADESYS). */
  readonly fixes: readonly string[];
}

function num(src: WcsKeywordSource, key: string): number | undefined {
  const v = src.get(key);
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v.trim()))) return Number(v.trim());
  return undefined;
}

function str(src: WcsKeywordSource, key: string): string | undefined {
  const v = src.get(key);
  return typeof v === 'string' ? v.trim() : undefined;
}

const LNG_PREFIX: Record<string, string> = { RA: 'equatorial', GLON: 'galactic', ELON: 'ecliptic', SLON: 'supergalactic' };
const LAT_PREFIX: Record<string, string> = { DEC: 'equatorial', GLAT: 'galactic', ELAT: 'ecliptic', SLAT: 'supergalactic' };

/** Splits 'RA---TAN-SIP' into ['RA', 'TAN', 'SIP'] (GC02: 4-3 form, optional suffix). */
function splitCtype(ctype: string): [string, string, string] {
  const head = ctype.slice(0, 4).replace(/-+$/, '');
  const code = ctype.length >= 8 ? ctype.slice(5, 8) : '';
  const suffix = ctype.length > 8 ? ctype.slice(8).replace(/^-/, '') : '';
  return [head, code, suffix];
}

const UNIT_TO_DEG: Record<string, number> = { deg: 1, '': 1, arcmin: 1 / 60, arcsec: 1 / 3600, mas: 1 / 3.6e6, rad: 180 / Math.PI };

function readSip(src: WcsKeywordSource, name: string, required: boolean): SipPolynomial | undefined {
  const order = num(src, `${name}_ORDER`);
  if (order === undefined) {
    if (required) throw new WcsError('WCS_BAD_SIP', `CTYPE says -SIP but ${name}_ORDER is missing`, { keyword: `${name}_ORDER` });
    return undefined;
  }
  if (!Number.isInteger(order) || order < 0 || order > 20) {
    throw new WcsError('WCS_BAD_SIP', `${name}_ORDER = ${order} is not an order between 0 and 20`, { keyword: `${name}_ORDER` });
  }
  const coeff: number[][] = [];
  for (let p = 0; p <= order; p++) {
    coeff.push([]);
    for (let q = 0; q <= order; q++) coeff[p].push(p + q <= order ? (num(src, `${name}_${p}_${q}`) ?? 0) : 0);
  }
  return { order, coeff };
}

/** Highest axis number mentioned by the core WCS keywords of this description (GC02). */
function countAxes(src: WcsKeywordSource, key: string): number {
  const wcsaxes = num(src, `WCSAXES${key}`);
  const naxis = key === '' || wcsaxes === undefined ? (num(src, 'NAXIS') ?? 0) : 0;
  let n = Math.max(wcsaxes ?? 0, naxis);
  for (let i = 1; i <= 9; i++) {
    for (const kw of ['CTYPE', 'CRPIX', 'CRVAL', 'CDELT', 'CUNIT']) if (src.get(`${kw}${i}${key}`) !== undefined) n = Math.max(n, i);
  }
  return wcsaxes ?? n;
}

/**
 * Reads one WCS description. Throws WcsError naming the keyword when the description has no
 * celestial pair or is inconsistent (unknown projection codes fail later, in makeProjection).
 */
export function readWcsParams(src: WcsKeywordSource, key = ''): WcsParams {
  const k = key.trim().toUpperCase();
  if (k !== '' && !/^[A-Z]$/.test(k)) throw new WcsError('WCS_BAD_KEY', `alternate WCS key '${key}' must be a letter A–Z`, { keyword: 'WCSNAME' });
  const fixes: string[] = [];
  const n = countAxes(src, k);
  if (n < 2) throw new WcsError('WCS_NO_CELESTIAL', `no WCS axes found (WCSAXES${k}/NAXIS/CTYPEi${k})`, { keyword: `CTYPE1${k}` });
  const ctype: string[] = [];
  let lngAxis = -1;
  let latAxis = -1;
  let frame = 'other';
  let projection = '';
  let suffix = '';
  for (let i = 0; i < n; i++) {
    const c = (str(src, `CTYPE${i + 1}${k}`) ?? '').toUpperCase();
    ctype.push(c);
    const [head, code, sfx] = splitCtype(c);
    const isLng = head in LNG_PREFIX || (head.length === 4 && head.endsWith('LN'));
    const isLat = head in LAT_PREFIX || (head.length === 4 && head.endsWith('LT'));
    if (!code || (!isLng && !isLat)) continue;
    if (isLng) {
      if (lngAxis >= 0) throw new WcsError('WCS_BAD_CTYPE', `two celestial longitude axes (CTYPE${lngAxis + 1}${k}, CTYPE${i + 1}${k})`, { keyword: `CTYPE${i + 1}${k}` });
      lngAxis = i;
      frame = LNG_PREFIX[head] ?? 'other';
    } else {
      if (latAxis >= 0) throw new WcsError('WCS_BAD_CTYPE', `two celestial latitude axes (CTYPE${latAxis + 1}${k}, CTYPE${i + 1}${k})`, { keyword: `CTYPE${i + 1}${k}` });
      latAxis = i;
    }
    if (projection && projection !== code) {
      throw new WcsError('WCS_BAD_CTYPE', `CTYPE${i + 1}${k} projection ${code} differs from ${projection}`, { keyword: `CTYPE${i + 1}${k}` });
    }
    projection = code;
    if (sfx) suffix = sfx;
  }
  if (lngAxis < 0 || latAxis < 0) {
    throw new WcsError('WCS_NO_CELESTIAL', `no celestial longitude/latitude CTYPE pair in WCS '${k || ' '}' (CTYPE: ${ctype.map((c) => c || "''").join(', ')})`, { keyword: `CTYPE${(lngAxis < 0 ? 0 : latAxis < 0 ? 1 : 0) + 1}${k}` });
  }
  const crpix = ctype.map((_, i) => num(src, `CRPIX${i + 1}${k}`) ?? 0);
  const crval = ctype.map((_, i) => num(src, `CRVAL${i + 1}${k}`) ?? 0);
  const cdelt = ctype.map((_, i) => num(src, `CDELT${i + 1}${k}`) ?? 1);
  const unitToDeg = ctype.map((_, i) => {
    if (i !== lngAxis && i !== latAxis) return 1;
    const u = (str(src, `CUNIT${i + 1}${k}`) ?? 'deg').toLowerCase();
    const f = UNIT_TO_DEG[u];
    if (f === undefined) throw new WcsError('WCS_BAD_UNIT', `CUNIT${i + 1}${k} = '${u}' is not an angle unit`, { keyword: `CUNIT${i + 1}${k}` });
    return f;
  });
  const cd = readLinear(src, k, n, cdelt, lngAxis, latAxis);
  if (cd.form === 'PC-deprecated') fixes.push('PC00i00j deprecated form read as PCi_j');
  const pv = new Map<number, Map<number, number>>();
  for (let i = 1; i <= n; i++) {
    const m = new Map<number, number>();
    for (let j = 0; j < 40; j++) {
      const v = num(src, `PV${i}_${j}${k}`);
      if (v !== undefined) m.set(j, v);
    }
    if (m.size) pv.set(i, m);
  }
  let radesys = str(src, `RADESYS${k}`)?.toUpperCase();
  if (radesys === undefined && str(src, 'RADECSYS') !== undefined) {
    radesys = str(src, 'RADECSYS')!.toUpperCase();
    fixes.push('RADECSYS → RADESYS');
  }
  let equinox = num(src, `EQUINOX${k}`);
  if (equinox === undefined && num(src, 'EPOCH') !== undefined && k === '') {
    equinox = num(src, 'EPOCH');
    fixes.push('EPOCH → EQUINOX');
  }
  if (frame !== 'equatorial' && frame !== 'ecliptic') radesys = '';
  else if (!radesys) radesys = equinox === undefined ? 'ICRS' : equinox < 1984 ? 'FK4' : 'FK5';
  if (equinox === undefined && (radesys === 'FK5' || radesys === 'FK4')) equinox = radesys === 'FK5' ? 2000 : 1950;
  if (radesys === 'ICRS') equinox = undefined;
  // SCAMP distortions written before the TPV code existed: 'TAN' with PVi_j, j ≥ 5 (Shupe et al.
  // 2012, "SIP to PV" §7). astropy's rules: TAN + PV(j ≥ 5) without SIP is TPV; with -SIP the
  // PV(j ≥ 5) terms are ignored; under TPV any SIP keywords are ignored.
  const celestialPv = [pv.get(lngAxis + 1), pv.get(latAxis + 1)];
  const scampPv = projection === 'TAN' && celestialPv.some((m) => m && [...m.keys()].some((j) => j >= 5));
  let tpv = projection === 'TPV';
  if (scampPv && suffix !== 'SIP') {
    tpv = true;
    fixes.push('TAN with SCAMP PVi_j (j ≥ 5) read as TPV');
  } else if (scampPv) {
    for (const m of celestialPv) if (m) for (const j of [...m.keys()]) if (j >= 5) m.delete(j);
    fixes.push('PVi_j (j ≥ 5) ignored on a TAN-SIP header');
  }
  if (tpv && suffix === 'SIP') fixes.push('SIP ignored: TPV takes precedence');
  const sip = suffix === 'SIP' && !tpv ? { a: readSip(src, 'A', true)!, b: readSip(src, 'B', true)!, ap: readSip(src, 'AP', false), bp: readSip(src, 'BP', false) } : undefined;
  // A tile-compressed image's header is a BINTABLE's: the image size is in ZNAXISn (FITS 4.0 §10).
  const zimage = src.get('ZIMAGE') === true;
  const axisLengths = ctype.map((_, i) => num(src, `${zimage ? 'Z' : ''}NAXIS${i + 1}`) ?? 0);
  return {
    key: k, naxis: n, ctype, crpix, crval, cd: cd.matrix, linearForm: cd.form, lngAxis, latAxis,
    projection, pv,
    // PVi_3/PVi_4 of the longitude axis restate LONPOLE/LATPOLE (CG02), except under TPV
    // where PV1_m are polynomial coefficients.
    lonpole: num(src, `LONPOLE${k}`) ?? (tpv ? undefined : pv.get(lngAxis + 1)?.get(3)),
    latpole: num(src, `LATPOLE${k}`) ?? (tpv ? undefined : pv.get(lngAxis + 1)?.get(4)),
    radesys, equinox, frame, unitToDeg, sip, tpv, axisLengths, fixes,
    dss: k === '' ? readDssPlate(src) : undefined,
  };
}

/**
 * The linear part (GC02, including its CROTA2 rules): PCi_j with CDELTi, or CDi_j,
 * or CDELTi with CROTAi on the latitude axis. Precedence as in wcslib: PC, then CD, then CROTA.
 */
function readLinear(
  src: WcsKeywordSource, k: string, n: number, cdelt: number[], lngAxis: number, latAxis: number,
): { matrix: number[][]; form: string } {
  const ident = (): number[][] => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  const scaleRows = (m: number[][]): number[][] => m.map((row, i) => row.map((v) => v * cdelt[i]));
  const read = (name: (i: number, j: number) => string): number[][] | undefined => {
    let found = false;
    const m = ident();
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      const v = num(src, name(i + 1, j + 1));
      if (v !== undefined) {
        m[i][j] = v;
        found = true;
      }
    }
    return found ? m : undefined;
  };
  const pc = read((i, j) => `PC${i}_${j}${k}`);
  if (pc) return { matrix: scaleRows(pc), form: 'PC' };
  if (k === '') {
    const old = read((i, j) => `PC00${i}00${j}`);
    if (old) return { matrix: scaleRows(old), form: 'PC-deprecated' };
  }
  const cdm = read((i, j) => `CD${i}_${j}${k}`);
  if (cdm) {
    // A CD matrix leaves unset diagonal elements 0 for celestial axes (GC02), 1 elsewhere.
    for (const a of [lngAxis, latAxis]) if (num(src, `CD${a + 1}_${a + 1}${k}`) === undefined) cdm[a][a] = 0;
    return { matrix: cdm, form: 'CD' };
  }
  const rot = num(src, `CROTA${latAxis + 1}${k}`) ?? (k === '' ? num(src, `CROTA${lngAxis + 1}`) : undefined);
  const m = ident();
  let form = 'none';
  if (rot !== undefined && rot !== 0) {
    // GC02 CROTA rules: CD for (lng, lat) from CDELT and the rotation ρ of the latitude axis.
    const c = Math.cos((rot * Math.PI) / 180);
    const s = Math.sin((rot * Math.PI) / 180);
    const r = cdelt[latAxis] / cdelt[lngAxis];
    m[lngAxis][lngAxis] = c;
    m[lngAxis][latAxis] = -s * r;
    m[latAxis][lngAxis] = s / r;
    m[latAxis][latAxis] = c;
    form = 'CROTA';
  }
  return { matrix: scaleRows(m), form };
}
