// Plain CSV export, RFC 4180 exactly: one header row of column names, then one record per row,
// every line ended by CRLF (§2.1), fields holding ',', '"', CR or LF quoted with quotes doubled
// (§2.6–2.7), nothing else in the file. No '#' metadata lines: STILTS' csv reader and astropy's
// Table.read(format='csv') take the first line as the header and would read a comment block as
// data. Units, UCDs, descriptions and provenance go in the ECSV export (export-ecsv.ts), which is
// CSV with a '#' YAML header that astropy and STILTS (ecsv) both read.
// Nulls are empty fields; an empty string is written "" so the two stay apart. Doubles print as
// the shortest text that reads back to the same value, floats as the shortest for float32.
import { formatFloat32, validateCatalog, type CatalogRow, type CatalogValue, type ColumnSpec } from './columns';

export interface CsvExportOptions {
  /** Prefix string cells starting with = + - @ with ' (spreadsheet formula injection guard). Default false: data round-trips unchanged. */
  guardFormulas?: boolean;
}

/**
 * RFC 4180 field text of one cell. Booleans are True/False (astropy's bool converter takes only
 * those spellings; STILTS takes any case). NaN/±∞ are 'NaN'/'Infinity' by default (what Java's
 * Double.parseDouble, hence STILTS, and Python's float() both read); ECSV passes astropy's 'nan'/'inf'.
 */
export function csvField(v: CatalogValue, spec: ColumnSpec, opts: { guardFormulas?: boolean; nan?: string; inf?: string } = {}): string {
  if (v === null || v === undefined) return '';
  let s: string;
  if (typeof v === 'boolean') s = v ? 'True' : 'False';
  else if (typeof v === 'number') {
    if (Number.isNaN(v)) s = opts.nan ?? 'NaN';
    else if (!Number.isFinite(v)) s = (v > 0 ? '' : '-') + (opts.inf ?? 'Infinity');
    else s = spec.type === 'float' ? formatFloat32(v) : String(v);
  } else s = String(v);
  if (opts.guardFormulas && spec.type === 'string' && /^[=+\-@\t\r]/.test(s)) s = "'" + s;
  // Quote what RFC 4180 requires, plus strings a reader could take for something else: an empty
  // string (else null), edge spaces (some readers strip them), a leading '#' (a comment to ECSV and
  // to many CSV readers).
  const quote = /[",\r\n]/.test(s) || (spec.type === 'string' && (s === '' || /^\s|\s$|^#/.test(s)));
  return quote ? `"${s.replace(/"/g, '""')}"` : s;
}

export function exportCsv(columns: readonly ColumnSpec[], rows: readonly CatalogRow[], opts: CsvExportOptions = {}): string {
  validateCatalog(columns, rows);
  const lines: string[] = [columns.map((c) => c.name).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvField(r[c.name], c, { guardFormulas: opts.guardFormulas })).join(','));
  return lines.join('\r\n') + '\r\n';
}
