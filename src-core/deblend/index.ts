// Public API of the deblender (issue 14): import from here.
export { deblend } from './solver';
export type { DeblendInput, DeblendResult, DeblendSource } from './solver';
export { parseConstraints, CONSTRAINT_NAMES } from './constraints';
export type { ConstraintName } from './constraints';
export { NO_PRIOR, scoreMorphologyPrior } from './prior';
export type { MorphologyPrior } from './prior';
export { differenceKernel, gaussianKernel, psfSigma, MODEL_PSF_SIGMA } from './psf-match';
export { ringFinderSubtract, deflectorSubtract } from './lens-light';
export { evaluateLensLight } from './lens-eval';
export { simulateBlend } from './sim-blend';
