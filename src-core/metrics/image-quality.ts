// Image-restoration metrics against a known truth (learned-priors.md §11):
//  - PSNR = 10 log₁₀(R²/MSE) with R = max(truth) − min(truth) per image (the PyTorch peer's choice).
//  - SSIM (Wang et al. 2004) with an 11 × 11 Gaussian window, σ = 1.5, normalised weights, population
//    moments (no Bessel correction), C1 = (0.01 R)², C2 = (0.03 R)², averaged over the valid region (the
//    window fully inside the image). Equals skimage's structural_similarity(gaussian_weights=True,
//    sigma=1.5, use_sample_covariance=False, data_range=R) up to skimage's own border crop (3 px there,
//    5 px here, the full window radius).
//  - Per-pixel z = (truth − mean)/std and the coverage of mean ± k·std (k = 1, 1.96), pooled over images.
//    With mean and std estimated from only B posterior samples, a perfectly calibrated sampler does NOT give
//    68/95 %: the truth is then one more draw from the posterior, so (truth − mean)/(std·√(1 + 1/B)) follows
//    Student's t with B − 1 degrees of freedom (the prediction interval of a normal sample). With B = 4,
//    mean ± 1.96 std covers only 82 %. `coverageStats(…, { samples: B })` therefore also reports the coverage
//    of the exact B-sample prediction intervals mean ± t_{B−1}((1 + q)/2) √(1 + 1/B) std, which is q for a
//    calibrated Gaussian posterior at any B.
import { InputError } from '../errors';

function same(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length || a.length === 0) throw new InputError('METRIC_SHAPE', `${what}: ${a.length} vs ${b.length} values`, { got: a.length, expected: b.length });
}

export function dataRange(truth: ArrayLike<number>): number {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < truth.length; i++) { lo = Math.min(lo, truth[i]!); hi = Math.max(hi, truth[i]!); }
  return hi - lo;
}

export function psnr(truth: ArrayLike<number>, estimate: ArrayLike<number>, range = dataRange(truth)): number {
  same(truth, estimate, 'psnr');
  let s = 0;
  for (let i = 0; i < truth.length; i++) s += (truth[i]! - estimate[i]!) ** 2;
  return 10 * Math.log10((range * range) / (s / truth.length));
}

export function ssim(truth: ArrayLike<number>, estimate: ArrayLike<number>, rows: number, cols: number, range = dataRange(truth)): number {
  same(truth, estimate, 'ssim');
  if (truth.length !== rows * cols) throw new InputError('METRIC_SHAPE', `ssim: ${truth.length} values for ${rows} × ${cols}`, { rows, cols });
  const rad = 5, w: number[] = [];
  for (let d = -rad; d <= rad; d++) w.push(Math.exp(-(d * d) / (2 * 1.5 * 1.5)));
  const ws = w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < w.length; i++) w[i] = w[i]! / ws;
  const c1 = (0.01 * range) ** 2, c2 = (0.03 * range) ** 2;
  if (rows <= 2 * rad || cols <= 2 * rad) throw new InputError('METRIC_SHAPE', `ssim needs images larger than 11 × 11, got ${rows} × ${cols}`, { rows, cols });
  let sum = 0, count = 0;
  for (let r = rad; r < rows - rad; r++)
    for (let c = rad; c < cols - rad; c++) {
      let mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
      for (let a = -rad; a <= rad; a++)
        for (let b = -rad; b <= rad; b++) {
          const k = w[a + rad]! * w[b + rad]!, i = (r + a) * cols + c + b, x = truth[i]!, y = estimate[i]!;
          mx += k * x; my += k * y; xx += k * x * x; yy += k * y * y; xy += k * x * y;
        }
      const vx = xx - mx * mx, vy = yy - my * my, cxy = xy - mx * my;
      sum += ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      count++;
    }
  return sum / count;
}

export interface CoverageStats {
  pixels: number;
  /** Fraction of pixels with |z| ≤ 1 and ≤ 1.96. */
  coverage68: number;
  coverage95: number;
  zMean: number;
  zStd: number;
  /** Histogram of z on [−5, 5] in `bins` equal bins (outside values clipped into the end bins). */
  histogram: { edges: number[]; counts: number[] };
  /** With `samples` B: coverage of the B-sample prediction intervals (68.27 % and 95 % when calibrated),
   * their half-widths in units of std, and the std of z a calibrated posterior gives (√((1+1/B)(B−1)/(B−3)), B > 3). */
  predictive?: { samples: number; coverage68: number; coverage95: number; k68: number; k95: number; zStdExpected: number };
}

/**
 * P(|T| ≤ t) for Student's t with ν (integer ≥ 1) degrees of freedom: Abramowitz & Stegun 26.7.3–26.7.4,
 * with θ = atan(t/√ν). ν odd: (2/π)[θ + sinθ cosθ (1 + (2/3)cos²θ + … + (2·4…(ν−3))/(3·5…(ν−2)) cos^{ν−3}θ)];
 * ν even: sinθ [1 + (1/2)cos²θ + … + (1·3…(ν−3))/(2·4…(ν−2)) cos^{ν−2}θ].
 */
export function studentTwoSided(t: number, nu: number): number {
  if (!Number.isInteger(nu) || nu < 1) throw new InputError('METRIC_DOF', `Student t: ν must be an integer ≥ 1, got ${nu}`, { nu });
  const th = Math.atan(Math.abs(t) / Math.sqrt(nu)), c2 = Math.cos(th) ** 2, sn = Math.sin(th);
  if (nu % 2 === 1) {
    let term = 1, sum = nu > 1 ? 1 : 0;
    for (let k = 3; k <= nu - 2; k += 2) { term *= ((k - 1) / k) * c2; sum += term; }
    return (2 / Math.PI) * (th + sn * Math.cos(th) * sum);
  }
  let term = 1, sum = 1;
  for (let k = 2; k <= nu - 2; k += 2) { term *= ((k - 1) / k) * c2; sum += term; }
  return sn * sum;
}

/** t with P(|T| ≤ t) = q for ν degrees of freedom (bisection on studentTwoSided). */
export function studentQuantileTwoSided(q: number, nu: number): number {
  let lo = 0, hi = 1;
  while (studentTwoSided(hi, nu) < q) hi *= 2;
  for (let i = 0; i < 100; i++) { const m = (lo + hi) / 2; if (studentTwoSided(m, nu) < q) lo = m; else hi = m; }
  return (lo + hi) / 2;
}

/** Pooled per-pixel calibration over many images (each: truth, posterior mean, posterior std). */
export function coverageStats(sets: Array<{ truth: ArrayLike<number>; mean: ArrayLike<number>; std: ArrayLike<number> }>, bins = 20, opts: { samples?: number } = {}): CoverageStats {
  const B = opts.samples;
  if (B !== undefined && !(Number.isInteger(B) && B >= 2)) throw new InputError('METRIC_SAMPLES', `coverage: samples must be an integer ≥ 2, got ${B}`, { samples: B });
  const inflate = B ? Math.sqrt(1 + 1 / B) : 1;
  const k68 = B ? studentQuantileTwoSided(0.682689, B - 1) * inflate : 1, k95 = B ? studentQuantileTwoSided(0.95, B - 1) * inflate : 1.96;
  let p68 = 0, p95 = 0;
  const edges = Array.from({ length: bins + 1 }, (_, i) => -5 + (10 * i) / bins), counts = new Array<number>(bins).fill(0);
  let n = 0, c68 = 0, c95 = 0, s = 0, ss = 0;
  for (const { truth, mean, std } of sets) {
    same(truth, mean, 'coverage mean');
    same(truth, std, 'coverage std');
    for (let i = 0; i < truth.length; i++) {
      if (!(std[i]! > 0)) throw new InputError('METRIC_STD', `coverage: std ${std[i]} at pixel ${i} (must be > 0)`, { pixel: i });
      const z = (truth[i]! - mean[i]!) / std[i]!;
      n++; s += z; ss += z * z;
      if (Math.abs(z) <= 1) c68++;
      if (Math.abs(z) <= 1.96) c95++;
      if (Math.abs(z) <= k68) p68++;
      if (Math.abs(z) <= k95) p95++;
      counts[Math.min(bins - 1, Math.max(0, Math.floor(((z + 5) / 10) * bins)))]!++;
    }
  }
  const zMean = s / n;
  const out: CoverageStats = { pixels: n, coverage68: c68 / n, coverage95: c95 / n, zMean, zStd: Math.sqrt(ss / n - zMean * zMean), histogram: { edges, counts } };
  if (B) out.predictive = { samples: B, coverage68: p68 / n, coverage95: p95 / n, k68, k95, zStdExpected: B > 3 ? Math.sqrt(((1 + 1 / B) * (B - 1)) / (B - 3)) : Infinity };
  return out;
}
