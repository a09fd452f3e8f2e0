// Reads a `lensdesk simulate` output folder (docs/simulate.md): DIR/cutouts-<first>-<last>.fits
// chunks, each a float32 cube N × bands × H × W (primary HDU, band names in BAND1…) with a TRUTH
// table whose is_lens column labels the cutouts, plus DIR/simulate.json (seed, n, configuration).
// Used by `lensdesk evaluate --set` and `lensdesk train --set`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FitsTable, readImage } from '../../src-core/fits/index';
import { channelsLast } from '../../src-core/classify/sim-data';
import type { LabelledBatch, TrainingData } from '../../src-core/classify/train';
import { InputError } from '../../src-core/errors';
import { getPreset } from '../../src-core/lens/presets';
import { openFitsFile } from '../fits/file-source';

export interface SimChunk {
  file: string;
  /** Cutout index of the first row. */
  start: number;
  count: number;
  bands: string[];
  size: number;
  /** count × bands × size × size (C order, as the simulator writes). */
  images: Float32Array;
  labels: number[];
}

export interface SimSetInfo {
  dir: string;
  files: string[];
  manifest: { seed?: number; n?: number; config?: { preset?: string; bands?: string[]; size?: number } } | null;
}

export function openSimSet(dir: string): SimSetInfo {
  if (!existsSync(dir)) throw new InputError('SET_NOT_FOUND', `${dir}: no such folder`, { file: dir });
  const files = readdirSync(dir)
    .filter((f) => /^cutouts-\d+-\d+\.fits$/.test(f))
    .sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1]))
    .map((f) => join(dir, f));
  if (!files.length) throw new InputError('SET_EMPTY', `${dir}: no cutouts-<first>-<last>.fits chunk files (make them with lensdesk simulate --out ${dir})`, { file: dir });
  const mpath = join(dir, 'simulate.json');
  const manifest = existsSync(mpath) ? (JSON.parse(readFileSync(mpath, 'utf8')) as SimSetInfo['manifest']) : null;
  return { dir, files, manifest };
}

export function readSimChunk(file: string): SimChunk {
  const f = openFitsFile(file);
  try {
    const h0 = f.hdu(0);
    const img = readImage(f, h0);
    const [count, nb, size, w] = img.shape;
    if (img.shape.length !== 4 || size !== w) throw new InputError('SET_CHUNK', `${file}: primary HDU has shape [${img.shape}], expected N × bands × size × size`, { file });
    const bands = Array.from({ length: nb! }, (_, i) => h0.header.getString(`BAND${i + 1}`) ?? `band${i + 1}`);
    const truth = f.find('TRUTH');
    if (!truth) throw new InputError('SET_CHUNK', `${file}: no TRUTH table`, { file, hdu: 'TRUTH' });
    const isLens = new FitsTable(f, truth).readNumericColumn('is_lens');
    if (isLens.length !== count) throw new InputError('SET_CHUNK', `${file}: TRUTH has ${isLens.length} rows for ${count} cutouts`, { file });
    const data = img.data instanceof Float32Array ? img.data : Float32Array.from(img.data as ArrayLike<number>);
    return {
      file,
      start: h0.header.getNumber('START') ?? h0.header.getNumber('CRVAL4') ?? 0,
      count: count!,
      bands,
      size: size!,
      images: data,
      labels: Array.from(isLens, (v) => (v ? 1 : 0)),
    };
  } finally {
    f.source.close?.();
  }
}

/** A simulated set on disk as training data (chunks re-read every epoch; ids = cutout index). */
export function simSetTrainingData(dir: string, limit = Infinity): TrainingData {
  const info = openSimSet(dir);
  const first = readSimChunk(info.files[0]!);
  const preset = info.manifest?.config?.preset;
  let pixelScale: number | null = null;
  try {
    pixelScale = preset ? getPreset(preset).pixelScale : null;
  } catch {
    pixelScale = null;
  }
  return {
    size: first.size,
    bands: first.bands,
    pixelScale,
    description: `simulated set ${dir} (${info.files.length} chunk files${Number.isFinite(limit) ? `, first ${limit} cutouts` : ''})`,
    source: { set: dir, manifest: info.manifest, ...(Number.isFinite(limit) ? { limit } : {}) },
    async *epoch(): AsyncIterable<LabelledBatch> {
      let seen = 0;
      for (const file of info.files) {
        if (seen >= limit) break;
        const c = readSimChunk(file);
        if (c.size !== first.size || c.bands.join() !== first.bands.join()) throw new InputError('SET_CHUNK', `${file}: ${c.size}px ${c.bands} differs from the first chunk`, { file });
        const n = Math.min(c.count, limit - seen);
        const per = c.bands.length * c.size * c.size;
        yield {
          images: channelsLast(c.images.subarray(0, n * per), n, c.bands.length, c.size),
          labels: c.labels.slice(0, n),
          ids: Array.from({ length: n }, (_, k) => c.start + k),
        };
        seen += n;
      }
    },
  };
}

/**
 * Every cutout's truth record of a chunk file (its TRUTH_JSON column; sets written before that
 * column existed give is_lens, kind and theta_E from the plain columns). Used for the per-class
 * breakdown of `lensdesk evaluate --set`.
 */
export function readSimTruthColumns(file: string): Record<string, number | string>[] {
  const f = openFitsFile(file);
  try {
    const hdu = f.find('TRUTH');
    if (!hdu) throw new InputError('SET_CHUNK', `${file}: no TRUTH table`, { file, hdu: 'TRUTH' });
    const t = new FitsTable(f, hdu);
    const names = t.columns.map((c) => c.name);
    const rows = t.readRows(0, t.nrows);
    const j = names.indexOf('TRUTH_JSON');
    if (j >= 0) {
      return rows.map((r, i) => {
        try {
          return JSON.parse(String(r[j]).trim()) as Record<string, number | string>;
        } catch {
          throw new InputError('SET_CHUNK', `${file}: TRUTH row ${i + 1} has no valid TRUTH_JSON`, { file, hdu: 'TRUTH', row: i + 1, field: 'TRUTH_JSON' });
        }
      });
    }
    const col = (n: string) => names.indexOf(n);
    return rows.map((r) => ({ is_lens: Number(r[col('is_lens')]), kind: col('kind') >= 0 ? String(r[col('kind')]).trim() : 'unknown', theta_E: col('theta_E') >= 0 ? Number(r[col('theta_E')]) : NaN }));
  } finally {
    f.source.close?.();
  }
}
