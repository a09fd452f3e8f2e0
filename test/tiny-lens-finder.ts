// A tiny CMUDeepLens with random weights saved as a model folder (the "current" model of the
// fine-tune tests), and noisy stamps with an optional ring (an Einstein ring's stand-in) in g.
import { CARD_FORMAT, type ModelCard } from '../src-core/classify/card';
import { buildCmuDeepLens, countTrainableParams } from '../src-core/classify/model';
import { DEFAULT_RECIPE } from '../src-core/classify/train';
import { Rng } from '../src-core/rng';
import { saveModelDir } from '../src-main/classify/model-files';

export async function saveTinyLensFinder(dir: string, size: number): Promise<ModelCard> {
  const model = buildCmuDeepLens({ size, bands: 2, seed: 3 });
  const card: ModelCard = {
    format: CARD_FORMAT,
    name: 'tiny',
    architecture: { name: 'CMUDeepLens', reference: 'test', inputSize: size, bands: ['g', 'r'], trainableParams: countTrainableParams(model), output: 'logit' },
    pixelScale: 0.2,
    normalisation: { policy: 'standardise', bands: ['g', 'r'], mean: [0, 0], std: [1, 1], clip: 10, fittedOn: 0 },
    trainingSet: { description: 'random weights', source: { test: true }, nTrain: 0, nValidation: 0, positiveFraction: 0 },
    training: { ...DEFAULT_RECIPE, backend: 'wasm' },
    metrics: { best: null, history: [], stoppedEarly: false },
    createdAt: '2026-01-01T00:00:00.000Z',
    software: {},
  };
  await saveModelDir(dir, model, card);
  model.dispose();
  return card;
}

/** g, r noise (seeded by `seed`, `i`), plus a ring of radius 5 px in g when `ring`. */
export function ringStamp(size: number, seed: number, i: number, ring: boolean) {
  const rng = new Rng(seed, i);
  const planes = [0, 1].map(() => Float32Array.from({ length: size * size }, () => rng.normal()));
  const c = (size - 1) / 2;
  if (ring) for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if (Math.abs(Math.hypot(x - c, y - c) - 5) < 1) planes[0]![y * size + x] += 4;
  return { width: size, height: size, bands: ['g', 'r'], planes };
}
