// ECSV 1.0 export (Enhanced Character Separated Values, astropy APE 6; the format astropy's
// Table.read/write(format='ascii.ecsv') and STILTS' 'ecsv' handler use): CSV whose leading '#'
// lines hold a YAML header with the delimiter, each column's name, datatype, unit, description
// and meta (UCD), and the table's meta (provenance). Data lines follow RFC 4180 quoting with ','
// as the delimiter, so a plain CSV reader that skips '#' lines also reads it.
// The YAML is written in flow style with every string double-quoted (JSON string syntax is a
// subset of YAML's double-quoted scalars), so no name or description can break the header.
// Nulls are empty fields (astropy reads them as masked); an empty string is "".
import { csvField } from './export-csv';
import { validateCatalog, type CatalogRow, type ColumnSpec, type ColumnType, type Provenance } from './columns';

/** ECSV datatypes (APE 6 §"datatype") for LensDesk's column types. */
const DATATYPE: Record<ColumnType, string> = { boolean: 'bool', int: 'int32', long: 'int64', float: 'float32', double: 'float64', string: 'string' };

const q = (s: string): string => JSON.stringify(s);

function yamlValue(v: unknown): string {
  if (typeof v === 'string') return q(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? '.nan' : v > 0 ? '.inf' : '-.inf';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(yamlValue).join(', ')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${q(k)}: ${yamlValue(x)}`).join(', ')}}`;
  return 'null';
}

/** Provenance as ordered (key, YAML-able value) pairs; numbers stay numbers, lists stay lists. */
function provenanceMeta(p: Provenance): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [['date', p.date]];
  if (p.software) out.push(['software', p.software]);
  if (p.models?.length) out.push(['models', p.models.map((m) => ({ name: m.name, version: m.version, sha256: m.sha256 }))]);
  if (p.thresholds && Object.keys(p.thresholds).length) out.push(['thresholds', p.thresholds]);
  if (p.reviewers?.length) out.push(['reviewers', p.reviewers]);
  for (const [k, v] of Object.entries(p.extra ?? {})) out.push([k, v]);
  return out;
}

export function exportEcsv(columns: readonly ColumnSpec[], rows: readonly CatalogRow[], provenance: Provenance): string {
  validateCatalog(columns, rows);
  const header: string[] = ['%ECSV 1.0', '---', "delimiter: ','", 'datatype:'];
  for (const c of columns) {
    const spec: Record<string, unknown> = { name: c.name, datatype: DATATYPE[c.type] };
    if (c.unit) spec.unit = c.unit;
    if (c.description) spec.description = c.description;
    if (c.ucd) spec.meta = { ucd: c.ucd };
    // Keys unquoted (they are fixed ECSV words); values through yamlValue.
    header.push(`- {${Object.entries(spec).map(([k, v]) => `${k}: ${yamlValue(v)}`).join(', ')}}`);
  }
  // !!omap keeps the order, as astropy writes table meta.
  header.push('meta: !!omap');
  for (const [k, v] of provenanceMeta(provenance)) header.push(`- {${q(k)}: ${yamlValue(v)}}`);
  header.push(`- {"nrows": ${rows.length}}`);
  header.push('schema: astropy-2.0');
  const lines = header.map((h) => `# ${h}`);
  lines.push(columns.map((c) => c.name).join(','));
  const opts = { nan: 'nan', inf: 'inf' };
  for (const r of rows) lines.push(columns.map((c) => csvField(r[c.name], c, opts)).join(','));
  return lines.join('\n') + '\n';
}
