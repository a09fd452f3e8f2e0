// `lensdesk restore`: reads a cutout (reusing the deblend cutout reader: image or bands × H × W cube,
// VARIANCE HDU, PSF HDU or --psf file, WCS cards), a MASK/DQ/BPM HDU for bad pixels, estimates the
// noise, restores each band independently (solve.ts) and writes MEAN / STD / SAMPLES with the input's WCS.
import { writeFileSync } from 'node:fs';
import { InputError } from '../../src-core/errors';
import type { HduSpec } from '../../src-core/fits/writer';
import type { CardInput } from '../../src-core/fits/card-format';
import { writeFits } from '../../src-core/fits/writer';
import { imageInfo, isImageHdu, readImage } from '../../src-core/fits/image';
import { gaussianPsf, type PsfArray } from '../../src-core/inverse/operators/convolution';
import { Rng } from '../../src-core/rng';
import { readCutout } from '../deblend/cutout-file';
import { openFitsFile } from '../fits/file-source';
import { MASK_HDU_NAMES } from '../../src-core/infer/observation/noise';
import { readFourierFile } from './fourier-file';
import { restoreLearnedBands } from './learned';
import { fourierProblem, restoreBand, type BandProblem, type BandResult, type ClassicPrior, type RestoreOp } from './solve';

export interface RestoreOptions {
  input: string;
  out: string;
  op: RestoreOp;
  prior: ClassicPrior | 'score';
  /** Score-model folder (prior 'score'). */
  modelDir?: string;
  stepsPerLevel?: number;
  /** σ levels and σ_1 of the learned sampler (learned.ts defaults). */
  levels?: number;
  sigmaMax?: number;
  signal?: AbortSignal;
  psf?: string;
  /** Gaussian PSF FWHM in arcsec (needs a pixel scale from the WCS or --pixel-scale). */
  psfFwhm?: number;
  pixelScale?: number;
  samples: number;
  seed: number;
  lambda?: number;
  maxIter?: number;
}


/** Bad pixels from a MASK / DQ / BPM image HDU (nonzero = bad), one plane for all bands or one per band. */
export function readMask(path: string, bands: number, n: number): { bad: Uint8Array; from: string } | undefined {
  const f = openFitsFile(path);
  try {
    const h = f.hdus().find((x) => MASK_HDU_NAMES.includes(x.name.toUpperCase()) && isImageHdu(x) && imageInfo(f, x).shape.length >= 2);
    if (!h) return undefined;
    const d = readImage(f, h), len = d.data.length;
    if (len !== n && len !== bands * n) throw new InputError('RESTORE_INPUT', `${path} HDU ${h.name}: ${len} values, the image has ${bands} × ${n}`, { file: path, hdu: h.name });
    const bad = new Uint8Array(bands * n);
    for (let i = 0; i < bad.length; i++) bad[i] = Number((d.data as ArrayLike<number | bigint>)[len === n ? i % n : i]) !== 0 ? 1 : 0;
    return { bad, from: `HDU ${h.name}` };
  } finally {
    f.source.close?.();
  }
}

/** σ from the border (outer 4 pixels, finite only): 1.4826 × MAD, robust to a few sources there. */
export function borderNoise(y: Float64Array, rows: number, cols: number): number {
  const w = Math.max(1, Math.min(4, Math.floor(Math.min(rows, cols) / 8))), v: number[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    if (r < w || c < w || r >= rows - w || c >= cols - w) { const x = y[r * cols + c]!; if (Number.isFinite(x)) v.push(x); }
  }
  const med = (a: number[]) => { const s = [...a].sort((p, q) => p - q); return s.length ? s[s.length >> 1]! : NaN; };
  const m = med(v);
  return 1.4826 * med(v.map((x) => Math.abs(x - m)));
}

export async function runRestore(o: RestoreOptions, log: (msg: string) => void, progress: (d: number, t: number, l?: string) => void): Promise<Record<string, unknown>> {
  const cut: FourierCutout = o.op === 'fourier' ? fourierCutout(o.input) : readCutout(o.input, o.psf);
  const B = cut.images.length, rows = cut.rows, cols = cut.cols, n = rows * cols;
  let psfs: PsfArray[] | undefined = cut.psfs;
  let psfFrom = psfs ? (o.psf ?? 'PSF HDU') : undefined;
  if (o.psfFwhm !== undefined) {
    const scale = o.pixelScale ?? cut.pixelScale ?? undefined;
    if (!(scale! > 0)) throw new InputError('RESTORE_PSF', `${o.input}: --psf-fwhm needs a pixel scale (no CD/CDELT/PIXSCALE in the header); give --pixel-scale ARCSEC`, { file: o.input, option: 'pixel-scale' });
    psfs = [gaussianPsf(o.psfFwhm / scale!)];
    psfFrom = `Gaussian FWHM ${o.psfFwhm}" (${(o.psfFwhm / scale!).toPrecision(4)} px)`;
  }
  if (o.op === 'deconvolve' && !psfs) throw new InputError('RESTORE_PSF', `deconvolve needs a PSF: --psf FILE or --psf-fwhm ARCSEC (${o.input} has no PSF HDU)`, { option: 'psf' });
  if (psfs && psfs.length !== 1 && psfs.length !== B) throw new InputError('PSF_BANDS', `${psfs.length} PSF planes for ${B} bands`, { file: o.psf ?? o.input });
  const mask = o.op === 'fourier' ? undefined : readMask(o.input, B, n);
  const rng = new Rng(o.seed, 0x7e5);
  const problems: BandProblem[] = [], sigmas: number[] = [], noiseFrom: string[] = [];
  for (let b = 0; b < B; b++) {
    const y = cut.images[b]!;
    let s2: number;
    if (cut.fourier) {
      s2 = cut.fourier.noiseSigma ** 2;
      noiseFrom.push('NOISESIG (sigma of Re and Im per bin)');
    } else if (cut.variance) {
      const v = Array.from(cut.variance[b]!).filter((x) => x > 0 && Number.isFinite(x)).sort((p, q) => p - q);
      s2 = v[v.length >> 1]!;
      noiseFrom.push('VARIANCE HDU (median; the solvers assume white noise)');
    } else {
      s2 = borderNoise(y, rows, cols) ** 2;
      noiseFrom.push('border MAD');
    }
    if (!(s2 > 0)) throw new InputError('RESTORE_NOISE', `${o.input} band ${b + 1}: could not estimate the noise (σ² = ${s2}); add a VARIANCE HDU`, { file: o.input, band: b });
    sigmas.push(Math.sqrt(s2));
    problems.push({ rows, cols, y, noiseVariance: s2, bad: mask?.bad.subarray(b * n, (b + 1) * n), psf: psfs ? psfs[psfs.length === 1 ? 0 : b] : undefined, ...(cut.fourier ? { fourier: cut.fourier } : {}) });
  }
  const results = await solveBands(problems, { ...o, rng }, progress);
  results.forEach((r, b) => { for (const note of r.notes) log(`band ${b + 1}: ${note}`); });
  progress(B, B, 'restore done');
  const hdus = restoreHdus(results, { bands: cut.bands, rows, cols, wcsCards: cut.wcsCards }, { ...o, noiseSigma: sigmas[0]!, noiseFrom: noiseFrom[0]! });
  const hasStd = results.every((r) => r.std), nS = results[0]!.samples.length;
  writeFileSync(o.out, writeFits(hdus));
  return {
    out: o.out, op: o.op, prior: o.prior === 'score' ? 'score-unet' : o.prior, ...(o.modelDir ? { modelDir: o.modelDir } : {}), bands: B, rows, cols, samples: nS, std: hasStd, method: results.map((r) => r.method),
    noiseSigma: sigmas, noiseFrom, psf: psfFrom ?? null, mask: mask?.from ?? null, notes: [...cut.notes, ...results.flatMap((r) => r.notes)],
  };
}

/** The bands' posteriors by the chosen prior: the score U-Net (all bands, annealed Langevin) or a classic one per band. */
export async function solveBands(
  problems: BandProblem[],
  o: { op: RestoreOp; prior: ClassicPrior | 'score'; modelDir?: string; samples: number; rng: Rng; stepsPerLevel?: number; levels?: number; sigmaMax?: number; threads?: number; signal?: AbortSignal; lambda?: number; maxIter?: number },
  progress: (d: number, t: number, l?: string) => void,
): Promise<BandResult[]> {
  if (o.prior === 'score') {
    if (!o.modelDir) throw new InputError('INPUT_INVALID', 'score prior needs a model folder', { option: 'prior' });
    progress(0, 1, 'annealed Langevin');
    return restoreLearnedBands(o.modelDir, o.op, problems, {
      samples: o.samples, rng: o.rng, stepsPerLevel: o.stepsPerLevel, levels: o.levels, sigmaMax: o.sigmaMax, threads: o.threads, signal: o.signal, onProgress: (d, t) => progress(d, t, 'annealed Langevin (σ levels)'),
    });
  }
  const results: BandResult[] = [];
  for (const [b, p] of problems.entries()) {
    progress(b, problems.length, `restore band ${b + 1}/${problems.length}`);
    results.push(restoreBand(o.op, o.prior, p, { samples: o.samples, rng: o.rng, lambda: o.lambda, maxIter: o.maxIter }));
  }
  return results;
}

/** The restore product: an empty primary, then MEAN, STD (when the solver gives one) and SAMPLES, each with the WCS cards. */
export function restoreHdus(
  results: BandResult[],
  cut: { bands: string[]; rows: number; cols: number; wcsCards: CardInput[] },
  o: { op: RestoreOp; prior: ClassicPrior | 'score'; modelDir?: string; noiseSigma: number; noiseFrom: string },
): HduSpec[] {
  const B = results.length, { rows, cols } = cut, n = rows * cols;
  const shape = B === 1 ? [rows, cols] : [B, rows, cols];
  const cube = (get: (r: BandResult) => Float64Array) => { const c = new Float64Array(B * n); results.forEach((r, b) => c.set(get(r), b * n)); return c; };
  const hasStd = results.every((r) => r.std);
  const nS = results[0]!.samples.length;
  const meta = [
    { keyword: 'PRIOR', value: o.prior === 'score' ? 'score-unet' : o.prior, comment: 'restoration prior' },
    ...(o.modelDir ? [{ keyword: 'PRIORDIR', value: o.modelDir.slice(-68) }] : []),
    { keyword: 'OP', value: o.op, comment: 'forward operator' },
    // band names travel with the planes, so the restored file reads like its input (ingest, fit, deblend)
    ...(cut.bands.every((b) => !/^b\d+$/.test(b)) ? [{ keyword: 'BANDS', value: cut.bands.join(','), comment: 'band order of the planes' }] : []),
    { keyword: 'NSAMPLES', value: nS, comment: 'posterior samples in SAMPLES' },
    { keyword: 'METHOD', value: results[0]!.method.slice(0, 68) },
    { keyword: 'NOISESIG', value: o.noiseSigma, comment: `noise sigma band 1 (${o.noiseFrom})`.slice(0, 47) },
    ...(hasStd ? [] : [{ keyword: 'STDNOTE', value: 'no STD HDU: MAP estimate, posterior std not available' }]),
  ];
  const hdus: HduSpec[] = [
    { kind: 'image', shape: [], cards: [...cut.wcsCards, ...meta] },
    { kind: 'image', shape, data: cube((r) => r.mean), extname: 'MEAN', cards: [...cut.wcsCards, ...meta] },
  ];
  if (hasStd) hdus.push({ kind: 'image', shape, data: cube((r) => r.std!), extname: 'STD', cards: [...cut.wcsCards, ...meta] });
  if (nS > 0) {
    const s = new Float64Array(nS * B * n);
    for (let k = 0; k < nS; k++) results.forEach((r, b) => s.set(r.samples[k]!, (k * B + b) * n));
    hdus.push({ kind: 'image', shape: B === 1 ? [nS, rows, cols] : [nS, B, rows, cols], data: s, extname: 'SAMPLES', cards: [...cut.wcsCards, ...meta] });
  }
  return hdus;
}

/** `--op fourier` input (fourier-file.ts) as a one-band cutout whose image is the dirty image Aᵀy. */
type FourierCutout = ReturnType<typeof readCutout> & { fourier?: ReturnType<typeof readFourierFile> };

function fourierCutout(path: string): FourierCutout {
  const d = readFourierFile(path);
  const p: BandProblem = { rows: d.rows, cols: d.cols, y: new Float64Array(d.rows * d.cols), noiseVariance: d.noiseSigma ** 2, fourier: d };
  const { a, y } = fourierProblem(p);
  return { bands: ['b1'], rows: d.rows, cols: d.cols, images: [a.adjoint(y)], wcsCards: d.wcsCards, pixelScale: null, notes: [`${y.length / 2} measured Fourier bins (REAL/IMAG/MASK)`], fourier: d } as FourierCutout;
}
