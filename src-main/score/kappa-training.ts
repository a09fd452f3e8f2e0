// Training maps for the hybrid κ prior (Remy et al. 2020; mass-mapping.md §7): random crops of simulated
// convergence maps (κTNG; 8 dihedral symmetries are added by the trainer) plus lognormal and Gaussian
// random fields made here with the theory spectrum, and the analytic Gaussian score s_G(κ, σ) that the
// network's output is the residual of. Crops of separate held-out maps give the card's held-out loss.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError } from '../../src-core/errors';
import { readImage } from '../../src-core/fits/image';
import { Rng } from '../../src-core/rng';
import { GaussianKappaScore } from '../../src-core/massmap/gaussian-score';
import { cropMap, gaussianRandomField, lognormalField, lognormalGaussianSpectrum, lognormalShiftFromSkewness } from '../../src-core/massmap/kappa-fields';
import { ARCMIN_RAD, ksKernel } from '../../src-core/massmap/ks93';
import { modeVariance, parsePowerTable, type PowerTable } from '../../src-core/massmap/spectrum';
import { openFitsFile } from '../fits/file-source';
import type { PriorTrainOptions, TrainingImages } from './train-prior';
import type { UnetConfig } from '../../src-core/score/unet-graph';
import { createUnetScorer, unetInferenceOnnx, type UnetScorer } from './unet-engine';

/** What the card stores so a sampler can rebuild s_G on any grid at the same pixel scale. */
export interface KappaResidualCard {
  kind: 'gaussian-kappa';
  pixArcmin: number;
  psFile: string;
  ell: number[];
  cl: number[];
  /**
   * What the network sees (absent = 'noisy', the first models): the noisy map x̃ itself, or the Gaussian
   * part's posterior mean x̃ + σ²s_G(x̃, σ) (the Wiener-denoised map; Remy et al. feed σ²s_G as a second
   * channel). The map is an invertible linear function of x̃, so no information is lost, but at a weak-
   * lensing map's pixel noise (σ_pix ≈ 6 × the κ rms) the network no longer has to build the ~25-pixel
   * Wiener kernel itself out of 3 × 3 convolutions on a map that is almost all noise.
   */
  input?: 'noisy' | 'gaussian-mean';
}

/** The network input for `card.input = 'gaussian-mean'`: x̃ + σ²s_G(x̃, σ) per image (n images of S × S). */
export function kappaNetworkInput(card: KappaResidualCard, size: number): ((x: Float32Array, sigma: Float32Array) => Float32Array) | undefined {
  if ((card.input ?? 'noisy') === 'noisy') return undefined;
  const sG = gaussianScoreFor(card, size, size), d = size * size, g = new Float64Array(d);
  return (x, sigma) => {
    const out = new Float32Array(x.length);
    for (let b = 0; b < sigma.length; b++) {
      const s = sigma[b]!, xi = x.subarray(b * d, (b + 1) * d);
      sG.score(xi, s, g, s * s);
      for (let i = 0; i < d; i++) out[b * d + i] = xi[i]! + g[i]!;
    }
    return out;
  };
}

/** A scorer for a hybrid κ prior's network on S × S grids (its residual r_θ; s_G is added by the sampler). */
export async function createKappaResidualScorer(model: { card: { config: UnetConfig; residualOf?: unknown }; weights: ReadonlyMap<string, Float32Array> }, size: number, threads?: number): Promise<UnetScorer> {
  const card = model.card.residualOf as KappaResidualCard | undefined;
  return createUnetScorer(unetInferenceOnnx({ ...model.card.config, size }, model.weights), size, { threads, input: card ? kappaNetworkInput(card, size) : undefined });
}

export interface KappaTrainingOptions {
  maps: string[];
  heldOutMaps: string[];
  ps: string;
  pixArcmin: number;
  size: number;
  /** Crops per training map, lognormal fields, Gaussian fields. */
  crops: number;
  lognormal: number;
  gaussian: number;
  seed: number;
  /** The network's input (KappaResidualCard.input); default 'noisy'. */
  input?: 'noisy' | 'gaussian-mean';
}

function readKappaMap(path: string): { data: Float64Array; rows: number; cols: number; mean: number } {
  const file = openFitsFile(path);
  const hdu = file.hdus().find((h) => (h.type === 'primary' || h.type === 'image') && h.naxes.filter((v) => v > 1).length >= 2);
  if (!hdu) throw new InputError('PRIOR_KAPPA', `${path}: no 2-D image HDU (a convergence map is needed)`, { path });
  const img = readImage(file, hdu);
  const [rows, cols] = [img.shape[img.shape.length - 2]!, img.shape[img.shape.length - 1]!];
  const data = Float64Array.from({ length: rows * cols }, (_, i) => Number((img.data as ArrayLike<number>)[i]));
  let mean = 0, bad = 0;
  for (const v of data) {
    if (Number.isFinite(v)) mean += v;
    else bad++;
  }
  if (bad) throw new InputError('PRIOR_KAPPA', `${path}: ${bad} non-finite pixels in the κ map`, { path });
  return { data, rows, cols, mean: mean / data.length };
}

export function readPowerTableFile(path: string): PowerTable {
  return parsePowerTable(readFileSync(path, 'utf8'), path);
}

/** Analytic part s_G on a rows × cols grid at the card's pixel scale. */
export function gaussianScoreFor(card: KappaResidualCard, rows: number, cols: number): GaussianKappaScore {
  const P = modeVariance(ksKernel(rows, cols, card.pixArcmin * ARCMIN_RAD), { ell: Float64Array.from(card.ell), cl: Float64Array.from(card.cl) });
  return new GaussianKappaScore(rows, cols, P);
}

export function kappaTrainingSet(o: KappaTrainingOptions): { data: TrainingImages; residual: NonNullable<PriorTrainOptions['residual']> } {
  const { size } = o, d = size * size;
  const table = readPowerTableFile(o.ps);
  const rcard: KappaResidualCard = { kind: 'gaussian-kappa', pixArcmin: o.pixArcmin, psFile: basename(o.ps), ell: Array.from(table.ell), cl: Array.from(table.cl) };
  if (o.input && o.input !== 'noisy') rcard.input = o.input;
  const sG = gaussianScoreFor(rcard, size, size);
  const P = sG.P;
  const rng = new Rng(o.seed, 77);
  const maps = o.maps.map(readKappaMap), held = o.heldOutMaps.map(readKappaMap);
  const lambdas = maps.map((m) => lognormalShiftFromSkewness(m.data));
  const lambda = lambdas.length ? lambdas.reduce((a, b) => a + b, 0) / lambdas.length : 0.03;
  const count = maps.length * o.crops + o.lognormal + o.gaussian;
  if (count < 2) throw new InputError('PRIOR_KAPPA', 'the κ training set is empty: give --kappa maps or --lognormal/--grf counts', {});
  const images = new Float32Array(count * d);
  let j = 0;
  for (const m of maps)
    for (let c = 0; c < o.crops; c++, j++) cropMap(m.data, m.rows, m.cols, size, rng.int(m.rows), rng.int(m.cols), m.mean, images.subarray(j * d, (j + 1) * d));
  const spec = lognormalGaussianSpectrum(size, P, lambda);
  for (let c = 0; c < o.lognormal; c++, j++) images.set(lognormalField(size, spec, lambda, rng), j * d);
  for (let c = 0; c < o.gaussian; c++, j++) images.set(gaussianRandomField(size, P, rng), j * d);
  // held out: a grid of non-overlapping crops of each held-out map (or fresh lognormal fields without one)
  const heldList: Float32Array[] = [];
  for (const m of held)
    for (let r = 0; r + size <= m.rows; r += size)
      for (let c = 0; c + size <= m.cols; c += size) {
        const a = new Float32Array(d);
        cropMap(m.data, m.rows, m.cols, size, r, c, m.mean, a);
        heldList.push(a);
      }
  if (!heldList.length) for (let c = 0; c < 16; c++) heldList.push(Float32Array.from(lognormalField(size, spec, lambda, rng)));
  const heldOut = new Float32Array(heldList.length * d);
  heldList.forEach((a, i) => heldOut.set(a, i * d));
  const description = {
    source: 'kappa', pixArcmin: o.pixArcmin, size,
    maps: o.maps.map((p) => ({ file: basename(p), crops: o.crops })), heldOutMaps: o.heldOutMaps.map((p) => basename(p)),
    lognormal: { fields: o.lognormal, shift: Math.round(lambda * 1e6) / 1e6, spectrum: basename(o.ps) },
    gaussian: { fields: o.gaussian, spectrum: basename(o.ps) },
    images: count, heldOut: heldList.length, seed: o.seed,
    preprocessing: 'map mean removed; random (wrapping) crops; 8 dihedral symmetries at training time',
  };
  const residual = {
    card: rcard as unknown as Record<string, unknown>,
    offset: (xn: Float32Array, sigma: number, out: Float32Array) => sG.score(xn, sigma, out, sigma),
    input: kappaNetworkInput(rcard, size),
  };
  return { data: { images, count, heldOut, heldOutCount: heldList.length, description }, residual };
}
