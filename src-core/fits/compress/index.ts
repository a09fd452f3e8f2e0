// Tile-compressed images (FITS 4.0 §10; Pence et al. 2010; cfitsio is the reference).
// Importing this module installs the decompressor into the FITS reader, so readImage,
// readImageSection and readCutout work on ZIMAGE = T HDUs (a cutout decodes only its tiles).
import { setTileDecompressor } from '../image';
import { tileDecompressor } from './adapter';

export { decompressImage, MAX_OUTPUT_BYTES } from './decompress';
export type { DecompressedImage, ImageRegion, PixelArray as CompressedPixelArray } from './decompress';
export type { CompressedTableSource } from './table';
export { compressionParams, MAX_TILE_PIXELS } from './params';
export type { CompressionParams, CompressionType } from './params';
export { imageHeaderFromCompressed, isCompressionReserved } from './image-header';
export { compressedImageHeader, tableSource, tileDecompressor } from './adapter';
export { riceDecode, riceEncode } from './rice';
export { hcompressDecode } from './hcompress';
export { plioDecode } from './plio';
export { inflateTile, shuffleBytes, unshuffleBytes } from './gzip';
export { ditherTable, unquantizeTile, N_RANDOM, NULL_VALUE, ZERO_VALUE } from './dither';
export type { QuantizeMethod } from './dither';
export { TileCodecError } from './errors';

/** Installs tile decompression into src-core/fits/image.ts (done once on import). */
export function installTileDecompression(): void {
  setTileDecompressor(tileDecompressor);
}
installTileDecompression();
