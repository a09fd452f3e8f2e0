// Pixelised PSFs from FITS files, for `lensdesk fit`, `lensdesk simulate` and the Simulate job.
// Accepted: one odd, square, centred 2-D image (used for every band) or a cube bands × H × W in
// the band order of the cutouts / simulated bands. Each kernel is checked (src-core/lens/psf.ts
// checkPixelPsf: finite, sum > 0, peak within one pixel of the centre) and carries its origin
// (file name, SHA-256 of the file, plane) so a simulated set records where its PSFs came from.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError, LensDeskError } from '../../src-core/errors';
import { imageInfo, isImageHdu, readImage } from '../../src-core/fits/image';
import { checkPixelPsf, type PsfSpec } from '../../src-core/lens/psf';
import { openFitsFile } from '../fits/file-source';

export type PixelPsf = Extract<PsfSpec, { type: 'pixel' }>;

export interface PsfFile {
  path: string;
  /** One kernel per plane (a 2-D image gives one), with origin. */
  planes: PixelPsf[];
  width: number;
  sha256: string;
  warnings: string[];
}

export const sha256File = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Reads and checks every plane of a PSF FITS file (first HDU with image data). */
export function readPsfFile(path: string, label = basename(path)): PsfFile {
  let img;
  let sha256: string;
  try {
    const f = openFitsFile(path);
    try {
      const hdu = f.hdus().find((h) => isImageHdu(h) && imageInfo(f, h).shape.length > 0);
      if (!hdu) throw new InputError('PSF_SHAPE', `${label}: no image HDU with data`, { file: path });
      img = readImage(f, hdu);
    } finally {
      f.source.close?.();
    }
    sha256 = sha256File(path);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const why = e instanceof LensDeskError ? `${e.code}: ${e.message}` : (e as Error).message;
    throw new InputError('PSF_UNREADABLE', `${label}: cannot read the PSF FITS file (${why})`, { file: path });
  }
  const s = img.shape;
  if (s.length !== 2 && s.length !== 3) {
    throw new InputError('PSF_SHAPE', `${label}: PSF must be a 2-D image or a bands × H × W cube, got shape [${s.join(', ')}]`, { file: path });
  }
  const w = s[s.length - 1]!;
  if (s[s.length - 2] !== w || w % 2 !== 1) {
    throw new InputError('PSF_SHAPE', `${label}: PSF must be square with odd sides (centre on a pixel), got [${s.join(', ')}]`, { file: path });
  }
  const nPlanes = s.length === 2 ? 1 : s[0]!;
  const per = w * w;
  const warnings: string[] = [];
  const planes = Array.from({ length: nPlanes }, (_, k): PixelPsf => {
    const kernel = Float64Array.from(img.data.subarray(k * per, (k + 1) * per) as ArrayLike<number>);
    warnings.push(...checkPixelPsf(kernel, w, s.length === 2 ? label : `${label} plane ${k}`));
    return { type: 'pixel', width: w, kernel, origin: { file: basename(path), sha256, ...(s.length === 3 ? { plane: k } : {}) } };
  });
  return { path, planes, width: w, sha256, warnings };
}

/** One kernel per band from one file: a 2-D image for all bands or a cube with one plane per band. */
export function readPsf(path: string, bands: number | string[], label = basename(path)): PsfSpec[] {
  const names = typeof bands === 'number' ? Array.from({ length: bands }, (_, i) => `#${i + 1}`) : bands;
  return readPsfForBands(path, names, label).specs;
}

function readPsfForBands(path: string, bands: string[], label: string): { specs: PixelPsf[]; warnings: string[] } {
  const f = readPsfFile(path, label);
  if (f.planes.length !== 1 && f.planes.length !== bands.length) {
    throw new InputError('PSF_BANDS', `${label}: ${f.planes.length} PSF planes for ${bands.length} bands (${bands.join(',')}); give one plane or one per band`, { file: path, planes: f.planes.length, bands: bands.length });
  }
  return { specs: bands.map((_, b) => f.planes[f.planes.length === 1 ? 0 : b]!), warnings: f.warnings };
}

export interface PsfArgs {
  /** Per-band pixel PSFs (bands without one keep the model PSF). */
  override: Record<string, PixelPsf>;
  /** 'gaussian' or 'moffat' when one of the values named the model. */
  model?: 'gaussian' | 'moffat';
  warnings: string[];
}

/**
 * The values of repeated `--psf` options (or the Simulate job's `psf` param): `gaussian` / `moffat`
 * (the model for bands without a file), `FILE` (one image for every band, or a cube in the order of
 * `bands`), or `BAND=FILE` (that band; repeatable; band names must be simulated bands of `preset`).
 */
export function parsePsfArgs(values: string[], bands: string[], preset: string): PsfArgs {
  const out: PsfArgs = { override: {}, warnings: [] };
  const files = values.filter((v) => v !== 'gaussian' && v !== 'moffat');
  for (const v of values) if (v === 'gaussian' || v === 'moffat') out.model = v;
  const plain = files.filter((v) => !/^[A-Za-z]+=/.test(v));
  if (plain.length > 1 || (plain.length === 1 && files.length > 1)) {
    throw new InputError('PSF_ARGS', 'give either one PSF file for all bands (image or cube) or BAND=FILE per band, not both', { given: files.join(' ') });
  }
  if (plain.length === 1) {
    const r = readPsfForBands(plain[0]!, bands, basename(plain[0]!));
    bands.forEach((b, i) => { out.override[b] = r.specs[i]!; });
    out.warnings.push(...r.warnings);
    return out;
  }
  for (const v of files) {
    const eq = v.indexOf('=');
    const band = v.slice(0, eq), path = v.slice(eq + 1);
    if (!bands.includes(band)) {
      throw new InputError('PSF_BAND', `PSF for band '${band}' (${path}), but the simulated bands of ${preset} are ${bands.join(',')}`, { band, file: path });
    }
    if (out.override[band]) throw new InputError('PSF_BAND', `two PSF files for band '${band}'`, { band, file: path });
    const f = readPsfFile(path, `${basename(path)} (band ${band})`);
    if (f.planes.length !== 1) {
      throw new InputError('PSF_BANDS', `${basename(path)} (band ${band}): a per-band PSF must be one 2-D image, got ${f.planes.length} planes`, { band, file: path });
    }
    out.override[band] = f.planes[0]!;
    out.warnings.push(...f.warnings);
  }
  return out;
}
