// CMUDeepLens behind the scorer seam (src-main/scoring/scorer.ts): loads a model directory
// (model.json + weights.bin + card.json), exports it to ONNX once and scores stamps with
// onnxruntime-node; falls back to tfjs on the selected backend if onnxruntime cannot start.
// Stamps are matched to the card: bands by name (reordered as trained), size equal or
// centre-cropped from a larger odd stamp, then the card's per-band normalisation.
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ModelCard } from '../../src-core/classify/card';
import { normaliseInPlace } from '../../src-core/classify/normalise';
import { lensProbabilities } from '../../src-core/classify/model';
import { InputError } from '../../src-core/errors';
import type { Stamp } from '../../src-core/stamps/stamp';
import { registerScorerFactory, type Scorer } from '../scoring/scorer';
import { selectBackend } from '../backend/select';
import { loadModelDir } from './model-files';
import { chooseOrtProvider } from '../gpu/ort-provider';
import { OrtScorer } from './ort-scorer';
import { modelsDir } from '../util/paths';
import { bandMismatch, defaultBundledModel } from './model-choice';

/** Stamps → one raw NHWC buffer in the given band order, centre-cropped to size × size. */
export function stampsToChannelsLast(stamps: Stamp[], size: number, bands: string[]): Float32Array {
  const nb = bands.length;
  const out = new Float32Array(stamps.length * size * size * nb);
  stamps.forEach((s, i) => {
    if (s.width < size || s.height < size || (s.width - size) % 2 || (s.height - size) % 2) {
      throw new InputError('STAMP_SIZE', `stamp ${s.width}×${s.height} cannot be centre-cropped to the model's ${size}×${size}`, { width: s.width, height: s.height });
    }
    const x0 = (s.width - size) / 2;
    const y0 = (s.height - size) / 2;
    bands.forEach((band, b) => {
      const k = s.bands.indexOf(band);
      if (k < 0) throw new InputError('STAMP_BANDS', bandMismatch(s.bands, bands, 'the model')!, { band });
      const plane = s.planes[k];
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) out[((i * size + y) * size + x) * nb + b] = plane[(y + y0) * s.width + x + x0];
    });
  });
  return out;
}

/** Stamps → one normalised NHWC buffer in the card's band order and size. */
export function stampsToInput(stamps: Stamp[], card: ModelCard): Float32Array {
  const out = stampsToChannelsLast(stamps, card.architecture.inputSize, card.architecture.bands);
  normaliseInPlace(out, card.normalisation);
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) out[i] = 0; // masked pixels → band mean
  return out;
}

/**
 * The model directory to use: the given one, else the default bundled model (the default survey's,
 * see model-choice.ts; scoring a catalog picks by its bands and pixel scale before it gets here).
 */
export function findModelDir(modelPath?: string, modelsRoot = modelsDir()): string | null {
  if (modelPath) return modelPath;
  return defaultBundledModel(modelsRoot)?.path ?? null;
}

export async function loadCmuDeepLensScorer(dir: string, opts: { threads?: number } = {}): Promise<Scorer> {
  const { model, card } = await loadModelDir(dir);
  const size = card.architecture.inputSize;
  const nb = card.architecture.bands.length;
  let ort: OrtScorer | null = null;
  const choice = chooseOrtProvider();
  let runtime = 'onnxruntime-node';
  try {
    ort = await OrtScorer.fromModel(model, { size, bands: nb, provider: choice.provider, ...(opts.threads ? { threads: opts.threads } : {}) });
    runtime = `onnxruntime-node (${ort.provider}${choice.provider === 'cpu' && choice.driverPresent ? `; ${choice.why}` : ''})`;
  } catch (e) {
    const sel = await selectBackend(); // onnxruntime unavailable: tfjs on the best backend
    runtime = `tfjs ${sel.tfBackend} (onnxruntime failed: ${(e as Error).message.split('\n')[0]})`;
  }
  if (ort) model.dispose();
  return {
    model: { name: card.name, version: card.createdAt, kind: 'cmudeeplens', path: dir, card: card as unknown as Record<string, unknown> },
    batchSize: 64,
    runtime,
    async score(stamps) {
      const x = stampsToInput(stamps, card);
      if (ort) return ort.score(x);
      const t = tf.tensor4d(x, [stamps.length, size, size, nb]);
      const p = lensProbabilities(model, t);
      const v = (await p.data()) as Float32Array;
      tf.dispose([t, p]);
      return v;
    },
    async dispose() {
      if (ort) await ort.release();
      else model.dispose();
    },
  };
}

/** Call once at start-up (main process / worker) so `loadScorer` prefers the network. */
export function registerCmuDeepLensScorer(): void {
  registerScorerFactory(async ({ modelPath }) => {
    const dir = findModelDir(modelPath);
    return dir ? loadCmuDeepLensScorer(dir) : null;
  });
}
