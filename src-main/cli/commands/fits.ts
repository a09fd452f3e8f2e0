// `lensdesk fits info|header|stats|table FILE ...`: inspect FITS files like astropy's fitsinfo /
// fitsheader, with stable JSON (documented in docs/fits.md). Indices are 0-based numpy order.
import { parseArgs } from 'node:util';
import { InputError } from '../../../src-core/errors';
import {
  FitsTable,
  bytesToAscii,
  formatCard,
  imageInfo,
  imageStats,
  jsonSafe,
  readImageSection,
  summarizeHdu,
  type FitsFile,
} from '../../../src-core/fits/index';
import { compressedImageHeader } from '../../../src-core/fits/compress/index';
import { openFitsFile } from '../../fits/file-source';
import type { CliCommand, CliIO } from '../command';

const USAGE = `Usage:
  lensdesk fits info FILE [--json]
  lensdesk fits header FILE [--hdu N] [--json] [--raw]
  lensdesk fits stats FILE [--hdu N] [--json] [--at i,j[,k] ...]
  lensdesk fits table FILE [--hdu N] [--rows A:B] [--json]

Reads FITS files (also .fits.gz) lazily. HDU numbers and pixel indices are 0-based; --at takes
numpy order (slowest axis first: row,column for a 2-D image). --rows A:B is half-open
(default 0:10; 'A:' to the end). For a tile-compressed HDU, 'header' shows the image header
(as astropy's fitsheader); --raw shows the stored BINTABLE cards. JSON formats: docs/fits.md.`;

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      hdu: { type: 'string' },
      json: { type: 'boolean', default: false },
      at: { type: 'string', multiple: true },
      rows: { type: 'string' },
      raw: { type: 'boolean', default: false },
    },
  });
}

function hduIndex(v: string | undefined, def: number): number {
  if (v === undefined) return def;
  if (!/^\d+$/.test(v)) throw new InputError('INPUT_INVALID', `--hdu must be a non-negative integer, got '${v}'`, { field: 'hdu' });
  return Number(v);
}

function withFile<T>(path: string, fn: (f: FitsFile) => T): T {
  const f = openFitsFile(path);
  try {
    return fn(f);
  } finally {
    f.source.close?.();
  }
}

function out(io: CliIO, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

function info(path: string, json: boolean, io: CliIO): number {
  return withFile(path, (f) => {
    const rows = f.hdus().map((h) => summarizeHdu(f, h));
    if (json) {
      out(io, { file: path, n_hdus: rows.length, hdus: rows, warnings: f.warnings });
      return 0;
    }
    io.out(`Filename: ${path}`);
    io.out('No.    Name      Ver    Type      Cards   Dimensions   Format');
    for (const r of rows) {
      const dims = r.type.includes('Table') ? `${r.dimensions[0]}R x ${r.dimensions[1]}C` : `(${r.dimensions.join(', ')})`;
      io.out(`${String(r.index).padStart(3)}  ${r.name.padEnd(11)} ${String(r.ver).padStart(3)} ${r.type.padEnd(13)} ${String(r.cards).padStart(5)}   ${dims.padEnd(12)} ${r.format}`);
    }
    for (const w of f.warnings) io.err(`warning: ${w}`);
    return 0;
  });
}

function header(path: string, hdu: number, json: boolean, raw: boolean, io: CliIO): number {
  return withFile(path, (f) => {
    const h = f.hdu(hdu);
    const hdr = h.compressed && !raw ? compressedImageHeader(h) : h.header;
    if (json) {
      out(io, {
        file: path,
        hdu,
        cards: hdr.cards.map((c) => ({ keyword: c.keyword, value: jsonSafe(c.value), comment: c.comment, type: c.type })),
        warnings: [...h.warnings, ...(hdr === h.header ? [] : hdr.warnings)],
      });
      return 0;
    }
    if (hdr !== h.header) {
      // Reconstructed image header: formatted by the strict writer (values as parsed).
      for (const c of hdr.cards) {
        let lines: string[];
        try {
          lines = formatCard({ keyword: c.keyword, value: c.value, comment: c.comment, type: c.type });
        } catch {
          lines = [`${c.keyword.padEnd(8)}= ${String(c.value)}`];
        }
        for (const l of lines) io.out(l.trimEnd());
      }
      io.out('END');
      return 0;
    }
    // The card images exactly as stored (like astropy's fitsheader), up to END.
    const text = bytesToAscii(f.source.read(h.headerOffset, h.dataOffset - h.headerOffset));
    for (let i = 0; i < text.length; i += 80) {
      const card = text.slice(i, i + 80);
      io.out(card.trimEnd());
      if (card.startsWith('END') && card.slice(3).trim() === '') break;
    }
    return 0;
  });
}

function parseIndex(s: string, nd: number): number[] {
  const parts = s.split(',').map((x) => x.trim());
  if (parts.length !== nd || parts.some((p) => !/^\d+$/.test(p))) {
    throw new InputError('INPUT_INVALID', `--at '${s}' needs ${nd} comma-separated non-negative integers (numpy order)`, { field: 'at' });
  }
  return parts.map(Number);
}

function stats(path: string, hdu: number, json: boolean, at: string[], io: CliIO): number {
  return withFile(path, (f) => {
    const h = f.hdu(hdu);
    const info = imageInfo(f, h);
    const s = imageStats(f, h);
    const pixels = at.map((a) => {
      const index = parseIndex(a, info.shape.length);
      if (index.some((v, i) => v >= info.shape[i]!)) {
        throw new InputError('INPUT_INVALID', `--at ${a} is outside shape [${info.shape}]`, { field: 'at' });
      }
      const v = readImageSection(f, h, index, index.map(() => 1)).data[0]!;
      return { index, value: jsonSafe(v) };
    });
    const result = { file: path, hdu, ...s, min: jsonSafe(s.min ?? undefined), max: jsonSafe(s.max ?? undefined), mean: jsonSafe(s.mean ?? undefined), sum: jsonSafe(s.sum), pixels };
    if (json) out(io, result);
    else {
      io.out(`shape ${JSON.stringify(s.shape)} dtype ${s.dtype}`);
      io.out(`finite ${s.finite_count}  nan ${s.nan_count}  inf ${s.inf_count}`);
      io.out(`min ${s.min}  max ${s.max}  mean ${s.mean}  sum ${s.sum}`);
      for (const p of pixels) io.out(`[${p.index.join(', ')}] = ${String(p.value)}`);
    }
    return 0;
  });
}

function parseRows(s: string | undefined, n: number): [number, number] {
  if (s === undefined) return [0, Math.min(10, n)];
  const m = /^(\d*):(\d*)$/.exec(s.trim());
  if (!m) throw new InputError('INPUT_INVALID', `--rows '${s}' must look like A:B (0-based, half-open)`, { field: 'rows' });
  const a = m[1] === '' ? 0 : Number(m[1]);
  const b = m[2] === '' ? n : Math.min(Number(m[2]), n);
  if (a > n) throw new InputError('INPUT_INVALID', `--rows start ${a} is beyond the ${n} rows`, { field: 'rows' });
  return [a, Math.max(a, b)];
}

function table(path: string, hdu: number, json: boolean, rowsArg: string | undefined, io: CliIO): number {
  return withFile(path, (f) => {
    const t = new FitsTable(f, f.hdu(hdu));
    const [a, b] = parseRows(rowsArg, t.nrows);
    const columns = t.columns.map((c) => ({
      name: c.name,
      format: c.format,
      unit: c.unit ?? null,
      dim: c.dim ? `(${c.dim.join(',')})` : null,
      null: jsonSafe(c.tnull ?? undefined),
      bscale: c.tscal !== 1 || c.tzero !== 0 ? c.tscal : null,
      bzero: c.tscal !== 1 || c.tzero !== 0 ? c.tzero : null,
      disp: c.disp ?? null,
    }));
    if (json) {
      const rows: unknown[] = [];
      for (const chunk of t.iterRows(undefined, a, b)) {
        if (io.signal.aborted) break;
        for (const r of chunk.rows) rows.push(r.map((v) => jsonSafe(v)));
      }
      out(io, { file: path, hdu, nrows: t.nrows, columns, row_start: a, row_stop: b, rows });
      return 0;
    }
    io.out(['row', ...columns.map((c) => c.name)].join('\t'));
    let r = a;
    for (const chunk of t.iterRows(undefined, a, b)) {
      for (const row of chunk.rows) io.out([r++, ...row.map((v) => JSON.stringify(jsonSafe(v)))].join('\t'));
    }
    return 0;
  });
}

export const fitsCommand: CliCommand = {
  name: 'fits',
  summary: 'Inspect FITS files: HDU list, headers, image statistics, table rows',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parse(argv);
    const [sub, path] = positionals;
    if (!sub || !path) {
      io.err(USAGE);
      return 2;
    }
    switch (sub) {
      case 'info':
        return info(path, values.json, io);
      case 'header':
        return header(path, hduIndex(values.hdu, 0), values.json, values.raw, io);
      case 'stats':
        return stats(path, hduIndex(values.hdu, 0), values.json, values.at ?? [], io);
      case 'table':
        return table(path, hduIndex(values.hdu, 1), values.json, values.rows, io);
      default:
        throw new InputError('INPUT_INVALID', `unknown fits subcommand '${sub}' (info, header, stats, table)`, { field: 'subcommand' });
    }
  },
};
