// Gaussian-prior source reconstruction over lens-model draws (gaussian-source.ts per draw), so the std
// includes the lens-model uncertainty. By the law of total variance,
//   Var[x | y] = E_lens[Var(x | y, lens)] + Var_lens(E[x | y, lens]).
// The first term is computed exactly at the first problem (the median lens; m²n/2 flops, the costly part)
// and used for every draw (it changes little between draws of a converged lens posterior: it depends on the
// lens only through which source pixels the rays reach); the second term exactly, from the conditional
// means of all draws (one m × m Cholesky each). With a single draw everything is exact.
// The prior amplitude is estimated once on the median lens (moment estimate by default, or the evidence
// maximum) and kept for every draw. Samples are exact conditional draws spread round-robin over the lens
// draws: together they are draws from the mixture.
import type { Rng } from '../../rng';
import { checkCancelled, type RunControl } from '../solvers/run-control';
import { buildSourceSystem, fitAmplitude, gaussianSourcePosterior, momentAmplitude } from './gaussian-source';
import type { SourceDrawProblem } from './source-problem';

export interface GaussianReconstruction {
  mean: Float64Array;
  std: Float64Array;
  /** Std at the median lens alone (conditional on it). */
  stdFixedLens: Float64Array;
  samples: Float64Array[];
  amplitude: number;
  amplitudeFrom: 'given' | 'moments' | 'evidence';
  logEvidence: number;
  activePixels: number;
  lensDraws: number;
}

export function reconstructGaussian(
  problems: readonly SourceDrawProblem[], spectrum: Float64Array,
  o: RunControl & { samples: number; rng: Rng; amplitude?: number; evidence?: boolean },
): GaussianReconstruction {
  const N = problems.length;
  let amplitude = o.amplitude, logEv = Number.NaN, active = 0;
  const amplitudeFrom = amplitude !== undefined ? 'given' : o.evidence ? 'evidence' : 'moments';
  const means: Float64Array[] = [], bySample: Float64Array[][] = [];
  let condVar: Float64Array | undefined;
  const perDraw = Math.ceil(o.samples / N);
  for (const [d, p] of problems.entries()) {
    checkCancelled(o.signal, 'source reconstruction', d);
    const sys = buildSourceSystem({ operator: p.operator, y: p.y, variance: p.variance, spectrum });
    if (amplitude === undefined) {
      const m0 = momentAmplitude(sys);
      amplitude = o.evidence ? fitAmplitude(sys, m0).amplitude : m0;
    }
    const r = gaussianSourcePosterior(sys, amplitude, { samples: perDraw, rng: o.rng, operator: p.operator, variances: d === 0 });
    if (d === 0) { logEv = r.logEvidence; active = r.activePixels; condVar = r.variance; }
    means.push(r.mean);
    bySample.push(r.samples);
    o.onProgress?.(d + 1, N);
  }
  const n = means[0]!.length;
  const mean = new Float64Array(n), variance = Float64Array.from(condVar!);
  for (const m of means) for (let i = 0; i < n; i++) mean[i] = mean[i]! + m[i]! / N;
  for (const m of means) for (let i = 0; i < n; i++) variance[i] = variance[i]! + (m[i]! - mean[i]!) ** 2 / N;
  const samples: Float64Array[] = [];
  for (let k = 0; samples.length < o.samples && k < perDraw; k++) for (const s of bySample) if (samples.length < o.samples && s[k]) samples.push(s[k]!);
  return {
    mean, std: variance.map(Math.sqrt), stdFixedLens: condVar!.map(Math.sqrt), samples, amplitude: amplitude!, amplitudeFrom,
    logEvidence: logEv, activePixels: active, lensDraws: N,
  };
}
