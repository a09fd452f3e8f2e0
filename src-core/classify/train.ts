// Training loop for CMUDeepLens with the original recipe (Lanusse et al. 2018 §3.3): weighted
// sigmoid cross-entropy, Adam at 1e-3 divided by 10 at epochs 40 and 80 of 120, batch 128,
// 90° rotations / flips / zoom 0.9–1.0. Adds what a desktop tool needs: a deterministic validation
// split, per-band normalisation recorded in the model card, early stopping on validation loss,
// and a checkpoint after every epoch so a killed run resumes where it left off.
//
// Data arrive as an async iterator of NHWC batches (TrainingData.epoch); file IO is the caller's
// (src-main implements CheckpointStore). Pure: tfjs API only.
import * as tf from '@tensorflow/tfjs';
import { CancelledError, InputError } from '../errors';
import { Rng } from '../rng';
import { augmentBatch, DEFAULT_AUGMENT } from './augment';
import { auroc } from '../metrics/roc';
import type { EpochMetrics, TrainingRecipe } from './card';
import { buildCmuDeepLens } from './model';
import { type BandNormalisation, NormalisationFitter, normaliseInPlace } from './normalise';
import { meanWeightedSigmoidCrossEntropy } from './loss';
import { tfjsEngine, type OptimizerWeights, type TrainEngineFactory } from './train-engine';

export interface LabelledBatch {
  /** n × size × size × bands, float32 (NHWC). */
  images: Float32Array;
  /** 1 = lens, 0 = not, length n. */
  labels: ArrayLike<number>;
  /** Stable sample ids (default: running position in the epoch's stream). They fix the split. */
  ids?: ArrayLike<number>;
  /** Per-sample loss weights (default 1), e.g. reviewers' grade weights when fine-tuning. */
  weights?: ArrayLike<number>;
}

export interface TrainingData {
  size: number;
  bands: string[];
  pixelScale: number | null;
  description: string;
  source: Record<string, unknown>;
  /** One pass over all samples (training and validation alike), same samples every epoch. */
  epoch(epoch: number): AsyncIterable<LabelledBatch>;
}

export interface TrainState {
  /** Epochs completed. */
  epoch: number;
  bestValLoss: number | null;
  bestEpoch: number | null;
  epochsSinceBest: number;
  history: EpochMetrics[];
  normalisation: BandNormalisation;
  recipe: TrainingRecipe;
  counts: { nTrain: number; nValidation: number; positives: number };
  stoppedEarly: boolean;
  /**
   * Set in a checkpoint saved on cancel mid-epoch: `step` batches of epoch `epoch` were applied. A
   * resume replays that epoch's batch draws and augmentations (the same Rng stream) without
   * stepping, so it goes on exactly where the cancelled run stopped.
   */
  partial?: { epoch: number; step: number; lossSum: number; seen: number };
}

export interface Checkpoint {
  artifacts: tf.io.ModelArtifacts;
  /** Adam's state in tfjs's layout whatever engine ran, so a run can resume on another engine. */
  optimizer: OptimizerWeights;
  state: TrainState;
}

/** Where checkpoints live ('last' after every epoch, 'best' at each new best validation loss). */
export interface CheckpointStore {
  save(kind: 'last' | 'best', c: Checkpoint): Promise<void>;
  load(kind: 'last' | 'best'): Promise<Checkpoint | null>;
}

export interface TrainProgress {
  epoch: number;
  step: number;
  /** Expected steps this epoch (training cutouts / batch size, rounded up). */
  stepsPerEpoch: number;
  loss: number;
  imagesPerSecond: number;
}

export interface TrainOptions {
  recipe?: Partial<TrainingRecipe>;
  store?: CheckpointStore;
  /** Continue from store's 'last' checkpoint when there is one. */
  resume?: boolean;
  /** Cap on validation cutouts kept in memory, and on cutouts used to fit the normalisation. */
  maxValidation?: number;
  maxNormalisationFit?: number;
  /** Samples held for shuffling across incoming batches. */
  shuffleBuffer?: number;
  signal?: { aborted: boolean };
  onStep?(p: TrainProgress): void;
  onEpoch?(m: EpochMetrics, state: TrainState): void;
  /** Fine-tuning: start from this model's weights (it is trained in place) instead of a fresh one. */
  initialModel?: tf.LayersModel;
  /** Fine-tuning: keep the parent's input normalisation (the weights were learned on it). */
  normalisation?: BandNormalisation;
  /** What computes the steps (default: tfjs on the active backend). */
  engine?: TrainEngineFactory;
}

export const DEFAULT_RECIPE: Omit<TrainingRecipe, 'backend'> = {
  epochs: 120,
  batchSize: 128,
  learningRate: 1e-3,
  lrDropEpochs: [40, 80],
  lrDropFactor: 0.1,
  posWeight: 1,
  validationFraction: 0.1,
  earlyStoppingPatience: 20,
  augment: DEFAULT_AUGMENT,
  seed: 1,
};

/** Learning rate for a 0-based epoch: divided by 1/lrDropFactor at each listed epoch. */
export function learningRateAt(r: Pick<TrainingRecipe, 'learningRate' | 'lrDropEpochs' | 'lrDropFactor'>, epoch: number): number {
  return r.learningRate * r.lrDropFactor ** r.lrDropEpochs.filter((e) => epoch >= e).length;
}

const isValidation = (seed: number, id: number, fraction: number) => new Rng(seed, id, 0x5e1).uniform() < fraction;

/** Saves the model's topology + weights into memory (tfjs ModelArtifacts). */
export async function modelArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let out: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      out = { ...a, weightData: tf.io.CompositeArrayBuffer.join(a.weightData) };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return out!;
}

interface Sample {
  image: Float32Array;
  label: number;
  weight: number;
}

const host = globalThis as unknown as { setTimeout(f: () => void, ms: number): unknown };
/**
 * Lets queued events run — a Ctrl-C (SIGINT handler), a job's cancel message from the main thread.
 * `await` alone only drains microtasks: on a synchronous backend (tfjs wasm/cpu) a training loop of
 * awaits never gives them a turn, and a Ctrl-C waited for the whole run (issue 19: 9 minutes).
 */
export const yieldToEvents = (): Promise<void> => new Promise((resolve) => void host.setTimeout(resolve, 0));

/** Streams one epoch and calls `use` for every sample with its id; `between` runs after each batch. */
async function forEachSample(data: TrainingData, epoch: number, use: (id: number, image: Float32Array, label: number, weight: number) => void | Promise<void>, between?: () => Promise<void>) {
  const per = data.size * data.size * data.bands.length;
  let pos = 0;
  for await (const b of data.epoch(epoch)) {
    const n = b.labels.length;
    if (b.images.length !== n * per) {
      throw new InputError('TRAIN_BATCH', `batch of ${n} labels has ${b.images.length} floats, expected ${n * per} (${data.size}×${data.size}×${data.bands.length} each)`, { epoch });
    }
    for (let i = 0; i < n; i++) await use(b.ids ? b.ids[i] : pos + i, b.images.subarray(i * per, (i + 1) * per), b.labels[i] ? 1 : 0, b.weights ? b.weights[i] : 1);
    pos += n;
    await between?.();
  }
}

function stack(samples: Sample[], per: number): { images: Float32Array; labels: Float32Array; weights: Float32Array | null } {
  const images = new Float32Array(samples.length * per);
  samples.forEach((s, i) => images.set(s.image, i * per));
  // null when every weight is 1, so unweighted training runs exactly the original graph
  const weights = samples.some((s) => s.weight !== 1) ? Float32Array.from(samples, (s) => s.weight) : null;
  return { images, labels: Float32Array.from(samples, (s) => s.label), weights };
}

export async function trainCmuDeepLens(data: TrainingData, opts: TrainOptions = {}) {
  const recipe: TrainingRecipe = { ...DEFAULT_RECIPE, backend: tf.getBackend(), ...opts.recipe };
  const openEngine = opts.engine ?? tfjsEngine;
  const { size, bands } = data;
  const per = size * size * bands.length;
  const maxVal = opts.maxValidation ?? 4096;
  const maxFit = opts.maxNormalisationFit ?? 2000;
  const check = () => {
    if (opts.signal?.aborted) throw new CancelledError(`training cancelled${state ? ` in epoch ${state.epoch + 1}` : ' while preparing the data'}`);
  };
  /** Between steps, data batches and validation chunks: let a cancel in, then honour it. */
  const pause = async () => {
    await yieldToEvents();
    check();
  };

  // Preparation pass: split, counts, validation cutouts, normalisation statistics.
  let state: TrainState | undefined;
  const fitter = new NormalisationFitter(bands);
  let fitted = 0;
  const valSamples: Sample[] = [];
  const counts = { nTrain: 0, nValidation: 0, positives: 0 };
  await forEachSample(data, 0, (id, image, label, weight) => {
    if (isValidation(recipe.seed, id, recipe.validationFraction)) {
      counts.nValidation++;
      if (valSamples.length < maxVal) valSamples.push({ image: image.slice(), label, weight });
      return;
    }
    counts.nTrain++;
    counts.positives += label;
    if (fitted < maxFit && !opts.normalisation) {
      fitter.add(image);
      fitted++;
    }
  }, pause);
  if (counts.nTrain < 2) throw new InputError('TRAIN_DATA', `only ${counts.nTrain} training cutouts after the validation split`);

  let model: tf.LayersModel;
  const resumed = opts.resume && opts.store ? await opts.store.load('last') : null;
  if (resumed) {
    model = await tf.loadLayersModel(tf.io.fromMemory(resumed.artifacts));
    state = resumed.state;
    if (state.recipe.seed !== recipe.seed) throw new InputError('TRAIN_RESUME', 'checkpoint was made with another seed');
    opts.initialModel?.dispose(); // the checkpoint's weights supersede the starting point
    state.recipe = { ...state.recipe, epochs: recipe.epochs, backend: recipe.backend };
  } else {
    model = opts.initialModel ?? buildCmuDeepLens({ size, bands: bands.length, seed: recipe.seed });
    state = {
      epoch: 0,
      bestValLoss: null,
      bestEpoch: null,
      epochsSinceBest: 0,
      history: [],
      normalisation: opts.normalisation ?? fitter.finish(fitted),
      recipe,
      counts,
      stoppedEarly: false,
    };
  }
  const norm = state.normalisation;
  const val = stack(valSamples, per);
  normaliseInPlace(val.images, norm);
  const shuffleBuffer = Math.max(opts.shuffleBuffer ?? 8 * recipe.batchSize, recipe.batchSize);
  const engine = await openEngine(model, size, bands.length);
  state.recipe.backend = engine.name; // what really computed the steps goes into the card
  // Adam's moments are matched to variables by position in the variable list (fixed by the model).
  if (resumed) await engine.setOptimizerWeights(resumed.optimizer);

  const checkpoint = async (): Promise<Checkpoint> => {
    await engine.syncModel();
    return {
      artifacts: await modelArtifacts(model),
      optimizer: await engine.optimizerWeights(),
      state: JSON.parse(JSON.stringify(state)) as TrainState,
    };
  };

  let replay = state.partial ?? null;
  delete state.partial;
  /** Steps applied so far in the running epoch (what a checkpoint saved on cancel records). */
  let done: NonNullable<TrainState['partial']> | null = null;
  try {
    while (state.epoch < state.recipe.epochs) {
      check();
      const epoch = state.epoch;
      const lr = learningRateAt(state.recipe, epoch);
      const rng = new Rng(state.recipe.seed, epoch, 0xa06);
      const pool: Sample[] = [];
      const skip = replay?.epoch === epoch ? replay.step : 0;
      let step = 0;
      let lossSum = skip ? replay!.lossSum : 0;
      let seen = skip ? replay!.seen : 0;
      replay = null;
      done = null;
      const t0 = Date.now();
      const runBatch = async (take: number) => {
        const picked: Sample[] = [];
        for (let i = 0; i < take; i++) {
          const j = rng.int(pool.length);
          picked.push(pool[j]);
          pool[j] = pool[pool.length - 1];
          pool.pop();
        }
        const { images, labels, weights } = stack(picked, per);
        const aug = normaliseInPlace(augmentBatch(images, take, size, bands.length, rng, state.recipe.augment), norm);
        if (step < skip) {
          step++; // applied before the cancel: the draw and augmentation above keep the Rng in step
          return;
        }
        const l = await engine.step({ images: aug, n: take, labels, weights }, state.recipe.posWeight, lr);
        lossSum += l * take;
        seen += take;
        step++;
        done = { epoch, step, lossSum, seen };
        opts.onStep?.({ epoch, step, stepsPerEpoch: Math.ceil(state.counts.nTrain / state.recipe.batchSize), loss: l, imagesPerSecond: seen / ((Date.now() - t0) / 1000) });
        await pause();
      };
      // Streamed through a shuffle pool: memory stays bounded by the pool, not the data set.
      await forEachSample(data, epoch, async (id, image, label, weight) => {
        if (isValidation(state.recipe.seed, id, state.recipe.validationFraction)) return;
        pool.push({ image, label, weight });
        if (pool.length >= shuffleBuffer) {
          check();
          await runBatch(state.recipe.batchSize);
        }
      });
      while (pool.length >= 2) {
        check();
        await runBatch(Math.min(state.recipe.batchSize, pool.length));
      }
      const seconds = (Date.now() - t0) / 1000;
      const m: EpochMetrics = { epoch, learningRate: lr, trainLoss: lossSum / Math.max(seen, 1), valLoss: null, valAccuracy: null, valAuroc: null, imagesPerSecond: seen / seconds };
      if (val.labels.length > 0) {
        await engine.syncModel();
        Object.assign(m, validate(val.labels, await engine.logits(val.images, val.labels.length, pause), state.recipe.posWeight));
      }
      state.history.push(m);
      state.epoch = epoch + 1;
      done = null; // the epoch is complete: the checkpoint below, not a partial one, records it
      const improved = m.valLoss != null && (state.bestValLoss == null || m.valLoss < state.bestValLoss);
      if (improved) {
        state.bestValLoss = m.valLoss;
        state.bestEpoch = epoch;
        state.epochsSinceBest = 0;
      } else if (m.valLoss != null) state.epochsSinceBest++; // no validation set: never stop early
      const patience = state.recipe.earlyStoppingPatience;
      if (patience != null && state.epochsSinceBest >= patience) state.stoppedEarly = true;
      if (opts.store) {
        const c = await checkpoint();
        if (improved) await opts.store.save('best', c);
        await opts.store.save('last', c);
      }
      opts.onEpoch?.(m, state);
      if (state.stoppedEarly) break;
    }
    await engine.syncModel();
  } catch (e) {
    // Cancelled mid-epoch: keep the steps made so far in a resumable 'last' checkpoint.
    if (e instanceof CancelledError && opts.store && done) {
      state.partial = done;
      await opts.store.save('last', await checkpoint());
      delete state.partial;
    }
    throw e;
  } finally {
    await engine.dispose();
  }
  // Keep the best-validation weights (the 'best' checkpoint), as the card's metrics describe them.
  const best = opts.store && state.bestEpoch != null && state.bestEpoch !== state.epoch - 1 ? await opts.store.load('best') : null;
  if (best) {
    const bestModel = await tf.loadLayersModel(tf.io.fromMemory(best.artifacts));
    model.setWeights(bestModel.getWeights());
    bestModel.dispose();
  }
  return { model, state };
}

function validate(labels: Float32Array, logits: Float32Array, posWeight: number) {
  const n = labels.length;
  let correct = 0;
  for (let i = 0; i < n; i++) correct += (logits[i] > 0 ? 1 : 0) === labels[i] ? 1 : 0;
  let valAuroc: number | null = null;
  try {
    valAuroc = auroc(labels, logits);
  } catch {
    valAuroc = null; // one class only in the validation split, or non-finite logits
  }
  return { valLoss: meanWeightedSigmoidCrossEntropy(labels, logits, posWeight), valAccuracy: correct / n, valAuroc };
}
