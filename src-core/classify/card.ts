// The model card stored beside every saved model (models/<name>/card.json): what the network is,
// what it expects as input, how it was trained and how well it did. Scoring refuses a cutout
// whose bands or size disagree with the card.
import { InputError } from '../errors';
import type { AugmentOptions } from './augment';
import type { BandNormalisation } from './normalise';

export const CARD_FORMAT = 'lensdesk-model-card/1';

export interface EpochMetrics {
  epoch: number;
  learningRate: number;
  trainLoss: number;
  valLoss: number | null;
  valAccuracy: number | null;
  valAuroc: number | null;
  imagesPerSecond: number;
}

export interface TrainingRecipe {
  epochs: number;
  batchSize: number;
  learningRate: number;
  lrDropEpochs: number[];
  lrDropFactor: number;
  posWeight: number;
  validationFraction: number;
  earlyStoppingPatience: number | null;
  augment: AugmentOptions;
  seed: number;
  backend: string;
}

export interface ModelCard {
  format: typeof CARD_FORMAT;
  name: string;
  architecture: {
    name: 'CMUDeepLens';
    reference: string;
    inputSize: number;
    bands: string[];
    trainableParams: number;
    output: 'logit';
  };
  /** Arcsec per pixel of the training cutouts. */
  pixelScale: number | null;
  normalisation: BandNormalisation;
  trainingSet: {
    description: string;
    /** e.g. simulator config + seed, or a directory path. */
    source: Record<string, unknown>;
    nTrain: number;
    nValidation: number;
    positiveFraction: number;
  };
  training: TrainingRecipe;
  /** Metrics of the kept (best-validation) epoch, and the whole history. */
  metrics: { best: EpochMetrics | null; history: EpochMetrics[]; stoppedEarly: boolean };
  createdAt: string;
  software: Record<string, string>;
  /** Fine-tuned versions: the model they started from. */
  lineage?: {
    parent: { name: string; version: string; path: string | null; modelId: number | null };
    /** Started for other bands / another cutout size (src-core/classify/transfer-init.ts): how. */
    transfer?: Record<string, unknown>;
  };
  /** Fine-tuned versions: how reviewers' grades became labels (src-core/classify/graded-set.ts). */
  fineTune?: Record<string, unknown>;
  /** Old (parent) vs this version on a labelled set: see src-core/classify/evaluation.ts. */
  evaluation?: Record<string, unknown>;
  /** Fine-tuned versions: 'candidate' until promoted to the active model (src-core/classify/promotion.ts). */
  promotion?: { status: 'candidate' | 'promoted' | 'kept-current'; rule?: string; reason: string; parentId?: number | null; decidedAt: string | null };
}

/** Parses and checks a card read from disk; throws InputError naming the bad field. */
export function parseModelCard(json: unknown, where = 'card.json'): ModelCard {
  const c = json as Partial<ModelCard>;
  const need = (ok: unknown, field: string) => {
    if (!ok) throw new InputError('MODEL_CARD', `${where}: missing or invalid '${field}'`, { file: where, field });
  };
  need(c && typeof c === 'object', '(root)');
  need(c.format === CARD_FORMAT, 'format');
  need(c.architecture?.name === 'CMUDeepLens', 'architecture.name');
  need(Number.isInteger(c.architecture?.inputSize), 'architecture.inputSize');
  need(Array.isArray(c.architecture?.bands) && c.architecture!.bands.length > 0, 'architecture.bands');
  const n = c.normalisation;
  need(n?.policy === 'standardise' || n?.policy === 'asinh', 'normalisation.policy');
  if (n!.policy === 'asinh') need(n!.scale.length === c.architecture!.bands.length, 'normalisation.scale');
  else need(n!.mean.length === c.architecture!.bands.length && n!.std.length === n!.mean.length, 'normalisation.mean/std');
  return c as ModelCard;
}
