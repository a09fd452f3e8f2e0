// Real galaxy postage stamps for the simulator's STAMP_SOURCE profile, read from FITS: a folder of
// files (each image HDU a 2-D stamp or an N × H × W cube of N stamps) or one such file, or GalSim
// real-galaxy catalogs (a catalog file, or a folder holding catalogs: the COSMOS samples' format). The pixels go into
// shared memory (SharedArrayBuffer), so the simulate worker pool's structured clone of the
// configuration shares them with every worker instead of copying them per chunk, and nothing is
// re-read per cutout. Pixel scale: the option when given, else the WCS (|det CD|^½ or
// |CDELT1·CDELT2|^½ with PC, in deg → arcsec), else a PIXSCALE keyword (arcsec).
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { InputError, LensDeskError, type ErrorDetails } from '../../src-core/errors';
import { imageInfo, isImageHdu, readImage } from '../../src-core/fits/image';
import type { SourceStamp, StampLibrary } from '../../src-core/lens/profiles/stamp-source';
import { openFitsFile } from '../fits/file-source';
import { listFitsFiles } from '../jobs/kinds/ingest';
import { sha256File } from './psf-file';
import { headerPixelScale } from '../../src-core/wcs/pixel-scale';
import { isRealGalaxyCatalog, readRealGalaxyCatalog } from './real-galaxy-catalog';

export interface StampFileRecord {
  file: string;
  sha256: string;
  stamps: number;
  pixelScale: number;
}

export interface StampLibraryRead {
  library: StampLibrary;
  /** Per file: name (relative to the folder), SHA-256, stamps, arcsec/pixel (for the manifest). */
  files: StampFileRecord[];
  path: string;
}

export interface StampReadOptions {
  /** Arcsec per stamp pixel for every file (overrides the WCS). */
  scale?: number;
  /** Fraction of lenses with a stamp source (default 1). */
  fraction?: number;
  /** Refuse libraries above this many pixels (default 5·10⁸: 2 GB of float32). */
  maxPixels?: number;
}


const AUXILIARY = new Set(['PSF', 'VARIANCE', 'VAR', 'WEIGHT', 'WHT', 'IVAR', 'INVVAR', 'MASK', 'BADPIX', 'DQ', 'ERR', 'SIGMA', 'NOISE']);

function readOne(path: string, name: string, o: StampReadOptions): { stamps: SourceStamp[]; pixelScale: number } {
  try {
    const f = openFitsFile(path);
    try {
      // Every image HDU with data: a file may hold one stamp per HDU (GalSim's image files do). HDUs named
      // for what goes with a stamp (its PSF, noise, mask) are not stamps.
      const hdus = f.hdus().filter((h) => isImageHdu(h) && imageInfo(f, h).shape.length > 0 && !AUXILIARY.has(h.name.toUpperCase()));
      if (!hdus.length) throw new InputError('STAMP_FILE', `${name}: no image HDU with data`, { file: path });
      const stamps: SourceStamp[] = [];
      let scale0 = 0;
      for (const hdu of hdus) {
        const img = readImage(f, hdu);
        const s = img.shape;
        const where = hdus.length > 1 ? `${name} HDU ${hdu.index}` : name;
        if (s.length !== 2 && s.length !== 3) {
          throw new InputError('STAMP_FILE', `${where}: a stamp must be H × W or a cube N × H × W, got [${s.join(', ')}]`, { file: path, hdu: hdu.index });
        }
        const [h, w] = s.slice(-2) as [number, number];
        if (h < 2 || w < 2) throw new InputError('STAMP_FILE', `${where}: stamp ${h} × ${w} is too small`, { file: path, hdu: hdu.index });
        const pixelScale = o.scale ?? headerPixelScale(hdu.header) ?? headerPixelScale(f.hdu(0).header);
        if (!(pixelScale! > 0)) {
          throw new InputError('STAMP_SCALE', `${where}: no pixel scale (CD, CDELT or PIXSCALE); give --source-stamp-scale ARCSEC`, { file: path, hdu: hdu.index });
        }
        scale0 ||= pixelScale!;
        const n = s.length === 3 ? s[0]! : 1;
        for (let k = 0; k < n; k++) {
          const label = s.length === 3 ? `${where}[${k}]` : where;
          stamps.push(toStamp(label, img.data as ArrayLike<number>, k * h * w, w, h, pixelScale!, { file: path, hdu: hdu.index, plane: k }));
        }
      }
      return { stamps, pixelScale: scale0 };
    } finally {
      f.source.close?.();
    }
  } catch (e) {
    throw unreadable(e, name, path);
  }
}

/** One stamp in shared memory; NaN/blank pixels carry no light; a stamp without positive flux is refused. */
function toStamp(label: string, data: ArrayLike<number>, offset: number, w: number, h: number, pixelScale: number, where: ErrorDetails): SourceStamp {
  const per = w * h, out = new Float32Array(new SharedArrayBuffer(per * 4));
  let positive = 0;
  for (let i = 0; i < per; i++) {
    const v = Number(data[offset + i]);
    out[i] = Number.isFinite(v) ? v : 0;
    if (v > 0) positive += v;
  }
  if (!(positive > 0)) throw new InputError('STAMP_FILE', `${label}: stamp has no positive flux`, where);
  return { name: label, width: w, height: h, pixelScale, data: out };
}

function unreadable(e: unknown, name: string, path: string): InputError {
  if (e instanceof InputError) return e;
  const why = e instanceof LensDeskError ? `${e.code}: ${e.message}` : (e as Error).message;
  return new InputError('STAMP_UNREADABLE', `${name}: cannot read the stamp FITS file (${why})`, { file: path });
}

/**
 * The galaxies of a GalSim real-galaxy catalog (real-galaxy-catalog.ts) as source stamps: each row's
 * GAL_FILENAME[GAL_HDU] at its PIXEL_SCALE (or `o.scale`). Their HST PSF is left in: at ground-based
 * seeing it is negligible against the survey PSF the simulator convolves with.
 */
function readCatalog(path: string, name: string, o: StampReadOptions): { stamps: SourceStamp[]; pixelScale: number } {
  try {
    const { rows, image, close } = readRealGalaxyCatalog(path, 'STAMP_FILE');
    try {
      if (!rows.length) throw new InputError('STAMP_FILE', `${name}: the real-galaxy catalog has no rows`, { file: path });
      const stamps = rows.map((r, i) => {
        const scale = o.scale ?? r.scale;
        if (!(scale > 0)) throw new InputError('STAMP_SCALE', `${name} row ${i}: PIXEL_SCALE ${r.scale} is not positive; give --source-stamp-scale ARCSEC`, { file: path, row: i, field: 'PIXEL_SCALE' });
        const img = image(r.file, r.hdu, i);
        return toStamp(`${name} row ${i} (${r.file}[${r.hdu}], IDENT ${r.ident})`, img.data, 0, img.width, img.height, scale, { file: path, row: i });
      });
      return { stamps, pixelScale: stamps[0]!.pixelScale };
    } finally {
      close();
    }
  } catch (e) {
    throw unreadable(e, name, path);
  }
}

/** Reads every stamp of a folder (sorted file names, not recursive) or of one file. */
export function readStampLibrary(pathIn: string, o: StampReadOptions = {}): StampLibraryRead {
  const path = resolve(pathIn);
  if (!existsSync(path)) throw new InputError('STAMP_PATH', `source stamps: ${path} does not exist`, { path });
  if (o.scale !== undefined && !(o.scale > 0 && o.scale < 60)) {
    throw new InputError('STAMP_SCALE', `source stamp scale must be in (0, 60) arcsec, got ${o.scale}`, { scale: o.scale });
  }
  const isDir = statSync(path).isDirectory();
  let list = isDir ? listFitsFiles(path, false) : [path];
  if (!list.length) throw new InputError('STAMP_PATH', `source stamps: no FITS files in ${path}`, { path });
  // A folder holding GalSim real-galaxy catalogs: the catalogs name the galaxies (their image and PSF
  // files are not stamps of their own).
  const catalogs = new Set(list.filter(isRealGalaxyCatalog));
  if (isDir && catalogs.size) list = list.filter((f) => catalogs.has(f));
  const stamps: SourceStamp[] = [];
  const files: StampFileRecord[] = [];
  const maxPixels = o.maxPixels ?? 5e8;
  let pixels = 0;
  for (const file of list) {
    const name = isDir ? file.slice(path.length + 1) : basename(file);
    const r = catalogs.has(file) ? readCatalog(file, name, o) : readOne(file, name, o);
    for (const s of r.stamps) pixels += s.width * s.height;
    if (pixels > maxPixels) throw new InputError('STAMP_TOO_MANY', `source stamps: more than ${maxPixels} pixels (at ${name}); use fewer or smaller stamps`, { path, file });
    stamps.push(...r.stamps);
    files.push({ file: name, sha256: sha256File(file), stamps: r.stamps.length, pixelScale: r.pixelScale });
  }
  // Content id (SHA-256 hex, fits a FITS string card): the files' names, hashes and scales and the
  // scale option, so equal ids mean equal stamps.
  const id = createHash('sha256').update(JSON.stringify({ files, scale: o.scale ?? null })).digest('hex');
  return { library: { id, fraction: o.fraction ?? 1, stamps }, files, path };
}
