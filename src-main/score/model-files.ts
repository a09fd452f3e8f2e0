// Score U-Net model folders: model.onnx (the inference graph with its weights: score(x, σ)),
// weights.bin (float32, parameters concatenated in card.params order, little-endian), card.json
// (configuration, parameter list, training set, σ ladder, loss per σ against the Gaussian floor,
// speed). A training run also keeps checkpoint.json + checkpoint.bin (weights, Adam m and v) so an
// interrupted run resumes (`--resume`). Files are written atomically (temp file + rename).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../src-core/errors';
import type { UnetConfig } from '../../src-core/score/unet-graph';
import type { AdamState } from './unet-engine';
import type { SigmaFocus } from './train-prior';

export const SCORE_MODEL_FORMAT = 'lensdesk-score-unet/1';

export interface ParamEntry {
  name: string;
  dims: number[];
}

export interface ScoreUnetCard {
  format: typeof SCORE_MODEL_FORMAT;
  model: 'score-unet';
  version: string;
  created: string;
  config: UnetConfig;
  params: ParamEntry[];
  trainingSet: Record<string, unknown>;
  /** Training σ range (log-uniform draws) and the evaluation/sampling ladder (geometric, decreasing). */
  sigmaRange: [number, number];
  sigmaLadder: number[];
  lossPerSigma: Array<{ sigma: number; loss: number; gaussianFloor: number; images: number }>;
  steps: number;
  batch: number;
  learningRate: number;
  seed: number;
  engine: string;
  seconds: number;
  imagesPerSecond: number;
  finalTrainLoss: number;
  /** Hybrid priors only: the analytic score the network is the residual of (e.g. the Gaussian κ prior). */
  residualOf?: Record<string, unknown>;
  /** Fine-tuned models (`prior train --init`): the model it started from and that model's steps. */
  initFrom?: { dir: string; steps?: number };
  /** `prior train --sigma-focus`: a fraction of the training draws near one σ (train-prior.ts `drawTrainingSigma`). */
  sigmaFocus?: SigmaFocus & { factor: number };
  /** The annealed-Langevin ladder this model was validated with (levels × steps per level); samplers use it
   * unless told otherwise. Absent: the samplers' own defaults. */
  sampler?: { levels: number; steps: number; note?: string };
}

const atomicWrite = (path: string, data: string | Uint8Array) => {
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
};

export function packWeights(params: readonly ParamEntry[], maps: ReadonlyArray<ReadonlyMap<string, Float32Array>>): Uint8Array {
  const per = params.reduce((s, p) => s + p.dims.reduce((a, b) => a * b, 1), 0);
  const all = new Float32Array(per * maps.length);
  let o = 0;
  for (const m of maps)
    for (const p of params) {
      const w = m.get(p.name)!;
      all.set(w, o);
      o += w.length;
    }
  return new Uint8Array(all.buffer);
}

export function unpackWeights(params: readonly ParamEntry[], bytes: Uint8Array, copies: number, file: string): Map<string, Float32Array>[] {
  const per = params.reduce((s, p) => s + p.dims.reduce((a, b) => a * b, 1), 0);
  if (bytes.byteLength !== per * copies * 4) throw new InputError('SCORE_MODEL_SIZE', `${file}: ${bytes.byteLength} bytes, expected ${per * copies * 4} for ${copies}× ${per} float32 weights`, { file });
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const out: Map<string, Float32Array>[] = [];
  let o = 0;
  for (let c = 0; c < copies; c++) {
    const m = new Map<string, Float32Array>();
    for (const p of params) {
      const n = p.dims.reduce((a, b) => a * b, 1);
      m.set(p.name, all.slice(o, o + n));
      o += n;
    }
    out.push(m);
  }
  return out;
}

export function writeScoreModel(dir: string, card: ScoreUnetCard, weights: ReadonlyMap<string, Float32Array>, onnx: Uint8Array): void {
  atomicWrite(join(dir, 'weights.bin'), packWeights(card.params, [weights]));
  atomicWrite(join(dir, 'model.onnx'), onnx);
  atomicWrite(join(dir, 'card.json'), JSON.stringify(card, null, 2) + '\n');
}

export function readScoreModel(dir: string): { card: ScoreUnetCard; weights: Map<string, Float32Array>; onnx: Uint8Array } {
  const cardPath = join(dir, 'card.json');
  if (!existsSync(cardPath)) throw new InputError('SCORE_MODEL_MISSING', `${cardPath} does not exist (not a score model folder)`, { path: cardPath });
  const card = JSON.parse(readFileSync(cardPath, 'utf8')) as ScoreUnetCard;
  if (card.format !== SCORE_MODEL_FORMAT) throw new InputError('SCORE_MODEL_FORMAT', `${cardPath}: format '${card.format}', expected '${SCORE_MODEL_FORMAT}'`, { path: cardPath });
  const file = join(dir, 'weights.bin');
  const [weights] = unpackWeights(card.params, readFileSync(file), 1, file);
  return { card, weights: weights!, onnx: readFileSync(join(dir, 'model.onnx')) };
}

export interface Checkpoint {
  format: typeof SCORE_MODEL_FORMAT;
  /** Pins what a resumed run must match. */
  options: Record<string, unknown>;
  /** Learning-rate warm-up length, fixed by the first run (a resume may change the step count). */
  warmupSteps?: number;
  config: UnetConfig;
  params: ParamEntry[];
  step: number;
  seconds: number;
  iterations: number;
  losses: number[];
}

export function writeCheckpoint(dir: string, ck: Checkpoint, weights: ReadonlyMap<string, Float32Array>, adam: AdamState): void {
  atomicWrite(join(dir, 'checkpoint.bin'), packWeights(ck.params, [weights, adam.m, adam.v]));
  atomicWrite(join(dir, 'checkpoint.json'), JSON.stringify(ck) + '\n');
}

export function readCheckpoint(dir: string): { ck: Checkpoint; weights: Map<string, Float32Array>; adam: AdamState } | null {
  const path = join(dir, 'checkpoint.json');
  if (!existsSync(path)) return null;
  const ck = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
  const file = join(dir, 'checkpoint.bin');
  const [weights, m, v] = unpackWeights(ck.params, readFileSync(file), 3, file);
  return { ck, weights: weights!, adam: { iterations: ck.iterations, m: m!, v: v! } };
}
