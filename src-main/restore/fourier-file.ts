// The FITS layout of `lensdesk restore --op fourier` (masked Fourier sampling y = M F x + n: MRI k-space,
// gridded radio visibilities; learned-priors.md §8):
//  - REAL and IMAG: image HDUs of the image's size rows × cols, the measured unitary 2-D DFT
//    x̂_k = N^{−1/2} Σ_j x_j e^{−2πi k·j/N} (numpy.fft.fft2(x, norm='ortho')), CENTRED: zero frequency at
//    pixel (rows/2, cols/2) (0-based, integer division; numpy.fft.fftshift order). Unmeasured bins: any value.
//  - MASK: same size, nonzero = measured bin.
//  - NOISESIG (REAL's header, else the primary's): σ of the real and of the imaginary part of every
//    measured bin (each N(0, σ²), independent). A Hermitian plane of a real image stores each measurement
//    twice (k and −k): keep one of each pair in MASK, or the likelihood counts it twice.
//  - WCS cards of the restored image, if any, on the primary HDU (copied to the output).
// Example (Python): X = np.fft.fftshift(np.fft.fft2(img, norm='ortho')); write REAL=X.real, IMAG=X.imag,
// MASK=mask.astype('u1'), header NOISESIG.
import { InputError } from '../../src-core/errors';
import type { CardInput } from '../../src-core/fits/card-format';
import { readImage } from '../../src-core/fits/image';
import { openFitsFile } from '../fits/file-source';

export interface FourierData {
  rows: number;
  cols: number;
  /** Measured bins, numpy FFT order (k_row = 0, 1, …, −1), 1 = measured. */
  mask: Uint8Array;
  /** Unitary DFT values, numpy FFT order. */
  re: Float64Array;
  im: Float64Array;
  noiseSigma: number;
  wcsCards: CardInput[];
}

const WCS_KEY = /^(CTYPE|CRPIX|CRVAL|CDELT|CUNIT|CROTA)[12]$|^(CD|PC)[12]_[12]$|^(RADESYS|EQUINOX|LONPOLE|LATPOLE|WCSAXES)$/;

/** numpy order index of the centred pixel (r, c): ifftshift. */
export function unshiftIndex(r: number, c: number, rows: number, cols: number): number {
  return ((r - Math.floor(rows / 2) + rows) % rows) * cols + ((c - Math.floor(cols / 2) + cols) % cols);
}

export function readFourierFile(path: string): FourierData {
  const f = openFitsFile(path);
  try {
    const plane = (name: string) => {
      const h = f.find(name);
      if (!h) throw new InputError('RESTORE_INPUT', `${path}: --op fourier needs a ${name} image HDU (layout: REAL, IMAG, MASK; see lensdesk restore --help)`, { file: path, hdu: name });
      const img = readImage(f, h);
      if (img.shape.length !== 2) throw new InputError('RESTORE_INPUT', `${path} HDU ${name}: expected a 2-D image, got shape ${img.shape.join(' × ')}`, { file: path, hdu: name });
      return { h, rows: img.shape[0]!, cols: img.shape[1]!, data: img.data as ArrayLike<number | bigint> };
    };
    const re = plane('REAL'), im = plane('IMAG'), mk = plane('MASK');
    for (const p of [im, mk]) if (p.rows !== re.rows || p.cols !== re.cols) throw new InputError('RESTORE_INPUT', `${path}: REAL is ${re.rows} × ${re.cols}, another HDU is ${p.rows} × ${p.cols}`, { file: path });
    const { rows, cols } = re, n = rows * cols;
    const sigma = re.h.header.getNumber('NOISESIG') ?? f.hdu(0).header.getNumber('NOISESIG');
    if (!(sigma! > 0)) throw new InputError('RESTORE_NOISE', `${path}: keyword NOISESIG (σ of Re and Im of each measured bin) missing or not > 0 in REAL or the primary header`, { file: path, hdu: 'REAL', keyword: 'NOISESIG' });
    const out: FourierData = { rows, cols, mask: new Uint8Array(n), re: new Float64Array(n), im: new Float64Array(n), noiseSigma: sigma!, wcsCards: [] };
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
      const j = r * cols + c, k = unshiftIndex(r, c, rows, cols);
      const m = Number(mk.data[j]) !== 0, a = Number(re.data[j]), b = Number(im.data[j]);
      if (m && !(Number.isFinite(a) && Number.isFinite(b))) throw new InputError('RESTORE_INPUT', `${path}: measured bin at row ${r}, column ${c} (0-based) is not finite in REAL/IMAG`, { file: path, row: r, col: c });
      out.mask[k] = m ? 1 : 0;
      out.re[k] = m ? a : 0;
      out.im[k] = m ? b : 0;
    }
    if (!out.mask.some((v) => v)) throw new InputError('RESTORE_INPUT', `${path}: MASK has no measured bin`, { file: path, hdu: 'MASK' });
    for (const [k, v] of f.hdu(0).header.entries()) if (WCS_KEY.test(k) && v !== undefined) out.wcsCards.push({ keyword: k, value: v });
    return out;
  } finally {
    f.source.close?.();
  }
}

/** The operator's data vector (interleaved Re, Im of the measured bins in numpy raster order). */
export function fourierDataVector(d: FourierData): Float64Array {
  const y: number[] = [];
  for (let k = 0; k < d.mask.length; k++) if (d.mask[k]) y.push(d.re[k]!, d.im[k]!);
  return Float64Array.from(y);
}
