// The image extensions of an open FITS file, by EXTNAME and EXTVER, for the WCS reader's lookup
// tables (Paper IV distortions live in WCSDVARR / D2IMARR extensions beside the image).
import { FitsFile } from '../fits/file';
import { isImageHdu, readImage } from '../fits/image';
import type { ExtensionLookup } from './lookup-distortion';

export function fitsExtensions(file: FitsFile): ExtensionLookup {
  return (extname, extver) => {
    const hdu = file.find(extname, extver);
    if (!hdu || !isImageHdu(hdu)) return undefined;
    const img = readImage(file, hdu);
    return { header: hdu.header, shape: img.shape, data: img.data as ArrayLike<number> };
  };
}
