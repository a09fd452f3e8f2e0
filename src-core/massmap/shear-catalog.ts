// Reading a shear catalog (RA, Dec, e1, e2, optional weight and redshift) through the project's catalog
// streams (src-core/catalog/read.ts: FITS BINTABLE/TABLE or CSV; RA/Dec found there by UCD or name with
// units applied). Here: the shear columns, found by the user's choice, then IVOA UCD1+ (src.ellipticity
// twice in file order → e1, e2; stat.weight; src.redshift*), then common names. Bad rows — RA/Dec missing
// or out of range, e1/e2 not finite, |e| = √(e1² + e2²) > 1, weight not finite or < 0 — are reported by
// row and column and left out; the rest is processed. A catalog with no usable row is an error.
import { InputError } from '../errors';
import type { CatalogStream } from '../catalog/read';

const E1_NAMES = ['e1', 'g1', 'gamma1', 'e_1', 'g_1', 'gamma_1', 'shear1', 'shear_1', 'e1_cal', 'g1_cal', 'ellip1', 'e1_corr', 'mcal_g_1'];
const E2_NAMES = ['e2', 'g2', 'gamma2', 'e_2', 'g_2', 'gamma_2', 'shear2', 'shear_2', 'e2_cal', 'g2_cal', 'ellip2', 'e2_corr', 'mcal_g_2'];
const W_NAMES = ['weight', 'w', 'weights', 'wt', 'lensfit_weight', 'shape_weight', 'w_shear'];
const Z_NAMES = ['z', 'redshift', 'zphot', 'z_phot', 'photoz', 'photo_z', 'z_b', 'z_best', 'z_mean', 'zspec', 'z_spec'];

export interface ShearColumnChoice {
  e1Column?: string;
  e2Column?: string;
  weightColumn?: string;
  zColumn?: string;
}

export interface ShearColumns {
  e1: string;
  e2: string;
  weight: string | null;
  z: string | null;
}

/** Finds the shear columns among `names` (UCDs by column name where the file has them). */
export function findShearColumns(file: string, names: readonly string[], ucds: Readonly<Record<string, string | undefined>> = {}, choice: ShearColumnChoice = {}): ShearColumns {
  const low = (s: string) => s.trim().toLowerCase();
  const pick = (wanted: string | undefined, what: string): string | undefined => {
    if (wanted === undefined) return undefined;
    const c = names.find((n) => low(n) === low(wanted));
    if (!c) throw new InputError('CATALOG_COLUMN', `${file}: no ${what} column '${wanted}' (columns: ${names.join(', ')})`, { file, field: wanted });
    return c;
  };
  const byName = (list: readonly string[]) => {
    for (const w of list) {
      const c = names.find((n) => low(n) === w);
      if (c) return c;
    }
    return undefined;
  };
  const ucdOf = (n: string) => low(ucds[n] ?? '').split(';');
  const ell = names.filter((n) => ucdOf(n)[0] === 'src.ellipticity');
  const e1 = pick(choice.e1Column, 'e1') ?? (ell.length === 2 ? ell[0] : undefined) ?? byName(E1_NAMES);
  const e2 = pick(choice.e2Column, 'e2') ?? (ell.length === 2 ? ell[1] : undefined) ?? byName(E2_NAMES);
  if (!e1 || !e2) {
    const missing = !e1 && !e2 ? 'e1 and e2 columns' : !e1 ? 'an e1 column' : 'an e2 column';
    throw new InputError('CATALOG_COLUMN', `${file}: cannot find ${missing} (columns: ${names.join(', ')}); name them with --e1/--e2`, { file, field: !e1 ? 'e1' : 'e2' });
  }
  const weight = pick(choice.weightColumn, 'weight') ?? names.find((n) => ucdOf(n)[0] === 'stat.weight') ?? byName(W_NAMES) ?? null;
  const z = pick(choice.zColumn, 'redshift') ?? names.find((n) => ucdOf(n)[0]?.startsWith('src.redshift')) ?? byName(Z_NAMES)
    ?? names.find((n) => /^z_/.test(low(n))) ?? null;
  return { e1, e2, weight, z };
}

export interface ShearIssue {
  /** 1-based data row. */
  row: number;
  column: string;
  message: string;
}

export interface ShearCatalog {
  file: string;
  columns: ShearColumns;
  ra: Float64Array;
  dec: Float64Array;
  e1: Float64Array;
  e2: Float64Array;
  weight: Float64Array | null;
  z: Float64Array | null;
  /** Extra numeric columns asked for (e.g. a true κ), NaN where not numeric. */
  extra: Record<string, Float64Array>;
  /** 1-based data row of each kept galaxy. */
  rows: Float64Array;
  /** The first `maxIssues` problems; `badRows` counts every row left out. */
  issues: ShearIssue[];
  badRows: number;
  totalRows: number;
}

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return v.trim() === '' ? NaN : Number(v);
  return NaN;
}

class Growable {
  a = new Float64Array(1024);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  done(): Float64Array { return this.a.slice(0, this.n); }
}

/**
 * Reads every chunk of `stream` (opened with skipInvalid: true, so rows with bad RA/Dec come through as
 * gaps in the row numbers) into typed arrays, validating the shear columns row by row.
 */
export async function readShearCatalog(
  stream: CatalogStream, o: { ucds?: Readonly<Record<string, string | undefined>>; choice?: ShearColumnChoice; extra?: readonly string[]; maxIssues?: number } = {},
): Promise<ShearCatalog> {
  const file = stream.file;
  const cols = findShearColumns(file, stream.schema.columns, o.ucds, o.choice);
  for (const x of o.extra ?? []) {
    if (!stream.schema.columns.includes(x)) throw new InputError('CATALOG_COLUMN', `${file}: no column '${x}' (columns: ${stream.schema.columns.join(', ')})`, { file, field: x });
  }
  const maxIssues = o.maxIssues ?? 100;
  const ra = new Growable(), dec = new Growable(), e1 = new Growable(), e2 = new Growable(), rows = new Growable();
  const w = cols.weight ? new Growable() : null, z = cols.z ? new Growable() : null;
  const extra = Object.fromEntries((o.extra ?? []).map((x) => [x, new Growable()]));
  const issues: ShearIssue[] = [];
  let bad = 0, lastRow = 0;
  const report = (row: number, column: string, message: string) => {
    if (issues.length < maxIssues) issues.push({ row, column, message });
  };
  for await (const ch of stream.chunks) {
    const c1 = ch.columns[cols.e1]!, c2 = ch.columns[cols.e2]!;
    const cw = cols.weight ? ch.columns[cols.weight]! : null, cz = cols.z ? ch.columns[cols.z]! : null;
    for (let i = 0; i < ch.ra.length; i++) {
      const row = ch.rows[i]!;
      for (let r = lastRow + 1; r < row; r++) {
        bad++;
        report(r, `${stream.schema.ra}/${stream.schema.dec}`, 'RA/Dec missing or out of range');
      }
      lastRow = row;
      const a = num(c1[i]), b = num(c2[i]), wv = cw ? num(cw[i]) : 1;
      let why: [string, string] | null = null;
      if (!Number.isFinite(a)) why = [cols.e1, `${cols.e1} = ${String(c1[i])} is not a finite number`];
      else if (!Number.isFinite(b)) why = [cols.e2, `${cols.e2} = ${String(c2[i])} is not a finite number`];
      else if (a * a + b * b > 1) why = [`${cols.e1}/${cols.e2}`, `|e| = ${Math.hypot(a, b).toPrecision(4)} > 1`];
      else if (cw && !(Number.isFinite(wv) && wv >= 0)) why = [cols.weight!, `${cols.weight} = ${String(cw[i])} is not a finite weight ≥ 0`];
      if (why) {
        bad++;
        report(row, why[0], why[1]);
        continue;
      }
      ra.push(ch.ra[i]!);
      dec.push(ch.dec[i]!);
      e1.push(a);
      e2.push(b);
      rows.push(row);
      w?.push(wv);
      z?.push(num(cz![i]));
      for (const x of o.extra ?? []) extra[x]!.push(num(ch.columns[x]![i]));
    }
  }
  const total = stream.totalRows ?? stream.stats.rows;
  for (let r = lastRow + 1; r <= total; r++) {
    bad++;
    report(r, `${stream.schema.ra}/${stream.schema.dec}`, 'RA/Dec missing or out of range');
  }
  if (ra.n === 0) {
    const first = issues.slice(0, 3).map((s) => `row ${s.row} (${s.column}): ${s.message}`).join('; ');
    throw new InputError('MASSMAP_EMPTY', `${file}: no usable galaxy in ${total} rows${first ? ` (${first}${bad > 3 ? '; …' : ''})` : ''}`, { file });
  }
  return {
    file, columns: cols, ra: ra.done(), dec: dec.done(), e1: e1.done(), e2: e2.done(), weight: w?.done() ?? null, z: z?.done() ?? null,
    extra: Object.fromEntries(Object.entries(extra).map(([k, g]) => [k, g.done()])), rows: rows.done(), issues, badRows: bad, totalRows: total,
  };
}
