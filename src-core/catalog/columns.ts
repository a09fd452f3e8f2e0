// What every catalog exporter takes: rows (plain objects) plus column specs, and the provenance
// to record. Units follow the VOUnit/FITS conventions ('deg', 'arcsec', 'mag'); UCDs the IVOA UCD1+
// list (e.g. pos.eq.ra;meta.main). Exporters are pure functions returning strings/bytes.
import { InputError } from '../errors';

export type ColumnType = 'boolean' | 'int' | 'long' | 'float' | 'double' | 'string';
export type CatalogValue = string | number | bigint | boolean | null | undefined;
export type CatalogRow = Readonly<Record<string, CatalogValue>>;

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  unit?: string;
  ucd?: string;
  description?: string;
}

export interface Provenance {
  /** ISO 8601 time of the export (passed in so exports are reproducible). */
  date: string;
  software?: string;
  /** Models that produced scores: name, version, optional content hash. */
  models?: Array<{ name: string; version?: string; sha256?: string }>;
  /** Selection thresholds, e.g. {score_min: 0.5}. */
  thresholds?: Record<string, number>;
  reviewers?: string[];
  /** Free-form extra facts (query, survey, workspace). */
  extra?: Record<string, string | number | boolean>;
}

/** The standard position/id columns of a lens-candidate catalog, with the UCDs TOPCAT keys on. */
export const STANDARD_COLUMNS = {
  id: { name: 'id', type: 'string', ucd: 'meta.id;meta.main', description: 'Candidate identifier' },
  ra: { name: 'ra', type: 'double', unit: 'deg', ucd: 'pos.eq.ra;meta.main', description: 'Right ascension (ICRS)' },
  dec: { name: 'dec', type: 'double', unit: 'deg', ucd: 'pos.eq.dec;meta.main', description: 'Declination (ICRS)' },
} as const satisfies Record<string, ColumnSpec>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks names and cell types; returns nothing, throws InputError naming row and column. */
export function validateCatalog(columns: readonly ColumnSpec[], rows: readonly CatalogRow[]): void {
  const seen = new Set<string>();
  for (const c of columns) {
    if (!NAME.test(c.name)) throw new InputError('CATALOG_COLUMN', `column name '${c.name}' must be letters, digits and _ (not starting with a digit)`, { field: c.name });
    if (seen.has(c.name.toLowerCase())) throw new InputError('CATALOG_COLUMN', `duplicate column '${c.name}' (names are case-insensitive in FITS)`, { field: c.name });
    seen.add(c.name.toLowerCase());
  }
  rows.forEach((r, i) => {
    for (const c of columns) {
      const v = r[c.name];
      if (v === null || v === undefined) continue;
      const ok =
        c.type === 'string' ? typeof v === 'string'
        : c.type === 'boolean' ? typeof v === 'boolean'
        : c.type === 'long' ? typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v))
        : c.type === 'int' ? typeof v === 'number' && Number.isInteger(v) && v >= -2147483647 && v <= 2147483647
        : typeof v === 'number';
      if (!ok) throw new InputError('CATALOG_VALUE', `row ${i}, column '${c.name}': ${typeof v} ${String(v)} is not a valid ${c.type}`, { row: i, field: c.name });
    }
  });
}

/** Provenance as ordered (key, value) pairs, shared by every format so they say the same thing. */
export function provenanceEntries(p: Provenance): Array<[string, string]> {
  const out: Array<[string, string]> = [['date', p.date]];
  if (p.software) out.push(['software', p.software]);
  (p.models ?? []).forEach((m, i) => out.push([`model${i + 1}`, [m.name, m.version, m.sha256 && `sha256:${m.sha256}`].filter(Boolean).join(' ')]));
  for (const [k, v] of Object.entries(p.thresholds ?? {})) out.push([`threshold_${k}`, String(v)]);
  if (p.reviewers?.length) out.push(['reviewers', p.reviewers.join(', ')]);
  for (const [k, v] of Object.entries(p.extra ?? {})) out.push([k, String(v)]);
  return out;
}

/** Shortest decimal that reads back to the same float32 (so 0.987 prints as 0.987, not 0.9869999885559082). */
export function formatFloat32(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const s = String(Number(f.toPrecision(p)));
    if (Math.fround(Number(s)) === f) return s;
  }
  return String(f);
}

/**
 * A column name built from free text (a reviewer's name): characters outside [A-Za-z0-9_] become
 * '_', so FITS TTYPE, VOTable FIELD, ECSV and most tools accept it; at most 60 characters; made
 * unique ignoring case against `taken` (which it updates) by a _2, _3, … suffix.
 */
export function safeColumnName(prefix: string, raw: string, taken: Set<string>): string {
  const core = raw.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'unnamed';
  const base = `${prefix}${core}`.slice(0, 60);
  let name = NAME.test(base) ? base : `_${base}`.slice(0, 60);
  for (let k = 2; taken.has(name.toLowerCase()); k++) name = `${base.slice(0, 60 - String(k).length - 1)}_${k}`;
  taken.add(name.toLowerCase());
  return name;
}
