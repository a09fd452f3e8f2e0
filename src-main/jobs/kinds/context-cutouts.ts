// Context cutouts for stamps ingested from a folder (issue #19): when the survey images the stamps
// came from are known, each stamp with a sky position gets a wider field cut from them by WCS,
// as catalog ingest does. The images are opened once per job; only the needed pixels are read.
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { InputError } from '../../../src-core/errors';
import { makeCutout, type CutoutBand } from '../../../src-core/image/cutout';
import { skyRaDec } from '../../../src-core/units';
import type { Stamp } from '../../../src-core/stamps/stamp';
import { openCutoutBand } from '../../wcs/open-band';

export interface ContextImage {
  band: string;
  path: string;
  hdu?: number;
}

/** Checks and resolves the survey images a job names (`params.contextImages`). */
export function prepareContextImages(given: unknown, field = 'params.contextImages'): ContextImage[] | undefined {
  if (given === undefined) return undefined;
  const list = Array.isArray(given) ? (given as { band?: unknown; path?: unknown; hdu?: unknown }[]) : [];
  if (!list.length) throw new InputError('INVALID_PARAMS', 'context images: give at least one survey image (band=path)', { field });
  return list.map((im, i) => {
    const path = typeof im.path === 'string' ? resolve(im.path) : '';
    if (!path || !existsSync(path)) throw new InputError('INVALID_PARAMS', `context image ${i + 1} (${String(im.path)}) not found`, { field: `${field}.${i}.path` });
    return { band: typeof im.band === 'string' && im.band ? im.band : basename(path), path, ...(typeof im.hdu === 'number' ? { hdu: im.hdu } : {}) };
  });
}

export interface ContextSurvey {
  /** A size×size cutout centred on (ra, dec), or null when the position is off every image. */
  cut(ra: number, dec: number, size: number): Stamp | null;
  close(): void;
}

export function openContextSurvey(images: ContextImage[]): ContextSurvey {
  const bands: (CutoutBand & { close(): void })[] = [];
  try {
    for (const im of images) bands.push({ ...openCutoutBand(im.path, { hdu: im.hdu }), name: im.band });
  } catch (e) {
    for (const b of bands) b.close();
    throw e;
  }
  return {
    cut(ra, dec, size) {
      const centre = skyRaDec(ra, dec);
      const cut = makeCutout(bands, { centre, width: size, height: size });
      if (cut.bands.every((b) => !b.mask.some((m) => m === 1))) return null;
      return {
        width: size,
        height: size,
        bands: images.map((i) => i.band),
        planes: cut.bands.map((b) => Float32Array.from(b.data)),
        ra,
        dec,
        pixelScale: Math.abs(cut.wcs.pixelScaleArcsecAt(cut.centrePixel0)) || null,
      };
    },
    close() {
      for (const b of bands) b.close();
    },
  };
}
