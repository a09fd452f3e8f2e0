// A stamp made ready for the Flow-VAE galaxy posterior: one band of a LensDesk stamp (or any 2-D FITS
// image), checked against the model (pixel scale, size), centre-cropped to the model's S×S, its noise
// (VARIANCE plane, else σ from the border: 1.4826 × MAD of the outer 3-pixel ring, as for training in
// stamp-data.ts) and its PSF on the decoder grid (a PSF file, the file's PSF HDU, the survey preset's
// Gaussian, or the PSF the model was trained with), all in the model's flux units (÷ fluxScale).
import { existsSync } from 'node:fs';
import { InputError } from '../../src-core/errors';
import { gaussianPsf } from '../../src-core/generative/observe';
import type { GalaxyObservation } from '../../src-core/generative/galaxy-likelihood';
import type { Stamp } from '../../src-core/stamps/stamp';
import { readImage } from '../../src-core/fits/image';
import { keywordPixelScale } from '../../src-core/wcs/pixel-scale';
import { openFitsFile } from '../fits/file-source';
import { readStampFile } from '../stamps/stamp-file';
import type { FlowVaeCard } from './model-files';
import { presetPsf, psfOnDecoderGrid, readPsfFile } from './stamp-data';

export interface PreparedStamp {
  obs: GalaxyObservation;
  /** The cropped S×S stamp in its own units, and its per-pixel σ (NaN where masked). */
  data: Float32Array;
  band: string;
  /** Noise: 'VARIANCE plane' or 'border MAD' or 'given', and the median σ (stamp units). */
  noise: { source: string; sigma: number };
  psfSource: string;
  pixelScale: number;
  /** Offset of the crop in the input stamp (pixels), for provenance. */
  crop: { x0: number; y0: number; width: number; height: number };
}

export interface PrepareOptions {
  band?: string;
  /** PSF image at the stamp's pixel (FITS file); else `psfImage`, else `preset`, else the model's. */
  psfFile?: string;
  psfImage?: { data: ArrayLike<number>; width: number; height: number; label: string };
  preset?: { name: string; band?: string };
  sigma?: number;
  /** Pixel scale to assume when the stamp states none (arcsec). */
  pixelScale?: number;
}

/** σ from the outer 3-pixel ring: 1.4826 × MAD (robust to the galaxy's own light further in). */
function borderSigma(p: ArrayLike<number>, w: number, h: number): number {
  const vals: number[] = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (y < 3 || x < 3 || y >= h - 3 || x >= w - 3) vals.push(Number(p[y * w + x]));
  const f = vals.filter(Number.isFinite).sort((a, b) => a - b);
  const med = f[f.length >> 1] ?? 0;
  const dev = f.map((v) => Math.abs(v - med)).sort((a, b) => a - b);
  return 1.4826 * (dev[dev.length >> 1] ?? 0);
}

/** The model's training PSF on its decoder grid, when the card says it was one Gaussian. */
function modelPsf(card: FlowVaeCard): Float64Array | null {
  const p = card.psfs as { type?: unknown; fwhmArcsec?: unknown };
  return p.type === 'gaussian' && typeof p.fwhmArcsec === 'number' ? gaussianPsf(p.fwhmArcsec / card.decoderPixelScale, card.config.psfSize) : null;
}

export function prepareStamp(stamp: Stamp, file: string, card: FlowVaeCard, o: PrepareOptions = {}, scaleKeyword = 'PIXSCALE'): PreparedStamp {
  const S = card.config.size, K = card.config.psfSize, fluxScale = card.config.fluxScale;
  // band: the one asked for, else the model's training band when the stamp has it, else a single plane
  const trainBand = typeof card.trainingSet.band === 'string' ? card.trainingSet.band : undefined;
  let k = -1;
  if (o.band !== undefined) {
    k = stamp.bands.indexOf(o.band);
    if (k < 0) throw new InputError('FLOWVAE_STAMP', `${file}: no band '${o.band}' (bands: ${stamp.bands.join(', ')})`, { file, band: o.band });
  } else if (stamp.planes.length === 1) k = 0;
  else if (trainBand && stamp.bands.includes(trainBand)) k = stamp.bands.indexOf(trainBand);
  else throw new InputError('FLOWVAE_STAMP', `${file}: ${stamp.planes.length} bands (${stamp.bands.join(', ')}); give --band (the model was trained on ${trainBand ?? 'an unnamed band'})`, { file });
  const band = stamp.bands[k] ?? String(k);
  // pixel scale: must be the model's training pixel (the decoder grid is half of it)
  const scale = stamp.pixelScale ?? o.pixelScale;
  if (!scale) throw new InputError('FLOWVAE_STAMP', `${file}: no pixel scale (keywords PIXSCALE, CD1_1…CD2_2 or CDELT1/CDELT2); give --pixel-scale ${card.pixelScale}`, { file, keyword: 'PIXSCALE' });
  if (Math.abs(scale - card.pixelScale) > 0.01 * card.pixelScale)
    throw new InputError('FLOWVAE_STAMP', `${file}: pixel scale ${scale}″ (${stamp.pixelScale ? scaleKeyword : '--pixel-scale'}) differs from the model's ${card.pixelScale}″ (card.json pixelScale): resample the stamp or use a model trained at this scale`, { file, keyword: scaleKeyword, value: scale, expected: card.pixelScale });
  if (stamp.width < S || stamp.height < S) {
    const kw = stamp.width < S ? 'NAXIS1' : 'NAXIS2';
    throw new InputError('FLOWVAE_STAMP', `${file}: stamp is ${stamp.width}×${stamp.height} (${kw} ${kw === 'NAXIS1' ? stamp.width : stamp.height}), smaller than the model's ${S}×${S} (card.json config.size)`, { file, keyword: kw, expected: S });
  }
  const plane = stamp.planes[k]!, vplane = stamp.variance?.[k];
  const x0 = Math.floor((stamp.width - S) / 2), y0 = Math.floor((stamp.height - S) / 2);
  let sigma = o.sigma, noiseSource = 'given (--sigma)';
  if (sigma === undefined && !vplane) {
    sigma = borderSigma(plane, stamp.width, stamp.height);
    noiseSource = 'border MAD (outer 3 pixels)';
    if (!(sigma > 0)) throw new InputError('FLOWVAE_NOISE', `${file} band ${band}: the noise σ estimated from the border is ${sigma} (give a VARIANCE HDU or --sigma)`, { file, band });
  } else if (sigma === undefined) noiseSource = 'VARIANCE plane';
  const x = new Float64Array(S * S), w = new Float64Array(S * S), data = new Float32Array(S * S), sig: number[] = [];
  for (let i = 0; i < S; i++)
    for (let j = 0; j < S; j++) {
      const src = (i + y0) * stamp.width + j + x0, v = plane[src]!, var_ = sigma !== undefined ? sigma * sigma : vplane![src]!;
      data[i * S + j] = v;
      if (!Number.isFinite(v) || !(var_ > 0) || !Number.isFinite(var_)) continue; // masked: zero weight
      x[i * S + j] = v / fluxScale;
      w[i * S + j] = fluxScale ** 2 / var_;
      sig.push(Math.sqrt(var_));
    }
  if (sig.length === 0) throw new InputError('FLOWVAE_STAMP', `${file} band ${band}: no valid pixels in the central ${S}×${S}`, { file, band });
  sig.sort((a, b) => a - b);
  // PSF, in order of precedence
  let psf: Float64Array, psfSource: string;
  if (o.psfFile) {
    if (!existsSync(o.psfFile)) throw new InputError('FLOWVAE_PSF', `PSF file ${o.psfFile} does not exist`, { file: o.psfFile });
    psf = readPsfFile(o.psfFile, K);
    psfSource = `file ${o.psfFile}`;
  } else if (o.psfImage) {
    psf = psfOnDecoderGrid(o.psfImage, K, o.psfImage.label);
    psfSource = o.psfImage.label;
  } else if (o.preset) {
    psf = presetPsf(o.preset.name, o.preset.band ?? band, card.pixelScale, K).psf;
    psfSource = `preset ${o.preset.name} ${o.preset.band ?? band} (Gaussian)`;
  } else {
    const m = modelPsf(card);
    if (!m) throw new InputError('FLOWVAE_PSF', `${file}: no PSF (give --psf FILE or a PSF HDU; the model's own training PSFs are not one Gaussian)`, { file });
    psf = m;
    psfSource = `model training PSF (Gaussian FWHM ${(card.psfs as { fwhmArcsec: number }).fwhmArcsec}″)`;
  }
  return { obs: { x, w, psf, psfSize: K }, data, band, noise: { source: noiseSource, sigma: sig[sig.length >> 1]! }, psfSource, pixelScale: scale, crop: { x0, y0, width: stamp.width, height: stamp.height } };
}

/** A stamp file for the CLI: LensDesk stamp cube or a 2-D image; a PSF HDU in it is used when no --psf. */
export function readPosteriorStamp(file: string, card: FlowVaeCard, o: PrepareOptions = {}): PreparedStamp {
  if (!existsSync(file)) throw new InputError('FLOWVAE_STAMP', `stamp file ${file} does not exist`, { file });
  const stamp = readStampFile(file);
  let psfImage = o.psfImage;
  let keyword = 'PIXSCALE';
  const f = openFitsFile(file);
  try {
    const headers = f.hdus().map((h) => h.header);
    keyword = keywordPixelScale(...headers)?.keyword ?? (headers.some((h) => h.getNumber('CD1_1') !== undefined) ? 'CD1_1/CD2_2' : 'CDELT1/CDELT2');
    const ph = f.find('PSF');
    if (ph && !o.psfFile && !psfImage) {
      const img = readImage(f, ph);
      const [h, w] = img.shape.slice(-2) as [number, number];
      psfImage = { data: Float64Array.from((img.data as ArrayLike<number>), Number).subarray(0, w * h), width: w, height: h, label: `${file} HDU PSF` };
    }
  } finally {
    f.source.close?.();
  }
  return prepareStamp(stamp, file, card, { ...o, psfImage }, keyword);
}
