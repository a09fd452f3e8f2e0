// Public API of the deblender (issue 14): import from here.
export { deblend, deblendAsync, deblendSteps } from './solver';
export type { DeblendInput, DeblendResult, DeblendSource, PriorRequest } from './solver';
export { parseConstraints, CONSTRAINT_NAMES } from './constraints';
export type { ConstraintName } from './constraints';
export { NO_PRIOR } from './prior';
export type { AsyncMorphologyPrior, MorphologyPrior } from './prior';
export { windowedScorePrior, SCORE_PRIOR_DEFAULTS } from './score-window';
export type { BatchScoreFn, ScoreWindowOptions } from './score-window';
export { differenceKernel, gaussianKernel, psfSigma, MODEL_PSF_SIGMA } from './psf-match';
export { ringFinderSubtract, deflectorSubtract } from './lens-light';
export { evaluateLensLight } from './lens-eval';
export { simulateBlend } from './sim-blend';
export { candidatePositions, summariseCandidate, lensSubtracted } from './candidate';
export type { CandidateComponent, CandidateSummary } from './candidate';
