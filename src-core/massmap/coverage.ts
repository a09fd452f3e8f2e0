// Per-pixel coverage of the Wiener posterior against a known κ (mass-mapping.md §5a, §7 validation):
// the fraction of pixels whose true κ lies within mean ± z·σ of the posterior, for z = 1 (68.3 %) and
// z = 1.96 (95 %). Under a Gaussian prior the Wiener posterior is Gaussian, so mean ± zσ is its exact
// central interval; σ is exact (closed form) for white noise without mask and otherwise estimated from
// n constrained realisations (Hoffman & Ribak 1991; reconstruct.ts). With σ estimated from n draws of a
// zero-mean residual, the expected coverage of mean ± zσ̂ is P(|t_n| ≤ z) (Student t, n degrees of
// freedom): 67.1 % / 93.6 % for n = 20, not 68.3 % / 95 % — the bench reports both.
// A κ that is not Gaussian (κTNG) with a Gaussian prior of the right spectrum gives close to nominal
// coverage on average, but not per pixel class: peaks are under-covered (the Wiener map shrinks them).
import { Rng } from '../rng';
import { compareMaps, metricPixels } from './metrics';
import { fitPowerSpectrum } from './ps-fit';
import { reconstruct } from './reconstruct';
import { simulateShearOnMap, type ShearSetting } from './simulate-shear';
import { modeVariance } from './spectrum';

/** Fraction of selected pixels with |truth − mean| ≤ z·std, for each z. */
export function intervalCoverage(mean: ArrayLike<number>, std: ArrayLike<number>, truth: ArrayLike<number>, sel: ArrayLike<number>, zs: readonly number[] = [1, 1.96]): number[] {
  const hit = zs.map(() => 0);
  let n = 0;
  for (let i = 0; i < sel.length; i++) {
    if (!sel[i]) continue;
    n++;
    const d = Math.abs(truth[i]! - mean[i]!), s = std[i]!;
    zs.forEach((z, j) => { if (d <= z * s) hit[j]++; });
  }
  return hit.map((h) => h / n);
}

/** P(|t_ν| ≤ z) for Student's t with ν degrees of freedom (numerical integration of the density). */
export function studentCentral(z: number, nu: number): number {
  const logc = lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * Math.log(nu * Math.PI);
  const steps = 2000, h = z / steps;
  let s = 0;
  for (let i = 0; i <= steps; i++) {
    const t = i * h, w = i === 0 || i === steps ? 1 : i % 2 ? 4 : 2;
    s += w * Math.exp(logc - ((nu + 1) / 2) * Math.log(1 + (t * t) / nu));
  }
  return (2 * s * h) / 3;
}

function lgamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), |error| < 1e-13 for x > 0.5.
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

export interface CoverageSetting extends ShearSetting {
  /** Constrained realisations when the posterior std has no closed form. */
  samples: number;
  margin?: number;
  /** Prior spectrum: 'table' = the given per-mode variance; 'fit' = fitted from the data (ps-fit.ts). */
  prior?: 'table' | 'fit';
}

export interface CoverageResult {
  rmse: number;
  pearson: number;
  /** Coverage of mean ± 1σ and ± 1.96σ. */
  cov68: number;
  cov95: number;
  /** What a calibrated posterior gives with this std (exact: 0.683/0.950; n samples: Student t). */
  expected68: number;
  expected95: number;
  stdKind: string;
  maskedFraction: number;
}

/**
 * Simulates shear from a known κ (simulate-shear.ts: the same noisy data as evaluate.ts for a seed),
 * runs the Wiener posterior (mean and std) and scores its per-pixel coverage.
 */
export function wienerCoverage(truthIn: ArrayLike<number>, rows: number, cols: number, P: Float64Array, s: CoverageSetting): CoverageResult {
  const { kernel: k, truth, shear: gs, maskedFraction } = simulateShearOnMap(truthIn, rows, cols, s);
  const mask = gs.mask;
  const prior = s.prior === 'fit' ? modeVariance(k, fitPowerSpectrum(k, gs).table) : P;
  const m = reconstruct(gs, { method: 'wiener', modeVariance: prior, samples: s.samples, rng: new Rng(s.seed, 2025) });
  const sel = metricPixels(rows, cols, { mask, margin: s.margin ?? 10 });
  const [cov68, cov95] = intervalCoverage(m.kappaE, m.std!, truth, sel);
  const c = compareMaps(m.kappaE, truth, sel);
  const exact = m.stdKind.includes('closed form');
  return {
    rmse: c.rmse, pearson: c.pearson, cov68: cov68!, cov95: cov95!, stdKind: m.stdKind, maskedFraction,
    expected68: exact ? studentCentral(1, 1e9) : studentCentral(1, s.samples), expected95: exact ? studentCentral(1.96, 1e9) : studentCentral(1.96, s.samples),
  };
}
