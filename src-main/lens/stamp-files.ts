// Real galaxy postage stamps for the simulator's STAMP_SOURCE profile, read from FITS: a folder of
// files (each a 2-D image, or an N × H × W cube of N stamps) or one such file. The pixels go into
// shared memory (SharedArrayBuffer), so the simulate worker pool's structured clone of the
// configuration shares them with every worker instead of copying them per chunk, and nothing is
// re-read per cutout. Pixel scale: the option when given, else the WCS (|det CD|^½ or
// |CDELT1·CDELT2|^½ with PC, in deg → arcsec), else a PIXSCALE keyword (arcsec).
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { InputError, LensDeskError } from '../../src-core/errors';
import type { FitsHeader } from '../../src-core/fits/header';
import { imageInfo, isImageHdu, readImage } from '../../src-core/fits/image';
import type { SourceStamp, StampLibrary } from '../../src-core/lens/profiles/stamp-source';
import { openFitsFile } from '../fits/file-source';
import { listFitsFiles } from '../jobs/kinds/ingest';
import { sha256File } from './psf-file';
import { headerPixelScale } from '../../src-core/wcs/pixel-scale';

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


function readOne(path: string, name: string, o: StampReadOptions): { stamps: SourceStamp[]; pixelScale: number } {
  try {
    const f = openFitsFile(path);
    try {
      const hdu = f.hdus().find((h) => isImageHdu(h) && imageInfo(f, h).shape.length > 0);
      if (!hdu) throw new InputError('STAMP_FILE', `${name}: no image HDU with data`, { file: path });
      const img = readImage(f, hdu);
      const s = img.shape;
      if (s.length !== 2 && s.length !== 3) {
        throw new InputError('STAMP_FILE', `${name}: a stamp must be H × W or a cube N × H × W, got [${s.join(', ')}]`, { file: path });
      }
      const [h, w] = s.slice(-2) as [number, number];
      if (h < 2 || w < 2) throw new InputError('STAMP_FILE', `${name}: stamp ${h} × ${w} is too small`, { file: path });
      const pixelScale = o.scale ?? headerPixelScale(hdu.header) ?? headerPixelScale(f.hdu(0).header);
      if (!(pixelScale! > 0)) {
        throw new InputError('STAMP_SCALE', `${name}: no pixel scale (CD, CDELT or PIXSCALE); give --source-stamp-scale ARCSEC`, { file: path });
      }
      const n = s.length === 3 ? s[0]! : 1;
      const per = h * w;
      const stamps: SourceStamp[] = [];
      for (let k = 0; k < n; k++) {
        const data = new Float32Array(new SharedArrayBuffer(per * 4));
        let positive = 0;
        for (let i = 0; i < per; i++) {
          const v = Number(img.data[k * per + i]);
          data[i] = Number.isFinite(v) ? v : 0; // NaN/blank pixels: no light
          if (v > 0) positive += v;
        }
        const label = s.length === 3 ? `${name}[${k}]` : name;
        if (!(positive > 0)) throw new InputError('STAMP_FILE', `${label}: stamp has no positive flux`, { file: path, plane: k });
        stamps.push({ name: label, width: w, height: h, pixelScale: pixelScale!, data });
      }
      return { stamps, pixelScale: pixelScale! };
    } finally {
      f.source.close?.();
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const why = e instanceof LensDeskError ? `${e.code}: ${e.message}` : (e as Error).message;
    throw new InputError('STAMP_UNREADABLE', `${name}: cannot read the stamp FITS file (${why})`, { file: path });
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
  const list = isDir ? listFitsFiles(path, false) : [path];
  if (!list.length) throw new InputError('STAMP_PATH', `source stamps: no FITS files in ${path}`, { path });
  const stamps: SourceStamp[] = [];
  const files: StampFileRecord[] = [];
  const maxPixels = o.maxPixels ?? 5e8;
  let pixels = 0;
  for (const file of list) {
    const name = isDir ? file.slice(path.length + 1) : basename(file);
    const r = readOne(file, name, o);
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
