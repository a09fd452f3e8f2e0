// Public surface of src-core/infer: sampler kernels, adaptation, driver, diagnostics, optimisers.
export * from './types';
export { leapfrog, leapfrogStep, hamiltonian } from './leapfrog';
export { kineticEnergy, sampleMomentum, velocity, unitMetric } from './metric';
export { hmc, type HmcParams } from './hmc';
export { nuts, type NutsParams } from './nuts';
export * from './step-size';
export * from './warmup';
export { sample, type SampleOptions, type ChainResult, type SamplerStats } from './sample';
export * from './diagnostics';
export * from './summary';
export { levenbergMarquardt, type LeastSquaresOptions, type LeastSquaresResult, type ResidualFn, type JacobianFn } from './optimize/levenberg-marquardt';
export { lbfgs, maximiseLogDensity, type LbfgsOptions, type LbfgsResult, type ObjectiveFn } from './optimize/lbfgs';
export { multiStart, multiStartLeastSquares, type MultiStartResult } from './optimize/multistart';
