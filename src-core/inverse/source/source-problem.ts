// One band of a lens cutout as source-reconstruction problems, one per lens-model draw (learned-priors.md
// §8: "model or subtract the lens light first"). For a draw of the fit's 12 parameters (LENS_PARAM_NAMES)
// the lens light is the fit's own de Vaucouleurs template times its NNLS amplitude at that draw
// (LensModel.solve, the same forward model `lensdesk fit` sampled), subtracted from the data; a draw
// of 5 lens parameters only (an explicit lens) subtracts nothing (give a lens-subtracted cutout then).
// The source grid: n × n pixels centred on the fit's median source position; its pixel side defaults to a
// quarter of the median Sérsic R_e (the bundled galaxy prior is trained on R_e of 2–10 pixels), else a
// quarter of the image pixel.
import { InputError } from '../../errors';
import { lens12FromInput, type LensFitInput } from '../../infer/lens-fit';
import { addSersicExact, ellipticityToQPhi, type LensModel } from '../../infer/lens-model';
import { makeKernel } from '../../lens/psf';
import { psfArrayFromKernel, sourceOperator, type SourceGrid } from './source-lens';
import type { LensingOperator } from '../operators/lensing';

export interface SourceDrawProblem {
  theta: Float64Array;
  operator: LensingOperator;
  /** Data of the band minus the lens light of this draw (size × size). */
  y: Float64Array;
  /** Noise variance (Infinity where unmeasured). */
  variance: Float64Array;
  /** The subtracted lens light (null: nothing subtracted). */
  lensLight: Float64Array | null;
  /** The fit's Sérsic source amplitude in this band at this draw (e⁻ per pixel at R_e; NaN: explicit lens). */
  sourceAmplitude: number;
}

/**
 * The fit's parametric (Sérsic) source of a 12-parameter draw on the source grid, averaged over ss × ss
 * sub-pixels: amplitude × I(β)/I_e, the same profile and ellipticity convention as the fit (addSersicExact).
 * The truth of a simulated lens, or the scale of the source for the learned prior.
 */
export function sersicSourceImage(theta: ArrayLike<number>, amplitude: number, grid: SourceGrid, ss = 2): Float64Array {
  const { rows, cols, pixelScale: d } = grid, n = rows * cols * ss * ss;
  const xs = new Float64Array(n), ys = new Float64Array(n), pix = new Int32Array(n), wt = new Float64Array(n).fill(1 / (ss * ss));
  let k = 0;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) for (let b = 0; b < ss; b++) for (let a = 0; a < ss; a++) {
    xs[k] = grid.centre[0] + (j - (cols - 1) / 2 + (a + 0.5) / ss - 0.5) * d;
    ys[k] = grid.centre[1] + (i - (rows - 1) / 2 + (b + 0.5) / ss - 0.5) * d;
    pix[k++] = i * cols + j;
  }
  const { q, phi } = ellipticityToQPhi(theta[9]!, theta[10]!);
  const out = new Float64Array(rows * cols);
  addSersicExact(xs, ys, n, pix, wt, amplitude, theta[7]!, theta[8]!, q, phi, theta[5]!, theta[6]!, out);
  return out;
}

/** Per-parameter median of the draws (each draw the same length). */
export function medianDraw(draws: readonly Float64Array[]): Float64Array {
  const P = draws[0]!.length;
  return Float64Array.from({ length: P }, (_, j) => {
    const v = draws.map((d) => d[j]!).sort((a, b) => a - b);
    const h = v.length >> 1;
    return v.length % 2 ? v[h]! : 0.5 * (v[h - 1]! + v[h]!);
  });
}

/** Source grid from the median draw: centre (src_x, src_y), pixel side R_e/4 (else image pixel/4). */
export function defaultSourceGrid(median: ArrayLike<number>, imagePixelScale: number, n = 64, pixelScale?: number): SourceGrid {
  const full = median.length >= 12;
  const scale = pixelScale ?? (full && median[7]! > 0 ? median[7]! / 4 : imagePixelScale / 4);
  if (!(scale > 0)) throw new InputError('SOURCE_GRID', `source pixel scale must be > 0, got ${scale}`, { pixelScale: scale });
  return { rows: n, cols: n, pixelScale: scale, centre: full ? [median[5]!, median[6]!] : [0, 0] };
}

export class SourceProblems {
  readonly model: LensModel | null;
  readonly size: number;
  private readonly psf;

  constructor(readonly input: LensFitInput, readonly band: number, readonly grid: SourceGrid, readonly supersample = 3) {
    if (!(band >= 0 && band < input.bands.length)) throw new InputError('SOURCE_BAND', `band index ${band} is not in 0…${input.bands.length - 1}`, { band });
    this.model = lens12FromInput(input);
    this.size = input.size;
    this.psf = psfArrayFromKernel(makeKernel(input.psf[band]!, input.pixelScale));
  }

  /** The problem of one lens draw (12 fit parameters, or θE, e1, e2, γ1, γ2). */
  forDraw(theta: ArrayLike<number>): SourceDrawProblem {
    const n = this.size * this.size, b = this.band;
    const t = Float64Array.from(theta);
    const data = this.input.image.subarray(b * n, (b + 1) * n);
    const variance = Float64Array.from(this.input.variance.subarray(b * n, (b + 1) * n), (v, i) => (v > 0 && Number.isFinite(v) && Number.isFinite(data[i]!) ? v : Infinity));
    let lensLight: Float64Array | null = null, sourceAmplitude = Number.NaN;
    if (t.length >= 12 && this.model) {
      const sol = this.model.solve(t);
      if (!Number.isFinite(sol.chi2)) throw new InputError('SOURCE_LENS', `the lens-model draw (θE ${t[0]}) gives a non-finite χ²`, { thetaE: t[0]! });
      const amp = sol.amplitudes[2 * b + 1]!;
      sourceAmplitude = sol.amplitudes[2 * b]!;
      lensLight = Float64Array.from(this.model.lensT.subarray(b * n, (b + 1) * n), (v) => amp * v);
    }
    const y = Float64Array.from(data, (v, i) => (Number.isFinite(v) ? v - (lensLight ? lensLight[i]! : 0) : 0));
    const operator = sourceOperator(t, this.grid, { size: this.size, pixelScale: this.input.pixelScale }, this.psf, this.supersample);
    return { theta: t, operator, y, variance, lensLight, sourceAmplitude };
  }
}

/**
 * The band whose lensed source has the highest S/N at the median draw: Σ (a_src · template)² / variance.
 * With an explicit lens (no source model) the band with the largest Σ y²/variance − pixels (excess power).
 */
export function brightestSourceBand(input: LensFitInput, median: ArrayLike<number>): number {
  const n = input.size * input.size, B = input.bands.length;
  const score = new Float64Array(B);
  if (median.length >= 12) {
    const model = lens12FromInput(input);
    const sol = model.solve(median);
    for (let b = 0; b < B; b++) for (let i = b * n; i < (b + 1) * n; i++) {
      const v = input.variance[i]!;
      if (v > 0 && Number.isFinite(v)) score[b] = score[b]! + (sol.amplitudes[2 * b]! * model.srcT[i]!) ** 2 / v;
    }
  } else {
    for (let b = 0; b < B; b++) for (let i = b * n; i < (b + 1) * n; i++) {
      const v = input.variance[i]!, y = input.image[i]!;
      if (v > 0 && Number.isFinite(v) && Number.isFinite(y)) score[b] = score[b]! + y * y / v - 1;
    }
  }
  let best = 0;
  for (let b = 1; b < B; b++) if (score[b]! > score[best]!) best = b;
  return best;
}
