// Linear operators of the inverse problems (learned-priors.md §8), one shape: LinearOperator.
export * from './linear-operator';
export { operatorNorm, norm2, type NormOptions } from './norm';
export { adjointMismatch, estimateRowNormsSquared } from './diagnostics';
export { identityOperator } from './identity';
export { maskOperator } from './mask';
export { convolutionOperator, gaussianPsf, psfTransfer, type ConvolutionOptions, type PsfArray } from './convolution';
export { separableConvolutionOperator, separableFactors, type SeparableKernel } from './separable';
export { fourierSamplingOperator, measuredBins } from './fourier-sampling';
export { gradientOperator } from './gradient';
export { starletOperator, starletSynthesisOperator, starletNoiseLevels } from './starlet';
export { deflectorsFromLensFit, lensingOperator, rayShootingOperator, type Deflector, type LensingOperator, type LensingOptions } from './lensing';
export { FourierMultiplier, kernelTransfer } from './fourier-multiplier';
