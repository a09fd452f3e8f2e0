// One catalog row's stamp, cut from per-band survey images by WCS (makeCutout, resampled onto the
// first band's grid) and stored as float32 planes, as `lensdesk ingest --catalog-file` writes it to
// a stamp file. Shared by that ingest, by sharded scoring of a catalog plan (stamps cut on the
// node, in memory) and by merge's import of a catalog plan's top rows, so the three see the same pixels.
import type { SkyRaDec } from '../units';
import type { Stamp } from '../stamps/stamp';
import { makeCutout, type CutoutBand, type Resampling } from './cutout';

/**
 * The stamp at `centre`, `size`×`size` pixels of the first band's grid, planes in `bands` order;
 * null when no pixel of any band lies on its image (the row is outside the survey images).
 */
export function cutCatalogStamp(bands: readonly CutoutBand[], names: string[], centre: SkyRaDec, size: number, resampling: Resampling): Stamp | null {
  const cut = makeCutout(bands, { centre, width: size, height: size, resampling });
  if (cut.bands.every((b) => !b.mask.some((m) => m === 1))) return null;
  const pixelScale = Math.abs(cut.wcs.pixelScaleArcsecAt(cut.centrePixel0)) || null;
  return { width: size, height: size, bands: names, planes: cut.bands.map((b) => Float32Array.from(b.data)), ra: centre.ra, dec: centre.dec, pixelScale };
}
