// FITS BINTABLE export (FITS 4.0 §7.3) through the project's FITS writer (src-core/fits/writer):
// an empty primary HDU, then one BINTABLE with TTYPE/TFORM/TUNIT per column, TNULL for integer
// columns, the UCD as the TTYPE comment and as TUCDn, the description as TCOMMn (the keywords
// STILTS writes), provenance as header keywords + HISTORY cards, and CHECKSUM/DATASUM.
// Formats: boolean → L (null = 0x00), int → J (TNULL −2147483648), long → K (TNULL −2⁶³),
// float → E, double → D (null = NaN), string → nA with n the longest value (non-ASCII → '?':
// FITS strings are printable ASCII).
import { InputError } from '../errors';
import type { CardInput } from '../fits/card-format';
import { writeFits, type BinColumnSpec } from '../fits/writer';
import { provenanceEntries, validateCatalog, type CatalogRow, type ColumnSpec, type Provenance } from './columns';

const INT_NULL = -2147483648;
const LONG_NULL = -9223372036854775808; // −2⁶³, exact as a double

function ascii(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

export function exportFitsTable(columns: readonly ColumnSpec[], rows: readonly CatalogRow[], provenance: Provenance, opts: { extname?: string } = {}): Uint8Array {
  validateCatalog(columns, rows);
  if (columns.length > 999) throw new InputError('CATALOG_COLUMN', `FITS tables hold at most 999 columns, got ${columns.length}`);
  const cols: BinColumnSpec[] = columns.map((c) => {
    const raw = rows.map((r) => r[c.name] ?? null);
    switch (c.type) {
      case 'boolean':
        return { name: c.name, format: 'L', values: raw as Array<boolean | null> };
      case 'int':
        return { name: c.name, format: 'J', tnull: INT_NULL, values: raw as Array<number | null> };
      case 'long':
        return { name: c.name, format: 'K', tnull: LONG_NULL, values: raw.map((v) => (v === null ? null : BigInt(v as number | bigint))) };
      case 'float':
        return { name: c.name, format: 'E', values: raw as Array<number | null> };
      case 'double':
        return { name: c.name, format: 'D', values: raw as Array<number | null> };
      case 'string': {
        const s = raw.map((v) => (v === null ? null : ascii(v as string)));
        return { name: c.name, format: `${Math.max(1, ...s.map((v) => v?.length ?? 0))}A`, values: s };
      }
    }
  });
  columns.forEach((c, i) => {
    if (c.unit) cols[i]!.unit = ascii(c.unit);
    if (c.ucd) cols[i]!.comment = ascii(c.ucd);
  });
  const cards: CardInput[] = [];
  columns.forEach((c, i) => {
    if (c.ucd) cards.push({ keyword: `TUCD${i + 1}`, value: ascii(c.ucd), comment: 'IVOA UCD' });
    if (c.description) cards.push({ keyword: `TCOMM${i + 1}`, value: ascii(c.description) });
  });
  cards.push({ keyword: 'DATE', value: ascii(provenance.date), comment: 'export time (UTC)' });
  if (provenance.software) cards.push({ keyword: 'CREATOR', value: ascii(provenance.software) });
  (provenance.models ?? []).forEach((m, i) => cards.push({ keyword: `MODEL${i + 1}`, value: ascii([m.name, m.version].filter(Boolean).join(' ')), comment: 'scoring model' }));
  Object.entries(provenance.thresholds ?? {}).forEach(([k, v], i) => {
    cards.push({ keyword: `THRNAM${i + 1}`, value: ascii(k), comment: 'selection threshold name' });
    cards.push({ keyword: `THRVAL${i + 1}`, value: v, type: 'float', comment: 'selection threshold value' });
  });
  if (provenance.reviewers?.length) cards.push({ keyword: 'REVIEWRS', value: ascii(provenance.reviewers.join(', ')) });
  for (const [k, v] of provenanceEntries(provenance)) cards.push({ keyword: 'HISTORY', value: ascii(`${k}: ${v}`) });
  return writeFits([{ kind: 'bintable', columns: cols, nrows: rows.length, extname: opts.extname ?? 'CANDIDATES', cards }], { checksum: true });
}
