// Where the learned score priors live: models/priors/<name>/ (a `lensdesk prior train` folder: model.onnx,
// weights.bin, card.json). A subfolder, so the lens-finder model listings (which take every models/<dir>
// with a card.json) never mistake a prior for a classifier. LENSDESK_SCORE_PRIOR (a model folder) overrides
// the bundled galaxy priors, e.g. to try a prior trained on the user's own stamps.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { modelsDir } from '../util/paths';

/** The bundled galaxy-morphology prior (64×64, peak-1 galaxies; docs/learned-priors.md): source
 * reconstruction (64² source grid) and the deblender. */
export const GALAXY_PRIOR = 'score-galaxies-64';

/** The small, fast galaxy prior and Restore's default (48×48 U-Net with 16/32/64 channels: a 45 × 45 survey
 * stamp is padded by ≤ 3 px; ~6× cheaper per image than GALAXY_PRIOR). At 2 249 training steps and 10 levels ×
 * 4 steps (its card's `sampler`) it beats ℓ1 by 3.9 dB with calibrated intervals (72.9 / 96.4 %), as the 64²
 * prior does, at ≈ 1/5 of the cost of the 64² prior's 16 × 2 (docs/learned-priors.md "Evening session"). */
export const RESTORE_PRIOR = 'score-galaxies-48s';

export const priorsDir = (): string => join(modelsDir(), 'priors');

/** The folder of a bundled (or overridden) score prior, or null when none is installed. */
export function bundledScorePrior(name = GALAXY_PRIOR, env: NodeJS.ProcessEnv = process.env): string | null {
  const override = name === GALAXY_PRIOR || name === RESTORE_PRIOR ? env.LENSDESK_SCORE_PRIOR : undefined;
  const dir = override ? resolve(override) : join(priorsDir(), name);
  return existsSync(join(dir, 'card.json')) && existsSync(join(dir, 'model.onnx')) ? dir : null;
}

/** Restore's score priors, preferred first: LENSDESK_SCORE_PRIOR alone when set, else the small RESTORE_PRIOR
 * (48²) then the 64² galaxy prior, those installed. A stamp gets the first whose grid holds it (restorePriorFor). */
export function bundledRestorePriors(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.LENSDESK_SCORE_PRIOR) return [bundledScorePrior(GALAXY_PRIOR, env)].filter((d): d is string => d !== null);
  return [bundledScorePrior(RESTORE_PRIOR, env), bundledScorePrior(GALAXY_PRIOR, env)].filter((d): d is string => d !== null);
}

/** The first of `dirs` whose grid holds a rows × cols stamp, else the last (Restore then says why it used Wiener). */
export function restorePriorFor(dirs: string[], rows: number, cols: number, gridOf: (dir: string) => number): string | null {
  return dirs.find((d) => gridOf(d) >= Math.max(rows, cols)) ?? dirs[dirs.length - 1] ?? null;
}
