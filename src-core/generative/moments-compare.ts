// The paper's validation (deblending-and-generative.md §B6): compare distributions of adaptive-moment
// size σ and distortion (e1, e2, |e|) between two image sets measured the same way (here: model
// samples against the noiseless truth), by two-sample KS tests and the mean differences ("moment bias").
import { adaptiveMoments } from './moments';

export interface MomentSet {
  sigma: Float64Array;
  e1: Float64Array;
  e2: Float64Array;
  e: Float64Array;
  /** Images whose adaptive moments did not converge (left out). */
  failed: number;
}

/** Moments of `count` side×side images (row-major, concatenated), sizes in arcsec. */
export function measureSet(images: ArrayLike<number>, count: number, side: number, pixelScale: number): MomentSet {
  const sigma: number[] = [], e1: number[] = [], e2: number[] = [], e: number[] = [];
  let failed = 0;
  const d = side * side;
  const img = new Float64Array(d);
  for (let k = 0; k < count; k++) {
    for (let i = 0; i < d; i++) img[i] = images[k * d + i]!;
    const m = adaptiveMoments(img, side, side, { pixelScale, sigma0: side / 10 });
    if (!m.converged) {
      failed++;
      continue;
    }
    sigma.push(m.sigma);
    e1.push(m.e1);
    e2.push(m.e2);
    e.push(Math.hypot(m.e1, m.e2));
  }
  return { sigma: Float64Array.from(sigma), e1: Float64Array.from(e1), e2: Float64Array.from(e2), e: Float64Array.from(e), failed };
}

const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / Math.max(1, a.length);
const median = (a: Float64Array) => {
  const s = Float64Array.from(a).sort();
  return s.length ? (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2 : NaN;
};

export interface MomentComparison {
  n: { model: number; truth: number; modelFailed: number; truthFailed: number };
  /** Per statistic: KS D and p, means, median, bias = mean(model) − mean(truth). */
  stats: Record<'sigma' | 'e1' | 'e2' | 'e', { ksD: number; ksP: number; meanModel: number; meanTruth: number; medianModel: number; medianTruth: number; bias: number }>;
}

export function compareMoments(model: MomentSet, truth: MomentSet, ks: (a: Float64Array, b: Float64Array) => { d: number; p: number }): MomentComparison {
  const stats = {} as MomentComparison['stats'];
  for (const k of ['sigma', 'e1', 'e2', 'e'] as const) {
    const t = ks(model[k], truth[k]);
    stats[k] = { ksD: t.d, ksP: t.p, meanModel: mean(model[k]), meanTruth: mean(truth[k]), medianModel: median(model[k]), medianTruth: median(truth[k]), bias: mean(model[k]) - mean(truth[k]) };
  }
  return { n: { model: model.sigma.length, truth: truth.sigma.length, modelFailed: model.failed, truthFailed: truth.failed }, stats };
}
