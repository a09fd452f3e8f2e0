// Public API of the FITS reader/writer (FITS Standard 4.0). Import from here, not from the files.
export {
  FitsHeader,
  parseHeaderText,
  parseHeaderBytes,
  parseCardImage,
  parseValueField,
  bytesToAscii,
  COMMENTARY_KEYWORDS,
} from './header';
export type { FitsCard, FitsValue, FitsValueType, FitsComplex } from './header';
export { MemorySource, gunzipToSource, sourceFromBytes, isGzip, checkRange, DEFAULT_MAX_GUNZIP_BYTES } from './source';
export type { ByteSource } from './source';
export { FitsFile, readHeaderAt, describeHdu, BLOCK, MAX_HEADER_CARDS, MAX_HDUS } from './file';
export type { Hdu, HduType } from './file';
export { pixelScaling, allocPixels, decodeInto, rawView, swapInPlace } from './pixels';
export type { ImageDtype, PixelArray, PixelScaling } from './pixels';
export {
  imageInfo,
  isImageHdu,
  readImage,
  readImageSection,
  readCutout,
  sliceImage,
  pixelAt,
  setTileDecompressor,
} from './image';
export type { ImageInfo, ImageData, TileDecompressor } from './image';
export { binTableColumns, asciiTableColumns, parseTdim, ELEMENT_BYTES } from './columns';
export type { Column, BinCode } from './columns';
export { FitsTable, DEFAULT_CHUNK_BYTES } from './table';
export type { CellValue } from './table';
export { formatCard, formatFloat, headerBytes } from './card-format';
export type { CardInput } from './card-format';
export { onesComplementSum, addSums, encodeChecksum, verifyChecksum } from './checksum';
export type { ChecksumStatus } from './checksum';
export { writeFits, encodeFits, dtypeOf } from './writer';
export type { HduSpec, ImageHduSpec, BinTableHduSpec, WriteOptions, BinColumnSpec } from './writer';
export { summarizeHdu, imageStats, jsonSafe, astropyType } from './summary';
export type { HduSummary, PixelStats } from './summary';
// Installs tile decompression (src-core/fits/compress) so readImage/readCutout handle ZIMAGE = T.
import './compress/index';
