// Learned score priors (learned-priors.md §1–§2): model interface, the linear-conv model, DSM training.
export { modelScore, type ScoreModel, type ScoreModelCard } from './model';
export { LinearConvScoreModel, type LinearConvOptions } from './linear-conv';
export { evaluateDsm, gaussianDsmFloor, trainDsm, type DsmTrainingOptions } from './dsm';
export { ScorePrior } from './score-prior';
