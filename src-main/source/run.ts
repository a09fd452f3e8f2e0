// Source reconstruction behind a modelled lens, shared by `lensdesk source` and the "Reconstruct source"
// job: lens draws → per-draw problems (src-core/inverse/source) → Gaussian (exact) or learned (annealed
// Langevin) posterior → the FITS product: MEAN, STD, SAMPLES on the source plane (with SRC-X/SRC-Y
// arcsec axes and PIXSCALE = the source pixel side) and the image-plane MODEL (lensed posterior mean
// + the subtracted lens light at the median lens) and RESIDUAL (data − MODEL) of the band used.
import type { HduSpec } from '../../src-core/fits/writer';
import { InputError } from '../../src-core/errors';
import type { LensFitInput } from '../../src-core/infer/lens-fit';
import { reconstructGaussian } from '../../src-core/inverse/source/reconstruct-gaussian';
import { defaultSourceSpectrum, type SourceGrid } from '../../src-core/inverse/source/source-lens';
import { SourceProblems, brightestSourceBand, defaultSourceGrid, sersicSourceImage } from '../../src-core/inverse/source/source-problem';
import { Rng } from '../../src-core/rng';
import { reconstructLearned } from './learned';
import { pickDraws, type LensDraws } from './lens-draws';

export interface SourceRunOptions {
  input: LensFitInput;
  draws: LensDraws;
  /** Lens draws used (default 8; 1 = the median lens only). */
  lensDraws?: number;
  band?: string;
  /** Source grid side in pixels (default 64). */
  grid?: number;
  /** Source pixel side in arcsec (default: R_e/4 of the fit, else image pixel/4). */
  sourceScale?: number;
  /** 'wiener' or a score-model folder. */
  prior: 'wiener' | { dir: string };
  samples: number;
  seed: number;
  stepsPerLevel?: number;
  threads?: number;
  /** Fit the Gaussian prior amplitude by evidence (16 Cholesky factorisations) instead of moments. */
  evidence?: boolean;
  signal?: AbortSignal;
  progress?: (done: number, total: number, label?: string) => void;
}

export interface SourceRunResult {
  grid: SourceGrid;
  band: string;
  mean: Float64Array;
  std: Float64Array;
  samples: Float64Array[];
  /** Image plane (size × size) of the band used. */
  model: Float64Array;
  residual: Float64Array;
  lensSubtracted: boolean;
  summary: Record<string, unknown>;
}

export async function runSourceReconstruction(o: SourceRunOptions): Promise<SourceRunResult> {
  const t0 = performance.now();
  const { input } = o;
  const draws = pickDraws(o.draws, o.lensDraws ?? 8);
  const median = draws[0]!;
  let band: number;
  if (o.band !== undefined) {
    band = input.bands.indexOf(o.band);
    if (band < 0) throw new InputError('SOURCE_BAND', `band '${o.band}' is not in the cutout (${input.bands.join(', ')})`, { band: o.band });
  } else band = brightestSourceBand(input, median);
  const grid = defaultSourceGrid(median, input.pixelScale, o.grid ?? 64, o.sourceScale);
  const sp = new SourceProblems(input, band, grid);
  const problems = draws.map((d) => sp.forDraw(d));
  const rng = new Rng(o.seed, 0x50c);
  const spectrum = defaultSourceSpectrum(grid.rows, grid.cols);
  let mean: Float64Array, std: Float64Array, samples: Float64Array[];
  const extra: Record<string, unknown> = {};
  if (o.prior === 'wiener') {
    o.progress?.(0, problems.length, 'Gaussian posterior per lens draw');
    const g = reconstructGaussian(problems, spectrum, { samples: o.samples, rng, evidence: o.evidence, signal: o.signal, onProgress: (d, t) => o.progress?.(d, t, 'Gaussian posterior per lens draw') });
    ({ mean, std, samples } = g);
    Object.assign(extra, {
      method: 'exact Gaussian posterior (data-space Cholesky); std² = conditional variance at the median lens + variance of the conditional means over the lens draws',
      prior: { kind: 'gaussian', spectrum: 'c_k ∝ (|k|² + k0²)^(−3/2), k0 = 4/n, periodic', amplitude: g.amplitude, amplitudeFrom: g.amplitudeFrom }, logEvidence: g.logEvidence,
      activePixels: g.activePixels, stdFixedLensMedian: median1(g.stdFixedLens),
    });
  } else {
    // Scale: the fit's Sérsic source peak on the grid at the median lens, else the brightest lens-subtracted pixels.
    const p0 = problems[0]!;
    const scale = Number.isFinite(p0.sourceAmplitude) && p0.sourceAmplitude > 0
      ? Math.max(...sersicSourceImage(p0.theta, p0.sourceAmplitude, grid))
      : percentile(p0.y.filter((_, i) => Number.isFinite(p0.variance[i]!)), 0.995);
    o.progress?.(0, 1, 'annealed Langevin');
    const r = await reconstructLearned(o.prior.dir, problems, scale, {
      samples: o.samples, rng, stepsPerLevel: o.stepsPerLevel, threads: o.threads, signal: o.signal, onProgress: (d, t) => o.progress?.(d, t, 'annealed Langevin (σ levels)'),
    });
    ({ mean, std, samples } = r);
    Object.assign(extra, { method: r.method, prior: { kind: 'score', dir: o.prior.dir, scale, scaleFrom: Number.isFinite(p0.sourceAmplitude) ? 'fitted Sérsic source peak' : '99.5th percentile of the lens-subtracted data' } });
  }
  const p0 = problems[0]!;
  const lensed = p0.operator.apply(mean);
  const n = input.size * input.size;
  const data = input.image.subarray(band * n, (band + 1) * n);
  const model = lensed.map((v, i) => v + (p0.lensLight ? p0.lensLight[i]! : 0));
  const residual = model.map((v, i) => (Number.isFinite(p0.variance[i]!) ? data[i]! - v : Number.NaN));
  let chi2 = 0, npix = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(residual[i]!)) { chi2 += residual[i]! ** 2 / p0.variance[i]!; npix++; }
  o.progress?.(1, 1, 'source done');
  return {
    grid, band: input.bands[band]!, mean, std, samples, model, residual, lensSubtracted: !!p0.lensLight,
    summary: {
      band: input.bands[band]!, grid: { rows: grid.rows, cols: grid.cols, pixelScale: grid.pixelScale, centre: grid.centre },
      lensDraws: draws.length, lensFrom: o.draws.from, lensSubtracted: !!p0.lensLight, samples: samples.length,
      sourcePixelsReached: p0.operator.sourcePixelsReached, chi2PerPixel: chi2 / Math.max(npix, 1), seconds: (performance.now() - t0) / 1000, ...extra,
    },
  };
}

function median1(v: Float64Array): number {
  const s = Float64Array.from(v).sort();
  return s[s.length >> 1]!;
}

function percentile(v: Float64Array, p: number): number {
  const s = Float64Array.from(v).sort();
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

/** Source-plane axes: arcsec offsets from the lens centre (linear; not a sky WCS). */
function sourceCards(g: SourceGrid): Array<{ keyword: string; value: string | number; comment?: string }> {
  return [
    { keyword: 'CTYPE1', value: 'SRC-X', comment: 'source-plane offset x (linear)' }, { keyword: 'CUNIT1', value: 'arcsec' },
    { keyword: 'CRPIX1', value: (g.cols + 1) / 2 }, { keyword: 'CRVAL1', value: g.centre[0] }, { keyword: 'CDELT1', value: g.pixelScale },
    { keyword: 'CTYPE2', value: 'SRC-Y', comment: 'source-plane offset y (linear)' }, { keyword: 'CUNIT2', value: 'arcsec' },
    { keyword: 'CRPIX2', value: (g.rows + 1) / 2 }, { keyword: 'CRVAL2', value: g.centre[1] }, { keyword: 'CDELT2', value: g.pixelScale },
    { keyword: 'PIXSCALE', value: g.pixelScale, comment: 'source-plane pixel side, arcsec' },
  ];
}

/** The product's HDUs: primary (summary cards), MEAN, STD, SAMPLES (source plane), MODEL, RESIDUAL (image plane). */
export function sourceHdus(r: SourceRunResult, imagePixelScale: number, size: number, priorName: string): HduSpec[] {
  const g = r.grid, s = r.summary;
  const meta = [
    { keyword: 'PRODUCT', value: 'source', comment: 'LensDesk source reconstruction' },
    { keyword: 'PRIOR', value: priorName.slice(-68) }, { keyword: 'BAND', value: r.band },
    { keyword: 'NLENS', value: Number(s.lensDraws), comment: 'lens-model draws used' },
    { keyword: 'NSAMPLES', value: r.samples.length, comment: 'posterior samples in SAMPLES' },
    { keyword: 'LENSSUB', value: r.lensSubtracted, comment: 'fitted lens light subtracted' },
    { keyword: 'SRCSCALE', value: g.pixelScale, comment: 'source-plane pixel side, arcsec' },
  ];
  const src = [...sourceCards(g), ...meta];
  const img = [{ keyword: 'PIXSCALE', value: imagePixelScale, comment: 'image pixel side, arcsec' }, ...meta];
  const n = g.rows * g.cols;
  const hdus: HduSpec[] = [
    { kind: 'image', shape: [], cards: meta },
    { kind: 'image', shape: [g.rows, g.cols], data: r.mean, extname: 'MEAN', cards: src },
    { kind: 'image', shape: [g.rows, g.cols], data: r.std, extname: 'STD', cards: src },
  ];
  if (r.samples.length) {
    const all = new Float64Array(r.samples.length * n);
    r.samples.forEach((x, k) => all.set(x, k * n));
    hdus.push({ kind: 'image', shape: [r.samples.length, g.rows, g.cols], data: all, extname: 'SAMPLES', cards: src });
  }
  hdus.push({ kind: 'image', shape: [size, size], data: r.model, extname: 'MODEL', cards: img });
  hdus.push({ kind: 'image', shape: [size, size], data: r.residual, extname: 'RESIDUAL', cards: img });
  return hdus;
}
