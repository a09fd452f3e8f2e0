// The on-disk form of a stamp: one FITS file, primary HDU a float32 cube NAXIS3 = bands,
// NAXIS2 = height, NAXIS1 = width, with BANDS = 'g,r,i,z', a TAN WCS centred on the source, and
// an optional VARIANCE cube extension. Reading is more liberal: a cube, a single 2-D image, or
// one 2-D image HDU per band (FILTER/BAND keyword or EXTNAME naming the band) all become a Stamp.
import { FitsError } from '../errors';
// Installs the tile decompressor so RICE/GZIP/HCOMPRESS/PLIO stamps decode too.
import '../fits/compress/index';
import { FitsFile, imageInfo, isImageHdu, readImage, type ByteSource, type Hdu } from '../fits/index';
import type { CardInput } from '../fits/card-format';
import type { FitsHeader } from '../fits/header';
import { writeFits, type HduSpec } from '../fits/writer';
import type { Stamp } from './stamp';
import { applyBandsOption, cubeBands, perHduBands, type BandDecision } from './band-keywords';
import { keywordPixelScale, linearPixelScale } from '../wcs/pixel-scale';

export function encodeStamp(s: Stamp, extraCards: CardInput[] = []): Uint8Array {
  const n = s.width * s.height;
  const cube = (planes: Float32Array[]) => {
    const a = new Float32Array(n * planes.length);
    planes.forEach((p, i) => a.set(p.subarray(0, n), i * n));
    return a;
  };
  const wcs: CardInput[] =
    s.ra !== undefined && s.ra !== null && s.dec !== undefined && s.dec !== null
      ? [
          { keyword: 'WCSAXES', value: 2 },
          { keyword: 'CTYPE1', value: 'RA---TAN' },
          { keyword: 'CTYPE2', value: 'DEC--TAN' },
          { keyword: 'CRPIX1', value: (s.width + 1) / 2, type: 'float' },
          { keyword: 'CRPIX2', value: (s.height + 1) / 2, type: 'float' },
          { keyword: 'CRVAL1', value: s.ra, type: 'float', comment: '[deg] RA of the stamp centre' },
          { keyword: 'CRVAL2', value: s.dec, type: 'float', comment: '[deg] Dec of the stamp centre' },
          // RA increases to the east = to the left on a north-up image: negative CDELT1.
          { keyword: 'CDELT1', value: -(s.pixelScale ?? 0.2) / 3600, type: 'float' },
          { keyword: 'CDELT2', value: (s.pixelScale ?? 0.2) / 3600, type: 'float' },
          { keyword: 'CUNIT1', value: 'deg' },
          { keyword: 'CUNIT2', value: 'deg' },
          { keyword: 'RADESYS', value: 'ICRS' },
          { keyword: 'RA', value: s.ra, type: 'float', comment: '[deg] ICRS' },
          { keyword: 'DEC', value: s.dec, type: 'float', comment: '[deg] ICRS' },
        ]
      : [];
  const meta: CardInput[] = [
    { keyword: 'BANDS', value: s.bands.join(','), comment: 'band of each plane (NAXIS3 order)' },
    ...(s.pixelScale ? [{ keyword: 'PIXSCALE', value: s.pixelScale, type: 'float' as const, comment: '[arcsec/pixel]' }] : []),
  ];
  const hdus: HduSpec[] = [
    { kind: 'image', shape: [s.planes.length, s.height, s.width], data: cube(s.planes), cards: [...wcs, ...meta, ...extraCards] },
  ];
  if (s.variance?.length) {
    hdus.push({
      kind: 'image',
      extname: 'VARIANCE',
      shape: [s.variance.length, s.height, s.width],
      data: cube(s.variance),
      cards: [...meta, { keyword: 'BUNIT', value: 'variance of the primary' }],
    });
  }
  return writeFits(hdus);
}

function toF32(a: ArrayLike<number>): Float32Array {
  return a instanceof Float32Array ? a : Float32Array.from(a);
}

/** A decoded stamp with the primary image header (for the header view and the WCS under the cursor). */
export type DecodedStamp = Stamp & { header: FitsHeader; /** What named the bands (band-keywords.ts). */ bandSource: string };

export interface DecodeOptions {
  /** The user's `--bands` (plane order): names unnamed planes, must agree with named ones. */
  bands?: string[];
}

export function decodeStamp(src: ByteSource, opts: DecodeOptions = {}): DecodedStamp {
  const file = new FitsFile(src);
  const images: Hdu[] = [];
  let variance: Hdu | undefined;
  let primaryHeader: FitsHeader | null = null;
  for (const h of file.hdus()) {
    if (h.index === 0) primaryHeader = h.header;
    if (!isImageHdu(h)) continue;
    const info = imageInfo(file, h);
    if (info.shape.length < 2) continue;
    if ((h.header.getString('EXTNAME') ?? '').toUpperCase() === 'VARIANCE') variance = h;
    else images.push(h);
  }
  if (!images.length) {
    throw new FitsError('STAMP_NO_IMAGE', `${src.name}: no 2-D or 3-D image HDU found`, { file: src.name });
  }
  const first = images[0]!;
  const shape0 = imageInfo(file, first).shape;
  if (shape0.length === 4) {
    // N cutouts in one cube (`lensdesk simulate`): one source each, read with src-core/stamps/cutout-chunk.ts.
    throw new FitsError('STAMP_CHUNK', `${src.name}: HDU ${first.index} holds ${shape0[0]} cutouts (N × bands × H × W), not one stamp`, { file: src.name, hdu: first.index });
  }
  let width: number, height: number;
  let planes: Float32Array[];
  let named: BandDecision;
  if (shape0.length === 3) {
    const [nb, h, w] = shape0 as [number, number, number];
    const data = toF32(readImage(file, first).data as ArrayLike<number>);
    planes = Array.from({ length: nb }, (_, b) => data.slice(b * h * w, (b + 1) * h * w));
    width = w;
    height = h;
    named = cubeBands(first.header, nb, { file: src.name, hdu: first.index });
  } else {
    [height, width] = shape0.slice(-2) as [number, number];
    const same = images.filter((h) => {
      const s = imageInfo(file, h).shape;
      return s.length === 2 && s[0] === height && s[1] === width;
    });
    planes = same.map((h) => toF32(readImage(file, h).data as ArrayLike<number>));
    named = perHduBands(same, primaryHeader, src.name);
  }
  const { bands, source: bandSource } = applyBandsOption(named, opts.bands, { file: src.name, hdu: first.index });
  const hd = first.header;
  const ctype1 = hd.getString('CTYPE1') ?? '';
  const ra = hd.getNumber('RA') ?? (ctype1.startsWith('RA--') ? hd.getNumber('CRVAL1') : undefined) ?? null;
  const dec = hd.getNumber('DEC') ?? (ctype1.startsWith('RA--') ? hd.getNumber('CRVAL2') : undefined) ?? null;
  const pixelScale = keywordPixelScale(hd)?.scale ?? linearPixelScale(hd) ?? null;
  let varPlanes: Float32Array[] | undefined;
  if (variance) {
    const v = toF32(readImage(file, variance).data as ArrayLike<number>);
    const n = width * height;
    if (v.length === n * planes.length) varPlanes = planes.map((_, b) => v.slice(b * n, (b + 1) * n));
  }
  return { width, height, bands, planes, variance: varPlanes, ra, dec, pixelScale, header: hd, bandSource };
}
