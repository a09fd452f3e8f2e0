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

/** The small, fast galaxy prior (48×48 U-Net with 16/32/64 channels: a 45 × 45 survey stamp is padded by
 * ≤ 3 px; ~6× cheaper per image than GALAXY_PRIOR). Opt-in for Restore (LENSDESK_SCORE_PRIOR=its folder): at
 * 2 249 training steps and 10 levels × 4 steps it beats ℓ1 by 3.9 dB with calibrated intervals, but one 64-sample
 * restore of a 45×45×4 stamp needs ≈ 46 s on 2 idle cores (estimated), not < 30 s (docs/learned-priors.md
 * "Evening session"). */
export const RESTORE_PRIOR = 'score-galaxies-48s';

export const priorsDir = (): string => join(modelsDir(), 'priors');

/** The folder of a bundled (or overridden) score prior, or null when none is installed. */
export function bundledScorePrior(name = GALAXY_PRIOR, env: NodeJS.ProcessEnv = process.env): string | null {
  const override = name === GALAXY_PRIOR || name === RESTORE_PRIOR ? env.LENSDESK_SCORE_PRIOR : undefined;
  const dir = override ? resolve(override) : join(priorsDir(), name);
  return existsSync(join(dir, 'card.json')) && existsSync(join(dir, 'model.onnx')) ? dir : null;
}

/** The prior Restore uses: LENSDESK_SCORE_PRIOR, else the 64² galaxy prior. The small RESTORE_PRIOR becomes the
 * default once it meets the speed goal too (≥ 2 dB and calibration are met at 10 × 4; issue #13). */
export function bundledRestorePrior(env: NodeJS.ProcessEnv = process.env): string | null {
  return bundledScorePrior(GALAXY_PRIOR, env);
}
