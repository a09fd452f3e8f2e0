// The parameter box of a lens model and what the posterior (lens-posterior.ts), the plan (lens-fit.ts), the
// mode check and the reports need of a model, so that they work for the 12-parameter model of lens-model.ts
// (LENS12_SPEC) and the extended model of lens-model-ext.ts alike.
import type { LensCutout } from './lens-model';

export interface ParamSpec {
  names: readonly string[];
  /** Uniform prior box; ellipticity pairs are further limited to the disc |e| < eMax. */
  lower: Float64Array;
  upper: Float64Array;
  /** Box the MAP search draws its starts from. */
  startLower: Float64Array;
  startUpper: Float64Array;
  pairs: ReadonlyArray<readonly [number, number]>;
  eMax: number;
}

/** A lens model with profiled linear amplitudes, as the fit sees it. */
export interface FitModel {
  readonly spec: ParamSpec;
  readonly data: LensCutout;
  readonly npix: number;
  /** 1/σ per pixel (0 = no weight). */
  readonly weights: Float64Array;
  /** Number of linear amplitudes (counted as free parameters in χ²'s expectation). */
  readonly nLinear: number;
  evaluations: number;
  solve(t: ArrayLike<number>): { chi2: number; amplitudes: Float64Array };
  residuals(t: ArrayLike<number>, out: Float64Array): void;
  modelImage(t: ArrayLike<number>): Float64Array;
  /** χ² and dχ²/dθ (physical parameters) where the model provides its own gradient. */
  chi2AndGradient?(t: ArrayLike<number>, grad: Float64Array): number;
}
