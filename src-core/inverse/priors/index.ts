// Priors (learned-priors.md §9): one interface (prior.ts); classic priors; a learned score prior
// plugs in through the same `score` method.
export type { AnalysisPrior, Prior } from './prior';
export { GaussianPrior, estimateSpectrum, powerLawSpectrum, type GaussianPriorOptions } from './gaussian';
export { TotalVariationPrior, type TvOptions } from './tv';
export { L1StarletPrior, softThreshold, type L1StarletOptions } from './l1-starlet';
export { dualProx, type DualProxOptions } from './dual-prox';
export { MoreauYosidaPrior } from './moreau-yosida';
