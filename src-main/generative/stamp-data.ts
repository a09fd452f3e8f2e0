// Flow-VAE training sets from files (issue 16 "Training data"):
// (a) a folder (or one file) of the user's survey stamps: in each FITS file the first image HDU holds
//     one stamp (H×W) or a cube (N×H×W); an HDU named PSF, if present, is that file's PSF (per-stamp
//     PSFs: one file per stamp); an HDU named VARIANCE (same shape) gives per-pixel noise, else σ is
//     estimated per stamp from the border pixels (1.4826 × MAD). PSFs otherwise come from --psf FILE
//     (an image at the stamp pixel) or a survey preset's Gaussian (--psf-preset).
// (c) GalSim's real-galaxy catalog (the COSMOS training samples' format): a BINTABLE with GAL_FILENAME,
//     GAL_HDU, PSF_FILENAME, PSF_HDU (0-based HDU numbers, files beside the catalog), PIXEL_SCALE and
//     NOISE_VARIANCE per galaxy.
// Stamps are centre-cropped or zero-padded to S×S; padded pixels get zero weight (masked). PSF images
// at the stamp pixel are resampled onto the decoder grid about their flux centroid (observe.ts).
import { join } from 'node:path';
import { InputError } from '../../src-core/errors';
import { readImage } from '../../src-core/fits/image';
import { getPreset } from '../../src-core/lens/presets';
import { gaussianPsf, psfToDecoderGrid } from '../../src-core/generative/observe';
import { openFitsFile } from '../fits/file-source';
import { readStampLibrary } from '../lens/stamp-files';
import { readRealGalaxyCatalog } from '../lens/real-galaxy-catalog';
import type { VaeTrainingData } from './train';

interface Raw {
  name: string;
  data: ArrayLike<number>;
  width: number;
  height: number;
  variance?: ArrayLike<number>;
  psf?: { data: ArrayLike<number>; width: number; height: number };
  sigma?: number;
}

/** Centre crop / zero pad to S×S; returns the stamp and a 0/1 mask of real pixels. */
function fit(r: Raw, S: number): { x: Float32Array; inside: Uint8Array; v?: Float32Array } {
  const x = new Float32Array(S * S), inside = new Uint8Array(S * S), v = r.variance ? new Float32Array(S * S) : undefined;
  const oy = Math.floor((r.height - S) / 2), ox = Math.floor((r.width - S) / 2);
  for (let i = 0; i < S; i++)
    for (let j = 0; j < S; j++) {
      const y = i + oy, xx = j + ox;
      if (y < 0 || xx < 0 || y >= r.height || xx >= r.width) continue;
      const val = Number(r.data[y * r.width + xx]);
      if (!Number.isFinite(val)) continue;
      x[i * S + j] = val;
      inside[i * S + j] = 1;
      if (v) v[i * S + j] = Number(r.variance![y * r.width + xx]);
    }
  return { x, inside, v };
}

/** σ from the stamp's outer ring (3 px): 1.4826 × median absolute deviation. */
function borderSigma(r: Raw): number {
  const vals: number[] = [];
  for (let y = 0; y < r.height; y++)
    for (let x = 0; x < r.width; x++) if (y < 3 || x < 3 || y >= r.height - 3 || x >= r.width - 3) vals.push(Number(r.data[y * r.width + x]));
  const f = vals.filter(Number.isFinite).sort((a, b) => a - b);
  const med = f[f.length >> 1] ?? 0;
  const dev = f.map((v) => Math.abs(v - med)).sort((a, b) => a - b);
  return 1.4826 * (dev[dev.length >> 1] ?? 0);
}

/** A PSF image at the stamp pixel → the decoder grid (square, any side; centred on its flux centroid). */
export function psfOnDecoderGrid(p: { data: ArrayLike<number>; width: number; height: number }, K: number, label: string): Float64Array {
  // pad to an odd square around the centroid so psfToDecoderGrid's centre is the centroid
  let s = 0, sx = 0, sy = 0;
  for (let y = 0; y < p.height; y++)
    for (let x = 0; x < p.width; x++) {
      const v = Math.max(0, Number(p.data[y * p.width + x]) || 0);
      s += v;
      sx += v * x;
      sy += v * y;
    }
  if (!(s > 0)) throw new InputError('FLOWVAE_PSF', `${label}: PSF image has no positive flux`, { psf: label });
  const cx = sx / s, cy = sy / s, h = Math.ceil(Math.max(p.width, p.height) / 2) + 1, w = 2 * h + 1;
  const sq = new Float64Array(w * w);
  for (let r = 0; r < w; r++)
    for (let c = 0; c < w; c++) {
      // bilinear sample at (cx + c − h, cy + r − h)
      const x = cx + c - h, y = cy + r - h, x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
      const at = (yy: number, xx: number) => (yy < 0 || xx < 0 || yy >= p.height || xx >= p.width ? 0 : Math.max(0, Number(p.data[yy * p.width + xx]) || 0));
      sq[r * w + c] = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
    }
  return psfToDecoderGrid(sq, w, K);
}

function assemble(raws: Raw[], S: number, K: number, pixelScale: number, fallbackPsf: Float64Array | null, description: Record<string, unknown>, psfDescription: Record<string, unknown>): VaeTrainingData {
  if (raws.length < 2) throw new InputError('FLOWVAE_DATA', `${raws.length} training stamps (need ≥ 2)`, {});
  const n = raws.length, stamps = new Float32Array(n * S * S), invVar = new Float32Array(n * S * S), sigma = new Float32Array(n);
  const psfList: Float64Array[] = [], psfIndex = new Int32Array(n), psfKey = new Map<unknown, number>();
  raws.forEach((r, k) => {
    const f = fit(r, S);
    stamps.set(f.x, k * S * S);
    const s = r.sigma ?? borderSigma(r);
    if (!(s > 0)) throw new InputError('FLOWVAE_NOISE', `${r.name}: noise σ is not positive (give a VARIANCE HDU or noisy stamps)`, { stamp: r.name });
    sigma[k] = s;
    for (let i = 0; i < S * S; i++) invVar[k * S * S + i] = f.inside[i] ? 1 / (f.v ? Math.max(f.v[i]!, 1e-30) : s * s) : 0;
    const key = r.psf ?? fallbackPsf;
    if (!key) throw new InputError('FLOWVAE_PSF', `${r.name}: no PSF (add a PSF HDU, --psf FILE or --psf-preset PRESET)`, { stamp: r.name });
    if (!psfKey.has(key)) {
      psfKey.set(key, psfList.length);
      psfList.push(r.psf ? psfOnDecoderGrid(r.psf, K, r.name) : fallbackPsf!);
    }
    psfIndex[k] = psfKey.get(key)!;
  });
  const psfs = new Float32Array(psfList.length * K * K);
  psfList.forEach((p, i) => psfs.set(p, i * K * K));
  return { stamps, count: n, size: S, pixelScale, sigma, invVar, psfs, psfSize: K, psfIndex, description, psfDescription: { ...psfDescription, distinct: psfList.length, decoderGrid: `${K}×${K} at ${pixelScale / 2}″` } };
}

export function presetPsf(preset: string, band: string | undefined, pixelScale: number, K: number): { psf: Float64Array; fwhmArcsec: number } {
  const p = getPreset(preset);
  const b = p.bands[band ?? (p.bands.r ? 'r' : p.defaultBands[0]!)];
  if (!b) throw new InputError('SIM_UNKNOWN_BAND', `preset ${p.name} has no band '${band}'`, { preset: p.name, band: band ?? '' });
  return { psf: gaussianPsf(b.seeing / (pixelScale / 2), K), fwhmArcsec: b.seeing };
}

export function readPsfFile(path: string, K: number): Float64Array {
  const f = openFitsFile(path);
  try {
    const hdu = f.hdus().find((h) => h.naxes.length >= 2 && h.naxes.every((a) => a > 0));
    if (!hdu) throw new InputError('FLOWVAE_PSF', `${path}: no image HDU`, { file: path });
    const img = readImage(f, hdu);
    const [h, w] = img.shape.slice(-2) as [number, number];
    return psfOnDecoderGrid({ data: img.data as ArrayLike<number>, width: w, height: h }, K, path);
  } finally {
    f.source.close?.();
  }
}

/** (a) A folder or file of stamps; PSF per file (PSF HDU) or given (--psf FILE / --psf-preset). */
export function stampFolderData(path: string, o: { size: number; psfSize: number; psfFile?: string; psfPreset?: string; band?: string; pixelScale?: number }): VaeTrainingData {
  const { library, files } = readStampLibrary(path, o.pixelScale ? { scale: o.pixelScale } : {});
  const pixelScale = library.stamps[0]?.pixelScale ?? 0;
  if (library.stamps.some((s) => Math.abs(s.pixelScale - pixelScale) > 1e-6 * pixelScale)) throw new InputError('FLOWVAE_DATA', `${path}: stamps have different pixel scales (one model is trained at one pixel scale)`, { path });
  const perFile = new Map<string, { psf?: Raw['psf']; variance?: Float64Array[] }>();
  for (const rec of files) {
    const file = files.length === 1 && !rec.file.includes('/') && path.endsWith(rec.file) ? path : join(path, rec.file);
    const f = openFitsFile(file);
    try {
      const psfHdu = f.find('PSF'), varHdu = f.find('VARIANCE');
      const entry: { psf?: Raw['psf']; variance?: Float64Array[] } = {};
      if (psfHdu) {
        const img = readImage(f, psfHdu);
        const [h, w] = img.shape.slice(-2) as [number, number];
        entry.psf = { data: Float64Array.from(img.data as ArrayLike<number>, Number), width: w, height: h };
      }
      if (varHdu) {
        const img = readImage(f, varHdu), per = img.shape.slice(-2).reduce((a, b) => a * b, 1);
        entry.variance = Array.from({ length: img.data.length / per }, (_, k) => Float64Array.from((img.data as ArrayLike<number> & { slice(a: number, b: number): ArrayLike<number> }).slice(k * per, (k + 1) * per), Number));
      }
      perFile.set(rec.file, entry);
    } finally {
      f.source.close?.();
    }
  }
  const fallback = o.psfFile ? readPsfFile(o.psfFile, o.psfSize) : o.psfPreset ? presetPsf(o.psfPreset, o.band, pixelScale, o.psfSize).psf : null;
  const raws: Raw[] = library.stamps.map((s) => {
    const file = s.name.replace(/\[\d+\]$/, ''), plane = Number(/\[(\d+)\]$/.exec(s.name)?.[1] ?? 0);
    const e = perFile.get(file);
    return { name: s.name, data: s.data, width: s.width, height: s.height, psf: e?.psf, variance: e?.variance?.[plane] };
  });
  return assemble(raws, o.size, o.psfSize, pixelScale, fallback, { source: 'stamps', path, files, pixelScale }, { source: o.psfFile ? `file ${o.psfFile}` : o.psfPreset ? `preset ${o.psfPreset}` : 'per-file PSF HDUs' });
}

/** (c) A GalSim real-galaxy catalog: images, PSFs, pixel scale and noise variance per row. */
export function rgcData(catalog: string, o: { size: number; psfSize: number }): VaeTrainingData {
  const { rows, image, close } = readRealGalaxyCatalog(catalog, 'FLOWVAE_RGC');
  const scale = rows[0]?.scale ?? 0;
  let raws: Raw[];
  try {
    raws = rows.map((r, i) => {
      if (Math.abs(r.scale - scale) > 1e-6 * scale) throw new InputError('FLOWVAE_RGC', `${catalog} row ${i}: PIXEL_SCALE ${r.scale} differs from row 0 (${scale})`, { file: catalog, row: i, field: 'PIXEL_SCALE' });
      if (!(r.noiseVar > 0)) throw new InputError('FLOWVAE_RGC', `${catalog} row ${i}: NOISE_VARIANCE ${r.noiseVar} is not positive`, { file: catalog, row: i, field: 'NOISE_VARIANCE' });
      return { name: `${r.file}[${r.hdu}] (IDENT ${r.ident})`, ...image(r.file, r.hdu, i), psf: image(r.psfFile, r.psfHdu, i), sigma: Math.sqrt(r.noiseVar) };
    });
  } finally {
    close();
  }
  return assemble(raws, o.size, o.psfSize, scale, null, { source: 'rgc', catalog, galaxies: rows.length, pixelScale: scale }, { source: 'catalog PSF_FILENAME/PSF_HDU per galaxy' });
}
