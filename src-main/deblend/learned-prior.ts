// Loads the deblender's learned morphology prior (`--prior auto|flow|score|MODEL|none`, the job's `prior`
// param). Two kinds (docs/deblend.md, "Learned morphology prior"):
//  - flow: the explicit-likelihood morphology model (PCA + RealNVP, models/priors/morphology-flow-32, or a
//    `lensdesk blend-model train` folder) as ∇ log p in the observed-equivalent frame
//    (src-core/deblend/flow-prior.ts). Trained on the deblender's own simulated galaxies; measured to lower
//    the median morphology residual by more than half (bench/deblend-flow-prior.ts), so it is `auto`.
//  - score: a `lensdesk prior train` folder (model.onnx = the score U-Net, card.json) on onnxruntime's CPU
//    build, wrapped as src-core's windowed score prior (src-core/deblend/score-window.ts).
// 'auto' = the bundled flow model, else the bundled score prior, else constraints only with a note.
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../../src-core/errors';
import { windowedScorePrior, type ScoreWindowOptions } from '../../src-core/deblend/score-window';
import type { AsyncMorphologyPrior } from '../../src-core/deblend/prior';
import { bundledScorePrior } from '../score/bundled-prior';
import { readScoreModel } from '../score/model-files';
import { createUnetScorer } from '../score/unet-engine';
import { morphologyFlowPrior, type FlowPriorOptions } from '../../src-core/deblend/flow-prior';
import { checkPixelScale } from '../../src-core/deblend/scale-check';
import { stampBands } from '../../src-core/deblend/morphology-stamps';
import { bundledBlendModel, loadBlendModel, readBlendCard } from './blend-model';
import { getPreset } from '../../src-core/lens/presets';

export interface LoadedPrior {
  prior: AsyncMorphologyPrior | null;
  /** What ran: 'none', 'flow:<folder>' or 'score:<folder>'. */
  name: string;
  notes: string[];
  /** The flow model's training pixel scale (″), for per-stamp checks by a job; absent for other priors. */
  modelPixelScale?: number | null;
  dispose(): Promise<void>;
}

/**
 * The deblender's settings of the score prior, chosen on the simulated blends of bench/deblend-prior.ts
 * (docs/deblend.md): the prior's gradient at weight 3 next to monotonicity (the prior alone let the
 * morphologies absorb noise: χ²/pixel 0.90 and 2.7× the morphology residual of constraints only).
 */
export const DEBLEND_PRIOR_WINDOW: Partial<ScoreWindowOptions> = { keepConstraints: true, weight: 3 };

/**
 * The deblender's settings of the flow prior, chosen on 12 simulated blends (bench/deblend-flow-prior.ts,
 * docs/deblend.md): λ = 100 next to monotonicity; σ_n anneals 10⁻³ → 10⁻⁴ (sum-1 units) over 100 iterations.
 */
export const DEBLEND_FLOW_PRIOR: Partial<FlowPriorOptions> = { keepConstraints: true, weight: 100 };

export interface LoadPriorOptions {
  threads?: number;
  cwd?: string;
  window?: Partial<ScoreWindowOptions>;
  flow?: Partial<FlowPriorOptions>;
  /** The cutout's pixel scale (″): a flow model trained at another scale (> 10 % off) is refused, or skipped by 'auto'. */
  pixelScale?: number | null;
}

const NONE: LoadedPrior = { prior: null, name: 'none', notes: [], dispose: async () => undefined };

/** A morphology-flow model folder (model.json of `lensdesk blend-model train`) as the deblender's prior. */
function flowPrior(dir: string, spec: string, o: LoadPriorOptions): LoadedPrior {
  const card = readBlendCard(dir);
  const scale = checkPixelScale(o.pixelScale, card?.pixelScale, 'the cutout');
  if (scale.status === 'mismatch') {
    if (spec === 'auto') return { ...NONE, notes: [`learned morphology prior not used: ${scale.message}; constraints only`] };
    throw new InputError('PIXEL_SCALE_MISMATCH', `--prior ${spec}: ${scale.message}`, { path: dir, option: 'prior' });
  }
  const model = loadBlendModel(dir);
  const prior = morphologyFlowPrior(model, { trainPsfSigma: flowPriorTrainSigma(card?.survey ?? 'lsst'), name: `flow:${dir}`, ...DEBLEND_FLOW_PRIOR, ...o.flow });
  return {
    prior, name: `flow:${dir}`, modelPixelScale: card?.pixelScale ?? null,
    notes: [`learned morphology prior: explicit-likelihood morphology flow ${dir} (PCA k = ${model.pca.k} + RealNVP, ${model.size} × ${model.size}, λ = ${o.flow?.weight ?? DEBLEND_FLOW_PRIOR.weight})`, ...(scale.status === 'unknown' && scale.message ? [scale.message] : [])],
    dispose: async () => undefined,
  };
}

async function scorePrior(dir: string, spec: string, o: LoadPriorOptions): Promise<LoadedPrior> {
  let model;
  try {
    model = readScoreModel(dir);
  } catch (e) {
    throw new InputError('DEBLEND_PRIOR', `--prior ${spec}: cannot read a score model folder at ${dir} (model.onnx, weights.bin, card.json from \`lensdesk prior train\`), nor a morphology model (model.json from \`lensdesk blend-model train\`): ${(e as Error).message}`, { path: dir, option: 'prior' });
  }
  const size = model.card.config.size;
  const scorer = await createUnetScorer(model.onnx, size, { threads: o.threads ?? 1 });
  const prior = windowedScorePrior(
    async (x, sigma, count) => scorer.score(x, new Float32Array(count).fill(sigma)),
    { size, name: `score:${dir}`, ...DEBLEND_PRIOR_WINDOW, ...o.window },
  );
  return { prior, name: `score:${dir}`, notes: [`learned morphology prior: score U-Net ${dir} (${size} × ${size}, peak-1 units)`], dispose: () => scorer.dispose() };
}

export async function loadDeblendPrior(spec: string, o: LoadPriorOptions = {}): Promise<LoadedPrior> {
  if (spec === 'none') return NONE;
  if (spec === 'auto' || spec === 'bundled') {
    const flowDir = bundledBlendModel();
    if (flowDir) return flowPrior(flowDir, 'auto', o);
    const scoreDir = bundledScorePrior();
    if (scoreDir) return scorePrior(scoreDir, spec, o);
    return { ...NONE, notes: ['no learned morphology prior installed (models/priors/morphology-flow-32 or LENSDESK_BLEND_MODEL; models/priors/score-galaxies-64 or LENSDESK_SCORE_PRIOR): constraints only'] };
  }
  if (spec === 'flow') {
    const d = bundledBlendModel();
    if (!d) throw new InputError('DEBLEND_PRIOR', '--prior flow: no morphology model installed (models/priors/morphology-flow-32, or LENSDESK_BLEND_MODEL=DIR)', { option: 'prior' });
    return flowPrior(d, spec, o);
  }
  if (spec === 'score') {
    const d = bundledScorePrior();
    if (!d) throw new InputError('DEBLEND_PRIOR', '--prior score: no score prior installed (models/priors/score-galaxies-64, or LENSDESK_SCORE_PRIOR=DIR)', { option: 'prior' });
    return scorePrior(d, spec, o);
  }
  const dir = isAbsolute(spec) ? spec : resolve(o.cwd ?? process.cwd(), spec);
  return existsSync(join(dir, 'model.json')) ? flowPrior(dir, spec, o) : scorePrior(dir, spec, o);
}

/** PSF σ (pixels) of a morphology model's training stamps: the preset's Gaussian seeing averaged over its detection bands. */
export function flowPriorTrainSigma(survey = 'lsst'): number {
  const p = getPreset(survey), bands = stampBands(survey);
  return bands.reduce((s, b) => s + p.bands[b]!.seeing / (2 * Math.sqrt(2 * Math.LN2)) / p.pixelScale, 0) / bands.length;
}
