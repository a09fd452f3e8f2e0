// VOTable 1.4 export (IVOA Recommendation 2019-10-21), TABLEDATA serialisation. VOTable 1.4 keeps
// the 1.3 namespace. Provenance goes in INFO (software, date, reviewers, free-form facts) and PARAM
// (models, numeric thresholds) elements; each FIELD carries datatype, unit, UCD and a DESCRIPTION.
// Nulls are empty TD cells (allowed for every datatype since VOTable 1.3 §6.1). Strings with
// characters outside ASCII are declared unicodeChar (UTF-8 in the document).
// Positions: one COOSYS (VOTable 1.4 §2.1: system="ICRS", epoch J2000) in the RESOURCE, and every
// FIELD whose UCD is pos.eq.* references it through ref=, so TOPCAT/astropy know the frame.
import { escapeXml as x } from '../xml';
import { formatFloat32, provenanceEntries, validateCatalog, type CatalogRow, type ColumnSpec, type ColumnType, type Provenance } from './columns';

const DATATYPE: Record<ColumnType, string> = { boolean: 'boolean', int: 'int', long: 'long', float: 'float', double: 'double', string: 'char' };

export interface VoTableOptions {
  tableName?: string;
  description?: string;
  /** Frame of the pos.eq.* columns (default ICRS at epoch J2000). */
  coosys?: { system: 'ICRS' | 'FK5' | 'FK4'; epoch?: string; equinox?: string };
}

/** ID of the COOSYS element that RA/Dec FIELDs reference. */
export const COOSYS_ID = 'sys_icrs';
const isPosEq = (c: ColumnSpec) => /(^|;)pos\.eq\./.test(c.ucd ?? '');

export function exportVoTable(columns: readonly ColumnSpec[], rows: readonly CatalogRow[], provenance: Provenance, opts: VoTableOptions = {}): string {
  validateCatalog(columns, rows);
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.ivoa.net/xml/VOTable/v1.3 http://www.ivoa.net/xml/VOTable/v1.3">',
    '<RESOURCE type="results">',
  ];
  const numeric = new Set(Object.keys(provenance.thresholds ?? {}).map((k) => `threshold_${k}`));
  const params: string[] = [];
  for (const [k, v] of provenanceEntries(provenance)) {
    if (numeric.has(k)) params.push(`<PARAM name="${x(k)}" datatype="double" value="${x(v)}" ucd="stat.value"><DESCRIPTION>Selection threshold</DESCRIPTION></PARAM>`);
    else if (/^model\d+$/.test(k)) params.push(`<PARAM name="${x(k)}" datatype="char" arraysize="*" value="${x(v)}" ucd="meta.code"><DESCRIPTION>Model name, version and hash</DESCRIPTION></PARAM>`);
    else out.push(`<INFO name="${x(k)}" value="${x(v)}"/>`);
  }
  const coosys = opts.coosys ?? { system: 'ICRS', epoch: 'J2000' };
  const sysId = coosys.system === 'ICRS' ? COOSYS_ID : `sys_${coosys.system.toLowerCase()}`;
  if (columns.some(isPosEq)) {
    const a = [`ID="${sysId}"`, `system="${coosys.system}"`, coosys.equinox ? `equinox="${x(coosys.equinox)}"` : '', coosys.epoch ? `epoch="${x(coosys.epoch)}"` : ''];
    out.push(`<COOSYS ${a.filter(Boolean).join(' ')}/>`);
  }
  out.push(`<TABLE name="${x(opts.tableName ?? 'lens_candidates')}" nrows="${rows.length}">`);
  if (opts.description) out.push(`<DESCRIPTION>${x(opts.description)}</DESCRIPTION>`);
  out.push(...params);
  for (const c of columns) {
    let dt = DATATYPE[c.type];
    if (c.type === 'string' && rows.some((r) => typeof r[c.name] === 'string' && /[^\x00-\x7f]/.test(r[c.name] as string))) dt = 'unicodeChar';
    const attrs = [`name="${x(c.name)}"`, `datatype="${dt}"`, c.type === 'string' ? 'arraysize="*"' : '', c.unit ? `unit="${x(c.unit)}"` : '', c.ucd ? `ucd="${x(c.ucd)}"` : '', isPosEq(c) ? `ref="${sysId}"` : '']
      .filter(Boolean)
      .join(' ');
    out.push(c.description ? `<FIELD ${attrs}><DESCRIPTION>${x(c.description)}</DESCRIPTION></FIELD>` : `<FIELD ${attrs}/>`);
  }
  out.push('<DATA><TABLEDATA>');
  for (const r of rows) {
    const tds = columns.map((c) => {
      const v = r[c.name];
      if (v === null || v === undefined) return '<TD/>';
      const s = typeof v === 'boolean' ? (v ? 'T' : 'F') : typeof v === 'number' ? (Number.isNaN(v) ? 'NaN' : c.type === 'float' ? formatFloat32(v) : String(v)) : String(v);
      return `<TD>${x(s)}</TD>`;
    });
    out.push(`<TR>${tds.join('')}</TR>`);
  }
  out.push('</TABLEDATA></DATA>', '</TABLE>', '</RESOURCE>', '</VOTABLE>');
  return out.join('\n') + '\n';
}
