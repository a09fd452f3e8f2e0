// Catalog ingest: FITS BINTABLE/TABLE or CSV/TSV → chunks of (id, RA, Dec, other columns), as an
// async iterator so a 1M-row catalog never sits in memory at once. RA/Dec are validated (finite,
// Dec in [−90, 90], RA in [−360, 360] then wrapped to [0, 360)) and a bad row is an InputError
// naming the file, column and 1-based data row (or skipped and counted with skipInvalid).
import { InputError, CancelledError } from '../errors';
import type { FitsFile } from '../fits/file';
import { FitsTable } from '../fits/table';
import { CsvParser, type CsvRecord } from './csv-parse';
import { cellToDegrees, detectColumns, type CatalogSchema, type ColumnChoice, type ColumnInfo } from './detect';

export type { CatalogSchema, ColumnChoice } from './detect';

export type CatalogCell = string | number | bigint | boolean | null;

export interface CatalogChunk {
  /** 1-based data row number of the first row in this chunk (header and comments not counted). */
  readonly firstRow: number;
  readonly ids: string[];
  readonly ra: Float64Array;
  readonly dec: Float64Array;
  /** 1-based data row number of each kept row (differs from firstRow + i when rows were skipped). */
  readonly rows: Int32Array | Float64Array;
  /** Kept columns (all others than RA/Dec by default), one array per column. */
  readonly columns: Record<string, CatalogCell[]>;
}

export interface CatalogReadOptions extends ColumnChoice {
  /** Rows per chunk (default 65536). */
  chunkRows?: number;
  /** Skip rows with missing or out-of-range RA/Dec instead of failing (counted in stats). */
  skipInvalid?: boolean;
  /** Columns carried besides id/RA/Dec: 'all' (default), 'none', or a list of names. */
  keepColumns?: 'all' | 'none' | readonly string[];
  /** Stops reading (CancelledError) when aborted. */
  signal?: { readonly aborted: boolean };
}

export interface CatalogStream {
  readonly file: string;
  readonly schema: CatalogSchema;
  /** Total rows when known up front (FITS), else undefined (CSV). */
  readonly totalRows: number | undefined;
  readonly chunks: AsyncIterable<CatalogChunk>;
  /** Filled while iterating. */
  readonly stats: { rows: number; skipped: number };
}

const DEFAULT_CHUNK = 65536;

/** Accumulates rows and validates RA/Dec; shared by the CSV and FITS readers. */
class ChunkBuilder {
  ids: string[] = [];
  ra: number[] = [];
  dec: number[] = [];
  rows: number[] = [];
  cols: Record<string, CatalogCell[]> = {};
  private readonly iRa: number;
  private readonly iDec: number;
  private readonly iId: number;
  private readonly iKeep: number[];
  constructor(
    private readonly file: string,
    private readonly schema: CatalogSchema,
    private readonly keep: string[],
    private readonly opts: CatalogReadOptions,
    private readonly stats: { rows: number; skipped: number },
  ) {
    const at = (n: string) => schema.columns.indexOf(n);
    this.iRa = at(schema.ra);
    this.iDec = at(schema.dec);
    this.iId = schema.id ? at(schema.id) : -1;
    this.iKeep = keep.map(at);
    for (const k of keep) this.cols[k] = [];
  }
  get size(): number {
    return this.ids.length;
  }
  /** `cells` in schema.columns order; `row` is the 1-based data row. */
  add(row: number, cells: ArrayLike<CatalogCell>, where: string): void {
    const { schema } = this;
    let ra = cellToDegrees(cells[this.iRa], schema.raScale, true);
    const dec = cellToDegrees(cells[this.iDec], schema.decScale, false);
    this.stats.rows++;
    const bad = !Number.isFinite(ra) ? schema.ra : !Number.isFinite(dec) || dec < -90 || dec > 90 ? schema.dec : ra < -360 || ra > 360 ? schema.ra : null;
    if (bad) {
      if (this.opts.skipInvalid) {
        this.stats.skipped++;
        return;
      }
      const v = cells[bad === schema.ra ? this.iRa : this.iDec];
      const what = bad === schema.ra ? 'RA must be a number of degrees in [0, 360)' : 'Dec must be a number of degrees in [-90, 90]';
      throw new InputError('CATALOG_VALUE', `${this.file}: row ${row}${where}, column '${bad}': ${JSON.stringify(typeof v === 'bigint' ? String(v) : (v ?? null))} is not valid (${what})`, { file: this.file, row, field: bad });
    }
    if (ra < 0 || ra >= 360) ra = ((ra % 360) + 360) % 360; // only touch values that need it (keeps bits)
    const idCell = this.iId >= 0 ? cells[this.iId] : undefined;
    this.ids.push(idCell === undefined || idCell === null || idCell === '' ? String(row) : typeof idCell === 'string' ? idCell.trim() : String(idCell));
    this.ra.push(ra);
    this.dec.push(dec);
    this.rows.push(row);
    for (let k = 0; k < this.keep.length; k++) this.cols[this.keep[k]].push(cells[this.iKeep[k]] ?? null);
  }
  take(): CatalogChunk {
    const chunk: CatalogChunk = {
      firstRow: this.rows[0] ?? 0,
      ids: this.ids, ra: Float64Array.from(this.ra), dec: Float64Array.from(this.dec),
      rows: Float64Array.from(this.rows), columns: this.cols,
    };
    this.ids = []; this.ra = []; this.dec = []; this.rows = []; this.cols = {};
    for (const k of this.keep) this.cols[k] = [];
    return chunk;
  }
}

function keptColumns(schema: CatalogSchema, keep: CatalogReadOptions['keepColumns'], file: string): string[] {
  if (keep === 'none') return [];
  if (keep === undefined || keep === 'all') return schema.columns.filter((c) => c !== schema.ra && c !== schema.dec && c !== schema.id);
  for (const k of keep) if (!schema.columns.includes(k)) throw new InputError('CATALOG_COLUMN', `${file}: no column '${k}' to keep (columns: ${schema.columns.join(', ')})`, { file, field: k });
  return [...keep];
}

function checkAbort(opts: CatalogReadOptions): void {
  if (opts.signal?.aborted) throw new CancelledError('catalog reading cancelled');
}

/** A CSV/TSV catalog from text chunks (e.g. a file stream with encoding 'utf8'). */
export async function openCsvCatalog(file: string, text: AsyncIterable<string>, opts: CatalogReadOptions = {}): Promise<CatalogStream> {
  const parser = new CsvParser();
  const it = text[Symbol.asyncIterator]();
  // Records parsed but not consumed yet: pending[next…]. Replaced wholesale per text chunk.
  let pending: CsvRecord[] = [];
  let next = 0;
  let done = false;
  const fill = async (): Promise<boolean> => {
    while (next >= pending.length && !done) {
      const r = await it.next();
      if (r.done) {
        done = true;
        pending = parser.end();
        if (parser.unterminatedQuote) throw new InputError('CATALOG_CSV', `${file}: the file ends inside a quoted field`, { file });
      } else pending = parser.push(r.value);
      next = 0;
    }
    return next < pending.length;
  };
  if (!(await fill())) throw new InputError('CATALOG_EMPTY', `${file}: no header line (empty file?)`, { file });
  const head = pending[next++];
  const names = head.fields.map((f) => f.trim());
  const cols: ColumnInfo[] = names.map((name) => ({ name }));
  const schema = detectColumns(file, cols, opts);
  const stats = { rows: 0, skipped: 0 };
  const keep = keptColumns(schema, opts.keepColumns, file);
  const chunkRows = opts.chunkRows ?? DEFAULT_CHUNK;
  async function* chunks(): AsyncGenerator<CatalogChunk> {
    const b = new ChunkBuilder(file, schema, keep, opts, stats);
    let row = 0;
    while (await fill()) {
      checkAbort(opts);
      while (next < pending.length) {
        const rec = pending[next++];
        row++;
        if (rec.fields.length !== names.length) {
          throw new InputError('CATALOG_CSV', `${file}: row ${row} (line ${rec.line}) has ${rec.fields.length} fields, the header has ${names.length}`, { file, row });
        }
        b.add(row, rec.fields, ` (line ${rec.line})`);
        if (b.size >= chunkRows) yield b.take();
      }
    }
    if (b.size) yield b.take();
  }
  return { file, schema, totalRows: undefined, chunks: chunks(), stats };
}

/** A FITS table catalog (BINTABLE or ASCII TABLE); `hdu` defaults to the first table HDU. */
export function openFitsCatalog(file: FitsFile, opts: CatalogReadOptions & { hdu?: number } = {}): CatalogStream {
  const hdu = opts.hdu !== undefined ? file.hdu(opts.hdu) : file.hdus().find((h) => h.type === 'bintable' || h.type === 'table');
  if (!hdu) throw new InputError('CATALOG_NO_TABLE', `${file.name}: no BINTABLE or TABLE extension`, { file: file.name });
  const table = new FitsTable(file, hdu);
  const cols: ColumnInfo[] = table.columns.map((c, i) => ({
    name: c.name, unit: c.unit, ucd: (hdu.header.getString(`TUCD${i + 1}`) ?? undefined),
  }));
  const label = `${file.name}[${hdu.index}]`;
  const schema = detectColumns(label, cols, opts);
  const stats = { rows: 0, skipped: 0 };
  const keep = keptColumns(schema, opts.keepColumns, label);
  const chunkRows = opts.chunkRows ?? DEFAULT_CHUNK;
  async function* chunks(): AsyncGenerator<CatalogChunk> {
    const b = new ChunkBuilder(label, schema, keep, opts, stats);
    for (const { start, rows } of table.iterRows(chunkRows)) {
      checkAbort(opts);
      rows.forEach((cells, r) => {
        b.add(start + r + 1, cells.map((v) => (Array.isArray(v) ? JSON.stringify(v) : v)), '');
      });
      if (b.size) yield b.take();
    }
  }
  return { file: label, schema, totalRows: table.nrows, chunks: chunks(), stats };
}
