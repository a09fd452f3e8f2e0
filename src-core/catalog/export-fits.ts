// FITS BINTABLE export (FITS 4.0 §7.3) through the project's FITS writer (src-core/fits/writer):
// an empty primary HDU, then one BINTABLE with TTYPE/TFORM/TUNIT per column, TNULL for integer
// columns, the UCD as the TTYPE comment and as TUCDn, the description as TCOMMn (the keywords
// STILTS writes), provenance as header keywords + HISTORY cards, and CHECKSUM/DATASUM.
// Formats: boolean → L (null = 0x00), int → J (TNULL −2147483648), long → K (TNULL −2⁶³),
// float → E, double → D (null = NaN), string → nA with n the longest value. FITS header text and
// character columns are printable ASCII (FITS 4.0 §4.1.2.3, §7.3.3.1): non-ASCII is spelled out in
// ASCII by toAscii ("0–3" → "0-3", "θE" → "thetaE"), not replaced by '?'.
import { InputError } from '../errors';
import type { CardInput } from '../fits/card-format';
import { writeFits, type BinColumnSpec } from '../fits/writer';
import { toAscii as ascii } from './ascii';
import { provenanceEntries, validateCatalog, type CatalogRow, type ColumnSpec, type Provenance } from './columns';

const INT_NULL = -2147483648;
// −2⁶³ as a bigint: as a double the writer formatted TNULL as -9.223372036854776E+18, which astropy
// ignores ("TNULLn must be an integer"), so null int64 cells read back as −2⁶³ instead of masked.
// table-writer's BinColumnSpec.tnull is typed number but handles a bigint (BigInt(tnull), and
// formatCard writes a bigint as an integer): hence the cast, until that type says number | bigint.
const LONG_NULL = -(2n ** 63n) as unknown as number;

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
