// Restore of one workspace stamp (the app's Restore, jobs/kinds/restore.ts): the same solvers as
// `lensdesk restore` (run.ts solveBands / restoreHdus), with what the CLI takes from options taken from
// the workspace instead:
//  - op 'auto': inpaint when the stamp has NaNs or a MASK/DQ/BPM HDU, else deconvolve (which denoises too:
//    the Wiener / score posterior of y = h ⊛ x + n);
//  - PSF: a Gaussian of the survey preset's seeing per band (as the fit job, src-core/infer/lens-stamp.ts);
//  - noise: the median of the stamp's VARIANCE planes, else 1.4826 × MAD of the border (run.ts borderNoise);
//  - prior 'auto': the bundled score prior when one is installed and the stamp fits its grid, else Wiener,
//    with the reason stated in the result. A stamp smaller than the network's grid (45² LSST stamps and a
//    64² prior) is mirror-padded to it (symmetric extension, as in wavelet denoising; it also avoids the
//    periodic-boundary jump of the FFT operators) and the result cropped back; the mirrored pixels repeat
//    measured noise, so the std within (S − n)/2 pixels of the edge is somewhat optimistic (said in notes).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../src-core/errors';
import type { CardInput } from '../../src-core/fits/card-format';
import type { HduSpec } from '../../src-core/fits/writer';
import { gaussianPsf, type PsfArray } from '../../src-core/inverse/operators/convolution';
import { getPreset } from '../../src-core/lens/presets';
import { Rng } from '../../src-core/rng';
import type { DecodedStamp } from '../../src-core/stamps/format';
import { borderNoise, readMask, restoreHdus, solveBands } from './run';
import type { BandProblem, BandResult, ClassicPrior, RestoreOp } from './solve';

export type OpChoice = 'auto' | RestoreOp;
export type PriorChoice = 'auto' | 'learned' | ClassicPrior;

export interface StampRestoreOptions {
  op: OpChoice;
  prior: PriorChoice;
  samples: number;
  seed: number;
  /** Survey preset for the PSF (Gaussian of its seeing per band). */
  preset: string;
  /** The installed score prior (bundledScorePrior()), or null. */
  modelDir: string | null;
  stepsPerLevel?: number;
  /** σ levels of the learned sampler (learned.ts default). */
  levels?: number;
  threads?: number;
  signal?: AbortSignal;
}

export interface StampRestoreResult {
  hdus: HduSpec[];
  mean: Float32Array[];
  std: Float32Array[] | null;
  /** What ran: op, prior ('score-unet' | 'wiener' | 'tv' | 'l1'), why, PSF, noise per band, notes. */
  summary: {
    op: RestoreOp; prior: string; priorReason: string; modelDir: string | null; method: string; psf: string;
    noiseSigma: number[]; noiseFrom: string; meanStd: number[] | null; samples: number; badPixels: number; mask: string | null; notes: string[];
  };
}

const WCS_KEY = /^(CTYPE|CRPIX|CRVAL|CDELT|CUNIT|CROTA)[12]$|^(CD|PC)[12]_[12]$|^(RADESYS|RADECSYS|EQUINOX|LONPOLE|LATPOLE|MJD-OBS|DATE-OBS|WCSAXES)$/;

/** The grid side of a score-model folder (card.json config.size). */
export function scoreModelSize(dir: string): number {
  const card = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8')) as { config?: { size?: number } };
  const s = card.config?.size;
  if (!Number.isInteger(s) || s! <= 0) throw new InputError('SCORE_MODEL_FORMAT', `${join(dir, 'card.json')}: no config.size`, { path: join(dir, 'card.json') });
  return s!;
}

/** Symmetric (mirror, edge pixel repeated) index of i in [0, n). */
function mirror(i: number, n: number): number {
  const p = 2 * n;
  let k = ((i % p) + p) % p;
  if (k >= n) k = p - 1 - k;
  return k;
}

/** rows × cols → S × S, the original at offset (r0, c0); outside it the mirror image. */
export function mirrorPad<T extends Float64Array | Uint8Array>(a: T, rows: number, cols: number, S: number): T {
  const r0 = (S - rows) >> 1, c0 = (S - cols) >> 1;
  const out = new (a.constructor as new (n: number) => T)(S * S);
  for (let r = 0; r < S; r++) for (let c = 0; c < S; c++) out[r * S + c] = a[mirror(r - r0, rows) * cols + mirror(c - c0, cols)]!;
  return out;
}

export function cropCentre(a: Float64Array, S: number, rows: number, cols: number): Float64Array {
  const r0 = (S - rows) >> 1, c0 = (S - cols) >> 1, out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) out.set(a.subarray((r + r0) * S + c0, (r + r0) * S + c0 + cols), r * cols);
  return out;
}

export async function restoreStamp(
  stamp: DecodedStamp, file: string, o: StampRestoreOptions, progress: (d: number, t: number, l?: string) => void,
): Promise<StampRestoreResult> {
  const B = stamp.planes.length, rows = stamp.height, cols = stamp.width, n = rows * cols;
  const mask = readMask(file, B, n);
  let badPixels = 0;
  for (let b = 0; b < B; b++) for (let i = 0; i < n; i++) if (!Number.isFinite(stamp.planes[b]![i]!) || mask?.bad[b * n + i]) badPixels++;
  const op: RestoreOp = o.op === 'auto' ? (badPixels > 0 ? 'inpaint' : 'deconvolve') : o.op;

  // PSF per band from the survey preset, as the fit job models it (Gaussian of the seeing FWHM).
  const preset = getPreset(o.preset);
  const scale = stamp.pixelScale ?? preset.pixelScale;
  let psfs: PsfArray[] | undefined;
  if (op === 'deconvolve') {
    psfs = stamp.bands.map((b) => {
      const spec = preset.bands[b];
      if (!spec) throw new InputError('RESTORE_PSF', `${file}: survey preset ${preset.name} has no band '${b}' for the PSF (bands: ${Object.keys(preset.bands).join(', ')})`, { file, band: b, preset: preset.name });
      return gaussianPsf(spec.seeing / scale);
    });
  }
  const psfText = psfs ? `Gaussian, ${preset.name} seeing ${stamp.bands.map((b) => `${b} ${preset.bands[b]!.seeing}″`).join(', ')} at ${scale}″/px` : 'none';

  const problems: BandProblem[] = [], sigmas: number[] = [];
  const noiseFrom = stamp.variance?.length === B ? 'VARIANCE planes (median)' : 'border MAD';
  for (let b = 0; b < B; b++) {
    const y = Float64Array.from(stamp.planes[b]!);
    let s2: number;
    if (stamp.variance?.length === B) {
      const v = Array.from(stamp.variance[b]!).filter((x) => x > 0 && Number.isFinite(x)).sort((p, q) => p - q);
      s2 = v[v.length >> 1]!;
    } else s2 = borderNoise(y, rows, cols) ** 2;
    if (!(s2 > 0)) throw new InputError('RESTORE_NOISE', `${file} band ${stamp.bands[b]}: could not estimate the noise (σ² = ${s2})`, { file, band: stamp.bands[b] });
    sigmas.push(Math.sqrt(s2));
    problems.push({ rows, cols, y, noiseVariance: s2, bad: mask?.bad.slice(b * n, (b + 1) * n), psf: psfs?.[b] });
  }

  // Which prior runs, and why.
  let prior: ClassicPrior | 'score' = o.prior === 'auto' || o.prior === 'learned' ? 'wiener' : o.prior;
  let reason = o.prior === 'auto' ? '' : 'requested';
  let S = 0;
  if (o.prior === 'auto' || o.prior === 'learned') {
    const why = !o.modelDir
      ? 'no score prior installed (models/priors/score-galaxies-48s or score-galaxies-64, or LENSDESK_SCORE_PRIOR=DIR)'
      : (S = scoreModelSize(o.modelDir)) < rows || S < cols
        ? `the score prior works on ${S} × ${S} images; this stamp is ${cols} × ${rows}`
        : o.samples < 2 ? `the score prior needs ≥ 2 samples (got ${o.samples})` : '';
    if (why && o.prior === 'learned') throw new InputError('RESTORE_PRIOR', `prior 'learned': ${why}`, { field: 'params.prior', file });
    if (why) reason = `Wiener: ${why}`;
    else {
      prior = 'score';
      reason = o.prior === 'learned' ? 'requested' : 'bundled score prior installed';
    }
  }
  const notes: string[] = [];
  let solveProblems = problems;
  const padded = prior === 'score' && (S !== rows || S !== cols);
  if (padded) {
    solveProblems = problems.map((p) => ({
      ...p, rows: S, cols: S, y: mirrorPad(p.y, rows, cols, S), bad: p.bad ? mirrorPad(p.bad, rows, cols, S) : undefined,
    }));
    notes.push(`mirror-padded ${cols} × ${rows} → ${S} × ${S} for the score network and cropped back; std within ${Math.ceil((S - Math.min(rows, cols)) / 2)} px of the edge is optimistic (mirrored noise)`);
  }
  const raw = await solveBands(solveProblems, {
    op, prior, modelDir: prior === 'score' ? o.modelDir! : undefined, samples: prior === 'tv' || prior === 'l1' ? 0 : o.samples,
    rng: new Rng(o.seed, 0x7e5), stepsPerLevel: o.stepsPerLevel, levels: o.levels, threads: o.threads, signal: o.signal,
  }, progress);
  const results: BandResult[] = padded
    ? raw.map((r) => ({ ...r, mean: cropCentre(r.mean, S, rows, cols), std: r.std && cropCentre(r.std, S, rows, cols), samples: r.samples.map((x) => cropCentre(x, S, rows, cols)) }))
    : raw;
  const wcsCards: CardInput[] = [];
  for (const [k, v] of stamp.header.entries()) if (WCS_KEY.test(k) && v !== undefined && v !== null) wcsCards.push({ keyword: k, value: v as CardInput['value'] });
  const hdus = restoreHdus(results, { bands: stamp.bands, rows, cols, wcsCards }, { op, prior, modelDir: prior === 'score' ? o.modelDir! : undefined, noiseSigma: sigmas[0]!, noiseFrom });
  const hasStd = results.every((r) => r.std);
  const mean = results.map((r) => Float32Array.from(r.mean));
  const std = hasStd ? results.map((r) => Float32Array.from(r.std!)) : null;
  return {
    hdus, mean, std,
    summary: {
      op, prior: prior === 'score' ? 'score-unet' : prior, priorReason: reason, modelDir: prior === 'score' ? o.modelDir : null,
      method: results[0]!.method, psf: psfText, noiseSigma: sigmas, noiseFrom,
      meanStd: std ? std.map((s) => s.reduce((a, v) => a + v, 0) / n) : null,
      samples: results[0]!.samples.length, badPixels, mask: mask?.from ?? null,
      notes: [...notes, ...results.flatMap((r, b) => r.notes.map((t) => `${stamp.bands[b]}: ${t}`))],
    },
  };
}
