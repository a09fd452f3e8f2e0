// The one thing a cutout needs from an image: read a 2-D sub-rectangle lazily. The FITS adapter
// goes through src-core/fits readCutout (one byte range per row), so a 64×64 cutout of a 1 GB
// image reads ~64 short ranges; tests and the simulator can supply in-memory images.
import type { FitsFile, Hdu } from '../fits/file';
import { imageInfo, readCutout } from '../fits/image';

export interface ImageSectionReader {
  /** Label for messages (file name and HDU). */
  readonly name: string;
  /** NAXIS1 (columns, x) and NAXIS2 (rows, y). */
  readonly width: number;
  readonly height: number;
  /**
   * Pixels of columns x0..x0+w−1, rows y0..y0+h−1 (0-based, inside the image), row-major with
   * row 0 = y0 (FITS order: rows go up in y). BLANK/undefined pixels are NaN.
   */
  readSection(x0: number, y0: number, w: number, h: number): Float64Array;
}

/** Adapter for an image HDU (plain or tile-compressed); `plane` picks NAXIS3.. for cubes. */
export function fitsSectionReader(file: FitsFile, hdu: Hdu, plane: number[] = []): ImageSectionReader {
  const shape = imageInfo(file, hdu).shape; // numpy order
  const height = shape[shape.length - 2] ?? 0;
  const width = shape[shape.length - 1] ?? 0;
  return {
    name: `${file.name}[${hdu.index}]`,
    width,
    height,
    readSection(x0, y0, w, h) {
      const img = readCutout(file, hdu, x0, y0, w, h, plane);
      const out = new Float64Array(w * h);
      for (let i = 0; i < out.length; i++) out[i] = Number(img.data[i]);
      return out;
    },
  };
}

/** An in-memory image (row-major, row 0 = y 0). */
export function memorySectionReader(name: string, width: number, height: number, data: ArrayLike<number>): ImageSectionReader {
  return {
    name, width, height,
    readSection(x0, y0, w, h) {
      const out = new Float64Array(w * h);
      for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) out[j * w + i] = data[(y0 + j) * width + x0 + i];
      return out;
    },
  };
}
