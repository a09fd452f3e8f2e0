// Solvers (learned-priors.md §3–§7, §10): MAP (FISTA, Condat–Vũ, score ascent) and posterior sampling
// (annealed Langevin, annealed HMC), with the Gaussian likelihoods and the closed-form Wiener posterior.
export { FourierDiagonalLikelihood, GaussianLikelihood, rowSumsOfAAt, type GaussianLikelihoodOptions, type Likelihood } from './likelihood';
export { wienerPosterior, type GaussianPosterior } from './wiener';
export { conjugateGradient, gaussianPosteriorCg } from './cg';
export { posteriorScore, type ScoreFn } from './posterior-score';
export { geometricLadder, sigmaMaxFor } from './sigma-ladder';
export { summarizeSamples, type PosteriorSummary } from './summary';
export { annealedLangevin, type AnnealedLangevinOptions, type SamplerResult } from './annealed-langevin';
export { annealedHmc, logDensityDifference, type AnnealedHmcOptions, type HmcResult } from './annealed-hmc';
export { dataFidelity, relativeChange, type SmoothTerm } from './smooth';
export { fista, type FistaOptions, type OptimizerResult } from './fista';
export { condatVu, positivity, type CondatVuOptions } from './condat-vu';
export { scoreAscentMap, type ScoreMapOptions } from './score-map';
export type { RunControl } from './run-control';
