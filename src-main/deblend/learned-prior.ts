// Loads the deblender's learned morphology prior (`--prior MODEL|auto|none`, the job's `prior` param):
// a `lensdesk prior train` folder (model.onnx = the score U-Net's inference graph, card.json), run on
// onnxruntime's CPU build, wrapped as src-core's windowed score prior (src-core/deblend/score-window.ts).
// 'auto' = the bundled galaxy prior (bundledScorePrior(), LENSDESK_SCORE_PRIOR overrides) or, when none
// is installed, constraints only with a note saying so.
import { isAbsolute, resolve } from 'node:path';
import { InputError } from '../../src-core/errors';
import { windowedScorePrior, type ScoreWindowOptions } from '../../src-core/deblend/score-window';
import type { AsyncMorphologyPrior } from '../../src-core/deblend/prior';
import { bundledScorePrior } from '../score/bundled-prior';
import { readScoreModel } from '../score/model-files';
import { createUnetScorer } from '../score/unet-engine';
import { getPreset } from '../../src-core/lens/presets';
import { STAMP_BANDS } from '../../src-core/deblend/morphology-stamps';

export interface LoadedPrior {
  prior: AsyncMorphologyPrior | null;
  /** What ran: 'none' or 'score:<folder>'. */
  name: string;
  notes: string[];
  dispose(): Promise<void>;
}

/**
 * The deblender's settings of the score prior, chosen on the simulated blends of bench/deblend-prior.ts
 * (docs/deblend.md): the prior's gradient at weight 3 next to monotonicity (the prior alone let the
 * morphologies absorb noise: χ²/pixel 0.90 and 2.7× the morphology residual of constraints only).
 */
export const DEBLEND_PRIOR_WINDOW: Partial<ScoreWindowOptions> = { keepConstraints: true, weight: 3 };

const NONE: LoadedPrior = { prior: null, name: 'none', notes: [], dispose: async () => undefined };

export async function loadDeblendPrior(spec: string, o: { threads?: number; cwd?: string; window?: Partial<ScoreWindowOptions> } = {}): Promise<LoadedPrior> {
  if (spec === 'none') return NONE;
  let dir: string | null;
  if (spec === 'auto' || spec === 'bundled') {
    dir = bundledScorePrior();
    if (!dir) return { ...NONE, notes: ['no learned morphology prior installed (models/priors/score-galaxies-64, or LENSDESK_SCORE_PRIOR=DIR): constraints only'] };
  } else dir = isAbsolute(spec) ? spec : resolve(o.cwd ?? process.cwd(), spec);
  let model;
  try {
    model = readScoreModel(dir);
  } catch (e) {
    throw new InputError('DEBLEND_PRIOR', `--prior ${spec}: cannot read a score model folder at ${dir} (model.onnx, weights.bin, card.json from \`lensdesk prior train\`): ${(e as Error).message}`, { path: dir, option: 'prior' });
  }
  const size = model.card.config.size;
  const scorer = await createUnetScorer(model.onnx, size, { threads: o.threads ?? 1 });
  const prior = windowedScorePrior(
    async (x, sigma, count) => scorer.score(x, new Float32Array(count).fill(sigma)),
    { size, name: `score:${dir}`, ...DEBLEND_PRIOR_WINDOW, ...o.window },
  );
  return { prior, name: `score:${dir}`, notes: [`learned morphology prior: score U-Net ${dir} (${size} × ${size}, peak-1 units)`], dispose: () => scorer.dispose() };
}

/** PSF σ (pixels) of the morphology density's training stamps: LSST seeing averaged over its g, r, i detection bands. */
export function flowPriorTrainSigma(): number {
  const p = getPreset('lsst');
  return STAMP_BANDS.reduce((s, b) => s + p.bands[b]!.seeing / (2 * Math.sqrt(2 * Math.LN2)) / p.pixelScale, 0) / STAMP_BANDS.length;
}
