// The blend-flag model folder (issue 14): model.json (src-core/deblend/morphology-density.ts's JSON: PCA
// basis + RealNVP + residual variance + calibration), card.json (training data, PCA k, flow config,
// held-out NLL, AUROC) and README.md. Bundled as models/priors/morphology-flow-32/; LENSDESK_BLEND_MODEL
// (a folder) overrides it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError, NotFoundError } from '../../src-core/errors';
import { morphologyFromJSON, morphologyToJSON, type MorphologyDensity } from '../../src-core/deblend/morphology-density';
import { priorsDir } from '../score/bundled-prior';

export const BLEND_MODEL = 'morphology-flow-32';

export interface BlendModelCard {
  format: 'lensdesk-morphology-flow/1';
  model: 'morphology-flow';
  created: string;
  data: string;
  command: string;
  size: number;
  /** Pixel scale (″) and survey preset of the training stamps; absent on cards written before they were recorded. */
  pixelScale?: number;
  survey?: string;
  pcaK: number;
  flow: { layers: number; hidden: number; steps: number; batch: number; lr: number; seed: number };
  metrics: Record<string, number>;
  threshold: number;
  seconds: number;
}

/** The bundled (or overridden) blend model folder, or null when none is installed. */
export function bundledBlendModel(env: NodeJS.ProcessEnv = process.env): string | null {
  const dir = env.LENSDESK_BLEND_MODEL ? resolve(env.LENSDESK_BLEND_MODEL) : join(priorsDir(), BLEND_MODEL);
  return existsSync(join(dir, 'model.json')) ? dir : null;
}

const cache = new Map<string, MorphologyDensity>();

/** Reads a model folder (cached per absolute path); errors name the folder and the file. */
export function loadBlendModel(dir: string): MorphologyDensity {
  const abs = resolve(dir), file = join(abs, 'model.json');
  const hit = cache.get(abs);
  if (hit) return hit;
  if (!existsSync(file)) throw new NotFoundError('MODEL_NOT_FOUND', `no blend model in ${abs}: model.json is missing (train one with \`lensdesk blend-model train\`)`, { path: file });
  let j: unknown;
  try { j = JSON.parse(readFileSync(file, 'utf8')); } catch (e) {
    throw new InputError('MODEL_INVALID', `${file} is not valid JSON: ${(e as Error).message}`, { path: file });
  }
  const m = morphologyFromJSON(j, file);
  cache.set(abs, m);
  return m;
}

/** The model folder to use: an explicit one, else the bundled one, else a NotFoundError saying how to get one. */
export function resolveBlendModel(dir?: string | null): { dir: string; model: MorphologyDensity } {
  const d = dir ?? bundledBlendModel();
  if (!d) throw new NotFoundError('MODEL_NOT_FOUND', `no blend model installed (models/priors/${BLEND_MODEL}); give --model DIR or train one with \`lensdesk blend-model train\``, { path: join(priorsDir(), BLEND_MODEL) });
  return { dir: resolve(d), model: loadBlendModel(d) };
}

export function readBlendCard(dir: string): BlendModelCard | null {
  const f = join(dir, 'card.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as BlendModelCard) : null;
}

export function writeBlendModel(dir: string, model: MorphologyDensity, card: BlendModelCard, readme: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), JSON.stringify(morphologyToJSON(model)));
  writeFileSync(join(dir, 'card.json'), `${JSON.stringify(card, null, 2)}\n`);
  writeFileSync(join(dir, 'README.md'), readme);
  cache.delete(resolve(dir));
}

/** Detection image of a cutout: the sum of its bands, NaN pixels counted as missing in every band. */
export function detectionImage(images: readonly Float64Array[] | readonly Float32Array[], n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0, any = false;
    for (const b of images) { const v = b[i]!; if (Number.isFinite(v)) { s += v; any = true; } }
    out[i] = any ? s : NaN;
  }
  return out;
}
