// Opens one image HDU of a FITS file as a cutout band (lazy reads through the file descriptor).
// Call close() when the cutouts are done.
import { basename } from 'node:path';
import '../../src-core/fits/compress/index';
import { isImageHdu } from '../../src-core/fits/image';
import { InputError } from '../../src-core/errors';
import type { CutoutBand } from '../../src-core/image/cutout';
import { fitsSectionReader } from '../../src-core/image/section-reader';
import { readWcs } from '../../src-core/wcs/wcs';
import { fitsExtensions } from '../../src-core/wcs/fits-extensions';
import { openFitsFile } from '../fits/file-source';

/** `hdu` undefined: the first image HDU with data (NAXIS ≥ 2). */
export function openCutoutBand(path: string, options: { hdu?: number; name?: string; wcsKey?: string } = {}): CutoutBand & { close(): void } {
  const file = openFitsFile(path);
  try {
    const hdu = options.hdu !== undefined ? file.hdu(options.hdu) : file.hdus().find((h) => isImageHdu(h) && (h.compressed || h.naxes.length >= 2));
    if (!hdu || !isImageHdu(hdu)) throw new InputError('INPUT_INVALID', `${basename(path)}: no 2-D image HDU${options.hdu !== undefined ? ` at index ${options.hdu}` : ''}`, { file: basename(path) });
    return {
      name: options.name ?? basename(path),
      image: fitsSectionReader(file, hdu),
      // Lookup-table distortions (HST's CPDIS/D2IM) come from the file's extensions.
      wcs: readWcs(hdu.header, { key: options.wcsKey ?? '', extensions: fitsExtensions(file) }),
      close: () => file.source.close?.(),
    };
  } catch (e) {
    file.source.close?.();
    throw e;
  }
}
