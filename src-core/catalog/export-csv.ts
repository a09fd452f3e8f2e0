// CSV export (RFC 4180: comma, CRLF-free '\n' lines, fields with , " or newlines quoted, quotes
// doubled) preceded by a '#' comment block with provenance and column metadata, the convention
// TOPCAT/STILTS ("csv" reader skips nothing, so use the 'ascii' or pandas comment='#') and
// astropy.io.ascii ('#' comments) read. Nulls are empty fields; doubles use the shortest text that
// reads back to the same value.
import { formatFloat32, provenanceEntries, validateCatalog, type CatalogRow, type CatalogValue, type ColumnSpec, type Provenance } from './columns';

export interface CsvExportOptions {
  /** Prefix string cells starting with = + - @ with ' (spreadsheet formula injection guard). Default false: data round-trips unchanged. */
  guardFormulas?: boolean;
}

function field(v: CatalogValue, spec: ColumnSpec, guard: boolean): string {
  if (v === null || v === undefined) return '';
  let s: string;
  if (typeof v === 'boolean') s = v ? 'true' : 'false';
  else if (typeof v === 'number') s = Number.isNaN(v) ? 'NaN' : spec.type === 'float' ? formatFloat32(v) : String(v);
  else s = String(v);
  if (guard && spec.type === 'string' && /^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return /[",\r\n]/.test(s) || (spec.type === 'string' && (s === '' || /^\s|\s$|^#/.test(s))) ? `"${s.replace(/"/g, '""')}"` : s;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

export function exportCsv(columns: readonly ColumnSpec[], rows: readonly CatalogRow[], provenance: Provenance, opts: CsvExportOptions = {}): string {
  validateCatalog(columns, rows);
  const lines: string[] = ['# LensDesk catalog export'];
  for (const [k, v] of provenanceEntries(provenance)) lines.push(`# ${k}: ${oneLine(v)}`);
  lines.push(`# rows: ${rows.length}`);
  for (const c of columns)
    lines.push(`# column ${c.name}: type=${c.type}${c.unit ? ` unit=${c.unit}` : ''}${c.ucd ? ` ucd=${c.ucd}` : ''}${c.description ? ` — ${oneLine(c.description)}` : ''}`);
  lines.push(columns.map((c) => c.name).join(','));
  for (const r of rows) lines.push(columns.map((c) => field(r[c.name], c, opts.guardFormulas ?? false)).join(','));
  return lines.join('\n') + '\n';
}
