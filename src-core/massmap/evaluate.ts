// Evaluation of KS93 and the Wiener filter against a known κ (mass-mapping.md §6–§7 "our validation
// plan" 3–5): noisy shear is simulated from the truth through the same forward operator (§4 "Halos":
// consistent with the model), with shape noise σ_e per component for n_gal galaxies per arcmin² (fixed
// counts = white noise, or Poisson counts with empty pixels masked), then each reconstruction is scored
// by RMSE and Pearson r on observed pixels away from the border, its binned power spectrum against the
// truth's, and its S/N peak counts against those of the truth smoothed alike (same noise std).
import { ARCMIN_RAD, gaussianSmooth, ks93 } from './ks93';
import { compareMaps, metricPixels } from './metrics';
import { findPeaks, ksNoiseStd } from './peaks';
import { simulateShearOnMap, type ShearSetting } from './simulate-shear';
import { measurePowerSpectrum } from './spectrum';
import { wienerFilter, wienerWhite } from './wiener';

/** Shear setting (simulate-shear.ts; Poisson counts use the messenger-field Wiener) plus scoring options. */
export interface EvalSetting extends ShearSetting {
  /** Gaussian σ of the smoothed KS map, arcmin. */
  smoothArcmin: number;
  /** Border pixels left out of the metrics (default 10, §6). */
  margin?: number;
  /** S/N threshold for peak counts (default 3). */
  peakSnr?: number;
}

export interface MethodScore {
  rmse: number;
  pearson: number;
  /** Measured/true power in the spectrum bins (NaN for empty bins). */
  powerRatio: number[];
  peaks: number;
}

export interface EvalResult {
  setting: EvalSetting;
  maskedFraction: number;
  noisePerPixel: number;
  truthRms: number;
  ell: number[];
  truePeaks: number;
  ks: MethodScore;
  ksSmoothed: MethodScore;
  wiener: MethodScore & { method: string; iterations: number };
}

export function evaluateOnMap(truthIn: ArrayLike<number>, rows: number, cols: number, modeVariance: Float64Array, s: EvalSetting): EvalResult {
  const sim = simulateShearOnMap(truthIn, rows, cols, s), { kernel: k, truth } = sim;
  const { g1, g2, variance, mask } = sim.shear, n = rows * cols;
  const sel = metricPixels(rows, cols, { mask, margin: s.margin ?? 10 });
  const sm = s.smoothArcmin * ARCMIN_RAD, thr = s.peakSnr ?? 3;
  const ks = ks93(k, g1, g2).kE;
  const kss = gaussianSmooth(k, sm, ks).a;
  const w = wienerFilter(k, g1, g2, { modeVariance, variance });
  const wStd = w.method === 'closed form' ? wienerWhite(k, g1, g2, variance[0]!, modeVariance).pixelStd : NaN;
  const truthSpec = measurePowerSpectrum(k, truth);
  // Peaks: S/N = κ/σ with each map's own per-pixel std (KS: noise std, smoothed alike; Wiener: posterior
  // std, closed form only — NaN with Poisson counts). The truth is smoothed like the KS map and divided by
  // that map's noise std, the usual "noise-free peaks" reference.
  const stdRaw = ksNoiseStd(k, variance, 0), stdSm = ksNoiseStd(k, variance, sm);
  const truthSm = gaussianSmooth(k, sm, truth).a;
  const countPeaks = (m: Float64Array, std: Float64Array | number) => findPeaks(m, std, rows, cols, { threshold: thr, mask, margin: s.margin ?? 10 }).length;
  const score = (m: Float64Array, std: Float64Array | number): MethodScore => {
    const c = compareMaps(m, truth, sel);
    const ps = measurePowerSpectrum(k, m, s.poisson ? { mask } : {});
    return { rmse: c.rmse, pearson: c.pearson, powerRatio: Array.from(ps.cl, (v, b) => v / truthSpec.cl[b]!), peaks: Number.isFinite(std) || typeof std !== 'number' ? countPeaks(m, std) : NaN };
  };
  let rms = 0;
  for (const v of truth) rms += (v * v) / n;
  return {
    setting: s, maskedFraction: sim.maskedFraction, noisePerPixel: sim.noisePerPixel, truthRms: Math.sqrt(rms),
    ell: Array.from(truthSpec.ell), truePeaks: countPeaks(truthSm, stdSm),
    ks: score(ks, stdRaw), ksSmoothed: score(kss, stdSm), wiener: { ...score(w.kappa, wStd), method: w.method, iterations: w.iterations },
  };
}
