// Plugs tile decompression into the FITS reader (src-core/fits/image.ts TileDecompressor):
// readImage / readImageSection / readCutout on a ZIMAGE = T HDU land here. Values follow
// astropy's rules for the presented image header (BSCALE/BZERO/BLANK; ZBLANK of an integer image
// acts as its BLANK), so a compressed file reads exactly like its uncompressed twin.
import type { FitsFile, Hdu } from '../file';
import type { FitsHeader } from '../header';
import type { ImageData, ImageInfo, TileDecompressor } from '../image';
import { allocPixels, decodeInto, pixelScaling, swapInPlace, type PixelScaling } from '../pixels';
import { decompressImage, type DecompressedImage } from './decompress';
import { imageHeaderFromCompressed } from './image-header';
import { compressedAxes } from './params';
import type { CompressedTableSource } from './table';

const headerCache = new WeakMap<FitsHeader, FitsHeader>();

/** The image header astropy presents for a compressed HDU (cached per table header). */
export function compressedImageHeader(hdu: Hdu): FitsHeader {
  let h = headerCache.get(hdu.header);
  if (!h) {
    h = imageHeaderFromCompressed(hdu.header);
    headerCache.set(hdu.header, h);
  }
  return h;
}

/** A CompressedTableSource reading the HDU's data unit through FitsFile (bounds-checked). */
export function tableSource(file: FitsFile, hdu: Hdu): CompressedTableSource {
  return {
    header: hdu.header,
    readData: (offset, length) => file.readData(hdu, offset, length),
    file: file.name,
    hdu: hdu.index,
    dataOffset: hdu.dataOffset,
    dataSize: Math.max(0, Math.min(hdu.dataSize, file.source.size - hdu.dataOffset)),
  };
}

function scalingOf(hdu: Hdu): PixelScaling {
  const img = compressedImageHeader(hdu);
  const zbitpix = Number(hdu.header.getNumber('ZBITPIX', 0));
  const s = pixelScaling(img, zbitpix);
  // An integer image's ZBLANK marks undefined pixels like BLANK (cfitsio imcomp_decompress_tile).
  const zblank = hdu.header.getInteger('ZBLANK');
  if (zbitpix > 0 && s.blank === undefined && zblank !== undefined && s.mode !== 'unsigned') {
    const dtype = zbitpix > 16 ? 'float64' : 'float32';
    return { ...s, blank: BigInt(zblank), dtype, mode: 'float' };
  }
  return s;
}

/** Applies BSCALE/BZERO/BLANK to stored values (the rare path: most images are 'raw'). */
function present(d: DecompressedImage, s: PixelScaling): ImageData {
  const shape = [...d.region.size].reverse();
  if (s.mode === 'raw') return { shape, dtype: s.dtype, data: d.data };
  const size = Math.abs(d.bitpix) / 8;
  const be = new Uint8Array(d.data.buffer.slice(d.data.byteOffset, d.data.byteOffset + d.data.byteLength));
  swapInPlace(be, size); // host order → big-endian, which decodeInto expects
  const out = allocPixels(s.dtype, d.data.length);
  decodeInto(be, s, out, 0);
  return { shape, dtype: s.dtype, data: out };
}

export const tileDecompressor: TileDecompressor = {
  imageInfo(file: FitsFile, hdu: Hdu): ImageInfo {
    const s = scalingOf(hdu);
    // Validated (0 ≤ ZNAXIS ≤ 999) before the loop: a hostile ZNAXIS must not spin here.
    const shape = compressedAxes(hdu.header, { file: file.name, hdu: hdu.index }).reverse();
    return { bitpix: s.bitpix, shape, dtype: s.dtype, scaling: s, compressed: true };
  },
  readImage(file: FitsFile, hdu: Hdu): ImageData {
    return present(decompressImage(tableSource(file, hdu)), scalingOf(hdu));
  },
  /** start/size in numpy order (slowest axis first), like readImageSection. */
  readSection(file: FitsFile, hdu: Hdu, start: number[], size: number[]): ImageData {
    const region = { start: [...start].reverse(), size: [...size].reverse() };
    return present(decompressImage(tableSource(file, hdu), region), scalingOf(hdu));
  },
};
