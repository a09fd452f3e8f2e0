// GalSim's "real galaxy catalog" (how users hold the COSMOS training samples; GalSim's RealGalaxyCatalog):
// a FITS BINTABLE with one row per galaxy naming its image and PSF as GAL_FILENAME / GAL_HDU and
// PSF_FILENAME / PSF_HDU (files beside the catalog, 0-based HDU numbers), with PIXEL_SCALE (arcsec) and
// NOISE_VARIANCE. One reader for the simulator's real-galaxy sources (stamp-files.ts) and the Flow-VAE's
// training data (generative/stamp-data.ts).
import { dirname, join } from 'node:path';
import { InputError } from '../../src-core/errors';
import { readImage } from '../../src-core/fits/image';
import { FitsTable } from '../../src-core/fits/table';
import { openFitsFile } from '../fits/file-source';

export interface RealGalaxyRow {
  file: string;
  hdu: number;
  psfFile: string;
  psfHdu: number;
  /** Arcsec per pixel. */
  scale: number;
  noiseVar: number;
  ident: string;
}

export interface CatalogImage {
  data: Float64Array;
  width: number;
  height: number;
}

const REQUIRED = ['GAL_FILENAME', 'GAL_HDU', 'PSF_FILENAME', 'PSF_HDU', 'PIXEL_SCALE', 'NOISE_VARIANCE'];

/** True when the file's first BINTABLE has the catalog's GAL_FILENAME and GAL_HDU columns (header reads only). */
export function isRealGalaxyCatalog(path: string): boolean {
  try {
    const f = openFitsFile(path);
    try {
      const hdu = f.hdus().find((h) => h.type === 'bintable');
      if (!hdu) return false;
      const names = new FitsTable(f, hdu).columns.map((c) => c.name.toUpperCase());
      return names.includes('GAL_FILENAME') && names.includes('GAL_HDU');
    } finally {
      f.source.close?.();
    }
  } catch {
    return false;
  }
}

/**
 * The catalog's rows, checked: every required column present (the error names the missing one), and the
 * image of a row readable through `image` (a 2-D HDU; the error names catalog row, file and HDU). Call
 * `close` when done.
 */
export function readRealGalaxyCatalog(catalog: string, code = 'RGC'): { rows: RealGalaxyRow[]; image: (file: string, hdu: number, row: number) => CatalogImage; close: () => void } {
  const dir = dirname(catalog);
  const f = openFitsFile(catalog);
  let rows: RealGalaxyRow[];
  try {
    const hdu = f.hdus().find((h) => h.type === 'bintable');
    if (!hdu) throw new InputError(code, `${catalog}: no BINTABLE (not a GalSim real-galaxy catalog)`, { file: catalog });
    const t = new FitsTable(f, hdu);
    for (const c of REQUIRED) {
      if (!t.columns.some((x) => x.name.toUpperCase() === c)) {
        throw new InputError(code, `${catalog} HDU ${hdu.index}: no column ${c} (GalSim real-galaxy catalog columns: ${REQUIRED.join(', ')})`, { file: catalog, hdu: hdu.index, field: c });
      }
    }
    const hasIdent = t.columns.some((x) => x.name.toUpperCase() === 'IDENT');
    rows = Array.from({ length: t.nrows }, (_, r) => ({
      file: String(t.cell(r, 'GAL_FILENAME')).trim(), hdu: Number(t.cell(r, 'GAL_HDU')), psfFile: String(t.cell(r, 'PSF_FILENAME')).trim(), psfHdu: Number(t.cell(r, 'PSF_HDU')),
      scale: Number(t.cell(r, 'PIXEL_SCALE')), noiseVar: Number(t.cell(r, 'NOISE_VARIANCE')), ident: String(hasIdent ? t.cell(r, 'IDENT') : r),
    }));
  } finally {
    f.source.close?.();
  }
  // Files stay open for the whole read: COSMOS-style catalogs put ~1 000 galaxies in each image file, and
  // re-opening (re-scanning every HDU header) per row would be quadratic.
  const open = new Map<string, ReturnType<typeof openFitsFile>>();
  const image = (file: string, h: number, row: number): CatalogImage => {
    const path = join(dir, file);
    let g = open.get(path);
    if (!g) open.set(path, (g = openFitsFile(path)));
    const hdu = g.hdus()[h];
    if (!hdu || hdu.naxes.length !== 2) throw new InputError(code, `${catalog} row ${row}: ${file} HDU ${h} is not a 2-D image`, { file: path, hdu: h, row });
    const img = readImage(g, hdu);
    return { data: Float64Array.from(img.data as ArrayLike<number>, Number), width: img.shape[1]!, height: img.shape[0]! };
  };
  const close = () => {
    for (const g of open.values()) g.source.close?.();
    open.clear();
  };
  return { rows, image, close };
}
