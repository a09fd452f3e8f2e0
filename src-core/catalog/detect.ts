// Which columns hold RA, Dec and the source id, and how to turn their cells into degrees.
// Detection order: explicit user choice, then IVOA UCDs (pos.eq.ra;meta.main before pos.eq.ra,
// TUCDn in FITS), then common names (SExtractor ALPHA_J2000/DELTA_J2000, VizieR RAJ2000/DEJ2000,
// Legacy Surveys ra/dec, …). Matching is case-insensitive.
import { InputError } from '../errors';

export interface ColumnInfo {
  name: string;
  unit?: string;
  ucd?: string;
}

export interface CatalogSchema {
  /** All column names in file order. */
  columns: string[];
  ra: string;
  dec: string;
  /** Identifier column, or null: ids are then the 1-based row numbers. */
  id: string | null;
  /** Multiplier turning numeric RA cells into degrees (15 for hours, 180/π for radians). */
  raScale: number;
  decScale: number;
}

export interface ColumnChoice {
  raColumn?: string;
  decColumn?: string;
  /** A column name, or null to use row numbers. */
  idColumn?: string | null;
}

const RA_NAMES = ['ra', 'ra_deg', 'radeg', 'ra_j2000', 'raj2000', '_raj2000', 'ra_icrs', 'alpha_j2000', 'alphawin_j2000', 'ra2000', 'ra_d', 'alpha', 'ra_obj', 'target_ra', 'ramean', 'right_ascension'];
const DEC_NAMES = ['dec', 'dec_deg', 'decdeg', 'dec_j2000', 'decj2000', 'dej2000', '_dej2000', 'de_j2000', 'dec_icrs', 'de_icrs', 'delta_j2000', 'deltawin_j2000', 'dec2000', 'dec_d', 'delta', 'decl', 'dec_obj', 'target_dec', 'decmean', 'declination'];
const ID_NAMES = ['id', 'objid', 'obj_id', 'object_id', 'objectid', 'source_id', 'sourceid', 'src_id', 'name', 'objname', 'object', 'designation', 'targetid', 'target_id', 'number', 'candidate_id', 'identifier'];

function byUcd(cols: readonly ColumnInfo[], ucd: string): string | undefined {
  const norm = (u: string | undefined) => (u ?? '').toLowerCase().replace(/\s/g, '');
  return cols.find((c) => norm(c.ucd).split(';').includes(ucd) && norm(c.ucd).includes('meta.main'))?.name
    ?? cols.find((c) => norm(c.ucd).split(';')[0] === ucd)?.name;
}

function byName(cols: readonly ColumnInfo[], names: readonly string[]): string | undefined {
  for (const n of names) {
    const c = cols.find((c) => c.name.trim().toLowerCase() === n);
    if (c) return c.name;
  }
  return undefined;
}

function unitScale(unit: string | undefined, file: string, column: string): number {
  const u = (unit ?? '').trim().toLowerCase();
  if (u === '' || u === 'deg' || u === 'degree' || u === 'degrees' || u === 'd') return 1;
  if (u === 'h' || u === 'hour' || u === 'hours' || u === 'hourangle' || u === 'hr') return 15;
  if (u === 'rad' || u === 'radian' || u === 'radians') return 180 / Math.PI;
  if (u === 'arcsec') return 1 / 3600;
  if (u === 'arcmin') return 1 / 60;
  throw new InputError('CATALOG_UNIT', `${file}: column '${column}' has unit '${unit}', not an angle`, { file, field: column });
}

/** Finds RA/Dec/id columns or throws InputError listing what the file has. */
export function detectColumns(file: string, cols: readonly ColumnInfo[], choice: ColumnChoice = {}): CatalogSchema {
  const names = cols.map((c) => c.name);
  const pick = (wanted: string | undefined, what: string): string | undefined => {
    if (wanted === undefined) return undefined;
    const c = cols.find((c) => c.name.trim().toLowerCase() === wanted.trim().toLowerCase());
    if (!c) throw new InputError('CATALOG_COLUMN', `${file}: no ${what} column '${wanted}' (columns: ${names.join(', ')})`, { file, field: wanted });
    return c.name;
  };
  const ra = pick(choice.raColumn, 'RA') ?? byUcd(cols, 'pos.eq.ra') ?? byName(cols, RA_NAMES);
  const dec = pick(choice.decColumn, 'Dec') ?? byUcd(cols, 'pos.eq.dec') ?? byName(cols, DEC_NAMES);
  if (!ra || !dec) {
    const missing = !ra && !dec ? 'RA and Dec columns' : !ra ? 'an RA column' : 'a Dec column';
    throw new InputError('CATALOG_NO_POSITION', `${file}: cannot find ${missing} (columns: ${names.join(', ')}); name them with --ra/--dec`, { file, field: !ra ? 'ra' : 'dec' });
  }
  const id = choice.idColumn === null ? null : (pick(choice.idColumn ?? undefined, 'id') ?? byUcd(cols, 'meta.id') ?? byName(cols, ID_NAMES) ?? null);
  const info = (n: string) => cols.find((c) => c.name === n);
  return { columns: names, ra, dec, id, raScale: unitScale(info(ra)?.unit, file, ra), decScale: unitScale(info(dec)?.unit, file, dec) };
}

const SEXA = /^\s*([+-]?)\s*(\d{1,3})[:\sh°d]\s*(\d{1,2})[:\sm']\s*(\d{1,2}(?:\.\d*)?)\s*[s"]?\s*$/i;

/**
 * A cell as degrees: numbers (times `scale`), numeric strings, or sexagesimal strings
 * ('12:34:56.7' / '12h34m56.7s' as hours for RA; '-01:02:03.4' / '-01d02m03.4s' as degrees for Dec).
 * NaN when the cell is empty or not a coordinate.
 */
export function cellToDegrees(cell: unknown, scale: number, isRa: boolean): number {
  if (typeof cell === 'number') return cell * scale;
  if (typeof cell === 'bigint') return Number(cell) * scale;
  if (typeof cell !== 'string') return NaN;
  const t = cell.trim();
  if (t === '') return NaN;
  const n = Number(t);
  if (Number.isFinite(n)) return n * scale;
  const m = SEXA.exec(t);
  if (!m) return NaN;
  const v = Number(m[2]) + Number(m[3]) / 60 + Number(m[4]) / 3600;
  const deg = isRa ? v * 15 : v;
  return m[1] === '-' ? -deg : deg;
}
