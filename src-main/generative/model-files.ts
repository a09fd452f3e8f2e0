// Flow-VAE model folders: encoder.onnx (x, log_sigma → mu, logvar), decoder.onnx (z → g), weights.bin
// (float32 parameters in card.params order), latent.json (the fitted latent density, by `kind`),
// card.json (format, data, PSFs, β, ELBO per epoch, moments test) and README.md. Training keeps
// checkpoint.json + checkpoint.bin (weights, Adam m, v) for --resume. Files are written atomically.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../src-core/errors';
import type { VaeConfig } from '../../src-core/generative/vae-graph';
import { latentDensityFromJSON, type LatentDensity } from '../../src-core/generative/latent-density';
import { packWeights, unpackWeights, type ParamEntry } from '../score/model-files';
import type { AdamState } from '../score/unet-engine';

export const FLOWVAE_FORMAT = 'lensdesk-flowvae/1';

export interface EpochRecord {
  epoch: number;
  step: number;
  /** Mean β = 1 ELBO per stamp without the Gaussian normalisation constant: −(½χ² + KL). */
  elbo: number;
  rec: number;
  kl: number;
}

export interface FlowVaeCard {
  format: typeof FLOWVAE_FORMAT;
  model: 'flowvae';
  created: string;
  config: VaeConfig;
  params: ParamEntry[];
  /** Survey pixel of the training stamps (arcsec) and the decoder's pixel. */
  pixelScale: number;
  decoderPixelScale: number;
  trainingSet: Record<string, unknown>;
  psfs: Record<string, unknown>;
  likelihoodModel: string;
  latentDensity: string;
  steps: number;
  learningRate: number;
  seed: number;
  engine: string;
  seconds: number;
  imagesPerSecond: number;
  elboPerEpoch: EpochRecord[];
  momentsTest?: Record<string, unknown>;
}

export interface FlowVaeCheckpoint {
  format: typeof FLOWVAE_FORMAT;
  options: Record<string, unknown>;
  config: VaeConfig;
  params: ParamEntry[];
  step: number;
  seconds: number;
  iterations: number;
  epochs: EpochRecord[];
  /** Running sums of the epoch in progress. */
  partial: { steps: number; rec: number; kl: number };
}

const atomicWrite = (path: string, data: string | Uint8Array) => {
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
};

export function writeFlowVaeModel(dir: string, card: FlowVaeCard, weights: ReadonlyMap<string, Float32Array>, onnx: { encoder: Uint8Array; decoder: Uint8Array }, density: LatentDensity, readme: string): void {
  atomicWrite(join(dir, 'weights.bin'), packWeights(card.params, [weights]));
  atomicWrite(join(dir, 'encoder.onnx'), onnx.encoder);
  atomicWrite(join(dir, 'decoder.onnx'), onnx.decoder);
  atomicWrite(join(dir, 'latent.json'), JSON.stringify(density.toJSON()) + '\n');
  atomicWrite(join(dir, 'card.json'), JSON.stringify(card, null, 2) + '\n');
  atomicWrite(join(dir, 'README.md'), readme);
}

export function readFlowVaeModel(dir: string): { card: FlowVaeCard; weights: Map<string, Float32Array>; density: LatentDensity } {
  const cardPath = join(dir, 'card.json');
  if (!existsSync(cardPath)) throw new InputError('FLOWVAE_MODEL_MISSING', `${cardPath} does not exist (not a Flow-VAE model folder)`, { path: cardPath });
  const card = JSON.parse(readFileSync(cardPath, 'utf8')) as FlowVaeCard;
  if (card.format !== FLOWVAE_FORMAT) throw new InputError('FLOWVAE_MODEL_FORMAT', `${cardPath}: format '${card.format}', expected '${FLOWVAE_FORMAT}'`, { path: cardPath });
  const file = join(dir, 'weights.bin');
  const [weights] = unpackWeights(card.params, readFileSync(file), 1, file);
  const latentPath = join(dir, 'latent.json');
  if (!existsSync(latentPath)) throw new InputError('FLOWVAE_MODEL_MISSING', `${latentPath} does not exist (the latent density of the model)`, { path: latentPath });
  return { card, weights: weights!, density: latentDensityFromJSON(JSON.parse(readFileSync(latentPath, 'utf8')), latentPath) };
}

export function writeVaeCheckpoint(dir: string, ck: FlowVaeCheckpoint, weights: ReadonlyMap<string, Float32Array>, adam: AdamState): void {
  atomicWrite(join(dir, 'checkpoint.bin'), packWeights(ck.params, [weights, adam.m, adam.v]));
  atomicWrite(join(dir, 'checkpoint.json'), JSON.stringify(ck) + '\n');
}

export function readVaeCheckpoint(dir: string): { ck: FlowVaeCheckpoint; weights: Map<string, Float32Array>; adam: AdamState } | null {
  const path = join(dir, 'checkpoint.json');
  if (!existsSync(path)) return null;
  const ck = JSON.parse(readFileSync(path, 'utf8')) as FlowVaeCheckpoint;
  if (ck.format !== FLOWVAE_FORMAT) throw new InputError('FLOWVAE_CHECKPOINT', `${path}: format '${ck.format}', expected '${FLOWVAE_FORMAT}'`, { path });
  const file = join(dir, 'checkpoint.bin');
  const [weights, m, v] = unpackWeights(ck.params, readFileSync(file), 3, file);
  return { ck, weights: weights!, adam: { iterations: ck.iterations, m: m!, v: v! } };
}
