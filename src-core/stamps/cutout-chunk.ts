// A FITS file holding many cutouts, as `lensdesk simulate` writes them (src-core/lens/fits-cube.ts):
// primary HDU a 4-D float32 cube NAXIS4 = N cutouts, NAXIS3 = bands, NAXIS2 = H, NAXIS1 = W, the band
// of each plane in BANDS = 'g,r,i,z' (or BAND1, BAND2, …), an optional VARIANCE extension of the same
// shape, START = index of the first cutout, SEED and PRESET. `lensdesk ingest` reads each cutout as one
// source, so LensDesk's own training sets are valid inputs to its other commands (issue 19).
// Sky positions: the cube's WCS gives one nominal position for all cutouts; cutout i is placed at the
// i-th point of a patch around it (src-core/lens/sky-patch.ts), the rule the app's simulated sets use,
// so ingested cutouts get distinct positions.
import { FitsError } from '../errors';
import { FitsFile, imageInfo, isImageHdu, readImageSection, type Hdu } from '../fits/index';
import type { FitsHeader } from '../fits/header';
import { PATCH_RADIUS_DEG, positionInPatch } from '../lens/sky-patch';
import type { Stamp } from './stamp';
import { applyBandsOption, cubeBands } from './band-keywords';
import { keywordPixelScale, linearPixelScale } from '../wcs/pixel-scale';

export interface CutoutChunk {
  file: FitsFile;
  primary: Hdu;
  variance: Hdu | null;
  count: number;
  bands: string[];
  width: number;
  height: number;
  /** Index of the first cutout in the simulated set (START), 0 when absent. */
  start: number;
  /** What named the bands (band-keywords.ts), for the ingest report. */
  bandSource: string;
  /** A name prefix naming the set: 'sim <preset> s<seed>' for LensDesk's own chunks, else the file's name. */
  prefix: string;
}

/** The chunk layout of a file whose first image HDU is 4-D, else null (a one-source stamp). */
export function openCutoutChunk(file: FitsFile, opts: { bands?: string[] } = {}): CutoutChunk | null {
  const images = [...file.hdus()].filter((h) => isImageHdu(h) && imageInfo(file, h).shape.length >= 2);
  const primary = images[0];
  if (!primary) return null;
  const shape = imageInfo(file, primary).shape;
  if (shape.length !== 4) return null;
  const [count, nb, height, width] = shape as [number, number, number, number];
  if (!(count > 0 && nb > 0)) throw new FitsError('STAMP_CHUNK', `${file.name}: HDU ${primary.index} is an empty cube ${shape.join('×')}`, { file: file.name, hdu: primary.index });
  const h = primary.header;
  const variance = images.find((x) => (x.header.getString('EXTNAME') ?? '').toUpperCase() === 'VARIANCE' && imageInfo(file, x).shape.join() === shape.join()) ?? null;
  const seed = h.getNumber('SEED');
  const preset = h.getString('PRESET');
  const prefix = seed !== undefined ? `sim ${(preset ?? '').trim() || 'set'} s${seed}` : file.name.replace(/^.*[\\/]/, '').replace(/\.(fits?|fts)(\.gz|\.fz)?$/i, '');
  const at = { file: file.name, hdu: primary.index };
  const named = applyBandsOption(cubeBands(h, nb, at), opts.bands, at);
  return { file, primary, variance, count, bands: named.bands, bandSource: named.source, width, height, start: h.getNumber('START') ?? 0, prefix };
}

/** Cutout j (0-based in the file) as a stamp, with its set index and a name unique to its set. */
export function readChunkCutout(c: CutoutChunk, j: number): Stamp & { index: number; name: string } {
  const nb = c.bands.length;
  const n = c.width * c.height;
  const section = (h: Hdu) => {
    const d = readImageSection(c.file, h, [j, 0, 0, 0], [1, nb, c.height, c.width]).data as ArrayLike<number>;
    const f = d instanceof Float32Array ? d : Float32Array.from(d);
    return Array.from({ length: nb }, (_, b) => f.slice(b * n, (b + 1) * n));
  };
  const h = c.primary.header;
  const index = c.start + j;
  const ctype1 = h.getString('CTYPE1') ?? '';
  const ra0 = h.getNumber('RA') ?? (ctype1.startsWith('RA--') ? h.getNumber('CRVAL1') : undefined);
  const dec0 = h.getNumber('DEC') ?? (ctype1.startsWith('RA--') ? h.getNumber('CRVAL2') : undefined);
  const pos = ra0 !== undefined && dec0 !== undefined ? positionInPatch({ ra: ra0, dec: dec0, radiusDeg: PATCH_RADIUS_DEG }, index) : null;
  return {
    width: c.width,
    height: c.height,
    bands: c.bands,
    planes: section(c.primary),
    ...(c.variance ? { variance: section(c.variance) } : {}),
    ra: pos?.ra ?? null,
    dec: pos?.dec ?? null,
    pixelScale: keywordPixelScale(h)?.scale ?? linearPixelScale(h) ?? null,
    index,
    name: `${c.prefix} #${index}`,
  };
}
