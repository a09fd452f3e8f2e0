// Does the Flow-VAE describe the stamp at all? A galaxy posterior p(z | x) is conditional on the
// model: when no latent code reproduces the stamp (a galaxy brighter or larger than any in the
// training set, a PSF or pixel scale that is not the stamp's, noise underestimated), the sampler
// still returns a confident posterior around the nearest galaxy the decoder can make
// (docs/flowvae.md, "Posterior checks": held-out misfits of 2–136 posterior sds). The check:
// χ² = Σ w (x − P(Π ∗ ḡ))² of the posterior-mean model against the stamp's noise, over N unmasked
// pixels, compared with the χ² distribution with N degrees of freedom (a model that fits leaves
// white noise of the stated variance; the ≤ L = 16 fitted latent dimensions lower χ² a little, which
// only makes this test lenient). A misfit is flagged when χ²/N exceeds both
//   - the upper 10⁻³ quantile of χ²_N / N (1.14 for N = 1,024), and
//   - a floor of 1.5: σ from the border (1.4826 × MAD of ~350 pixels) has a ~6 % sd, so χ² ∝ σ⁻²
//     carries a ~12 % scale error by itself; 1.5 is a σ too small by 18 % (3 sd), beyond what the
//     estimate explains. Correlated noise in co-adds also widens the spread of χ² (Casertano et al.
//     2000, AJ 120, 2747, for drizzled images), which the floor covers.
// Pure: no I/O.
import { lgamma } from '../rng';

/** The flagged upper-tail probability and the floor on χ²/pixel (see the header). */
export const MISFIT_P = 1e-3;
export const MISFIT_FLOOR = 1.5;

/**
 * Q(a, x) = Γ(a, x)/Γ(a), the regularised upper incomplete gamma function: a series for x < a + 1,
 * else Lentz's continued fraction (Press et al., Numerical Recipes 3rd ed., §6.2). Relative
 * accuracy ~1e-14 where Q is not tiny; underflows to 0 far in the tail.
 */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 1;
  const logPre = -x + a * Math.log(x) - lgamma(a);
  if (x < a + 1) {
    // P(a, x) = e^{−x} x^a / Γ(a + 1) · Σ x^n / ((a + 1)…(a + n))
    let sum = 1 / a, term = 1 / a;
    for (let n = 1; n < 10000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPre));
  }
  const tiny = 1e-300;
  let b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.exp(logPre) * h;
}

/** P(χ²_ν ≥ χ²): the upper-tail probability of the χ² distribution with ν degrees of freedom. */
export const chi2Sf = (chi2: number, dof: number): number => gammaQ(dof / 2, chi2 / 2);

/** The χ² value with upper-tail probability p for ν degrees of freedom (bisection on chi2Sf). */
export function chi2Isf(p: number, dof: number): number {
  let lo = 0, hi = dof + 10 * Math.sqrt(2 * dof) + 50;
  while (chi2Sf(hi, dof) > p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-10 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (chi2Sf(mid, dof) > p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** What the data say about why the model may not fit (each optional). */
export interface MisfitHints {
  /** Total flux of the stamp's fitted crop and of the brightest training galaxy, same units. */
  flux?: number;
  trainingFluxMax?: number;
  /** How the brightest training galaxy is described, e.g. "mag 22 in lsst r". */
  trainingFluxLabel?: string;
  /** Mean of the crop's outer ring in units of its standard error (light reaching the field's edge). */
  edgeSnr?: number;
  /** Side of the model's field (arcsec), for the message. */
  fieldArcsec?: number;
  /** Where the PSF and the noise came from (named in the message). */
  psfSource?: string;
  noiseSource?: string;
  pixelScale?: number;
}

export interface MisfitCheck {
  /** true when χ²/pixel exceeds the threshold: the posterior is conditional on a model that does not fit. */
  misfit: boolean;
  chi2: number;
  pixels: number;
  chi2PerPixel: number;
  /** P(χ²_N ≥ χ²) under a model that fits (0 when it underflows). */
  pValue: number;
  /** χ²/pixel above which the warning is given: max(χ²_{N, 1−p} / N, floor). */
  threshold: number;
  /** Likely causes, those the data support first. Empty when the model fits. */
  reasons: string[];
  /** One paragraph for the user; null when the model fits. */
  warning: string | null;
}

/** Edge S/N above which light is said to reach the border of the model's field. */
const EDGE_SNR = 5;

export function checkMisfit(chi2: number, pixels: number, hints: MisfitHints = {}, o: { p?: number; floor?: number } = {}): MisfitCheck {
  const p = o.p ?? MISFIT_P, floor = o.floor ?? MISFIT_FLOOR;
  const perPixel = pixels > 0 ? chi2 / pixels : NaN;
  const threshold = pixels > 0 ? Math.max(chi2Isf(p, pixels) / pixels, floor) : NaN;
  const pValue = pixels > 0 ? chi2Sf(chi2, pixels) : NaN;
  const misfit = perPixel > threshold;
  if (!misfit) return { misfit, chi2, pixels, chi2PerPixel: perPixel, pValue, threshold, reasons: [], warning: null };
  const supported: string[] = [], generic: string[] = [];
  if (hints.flux !== undefined && hints.trainingFluxMax !== undefined && hints.trainingFluxMax > 0 && hints.flux > 1.5 * hints.trainingFluxMax)
    supported.push(`the galaxy is brighter than any in the model's training set (stamp flux ${(hints.flux / hints.trainingFluxMax).toPrecision(2)}× the brightest training galaxy${hints.trainingFluxLabel ? `, ${hints.trainingFluxLabel}` : ''})`);
  else generic.push("the galaxy is brighter than the model's training galaxies");
  if (hints.edgeSnr !== undefined && hints.edgeSnr > EDGE_SNR)
    supported.push(`the galaxy is larger than the model's field or has neighbours (light at the edge of the fitted ${hints.fieldArcsec ? `${hints.fieldArcsec.toFixed(1)}″ ` : ''}crop, ${hints.edgeSnr.toFixed(0)}σ above zero)`);
  else generic.push("the galaxy is larger than the model's training galaxies or not isolated");
  generic.push(`the PSF (${hints.psfSource ?? 'as given'}) or the pixel scale${hints.pixelScale ? ` (${hints.pixelScale}″)` : ''} is not the stamp's`);
  if (hints.noiseSource && /border/i.test(hints.noiseSource)) generic.push('the noise σ from the border is too small (give a VARIANCE HDU or --sigma)');
  const reasons = [...supported, ...generic];
  const pText = pValue > 0 ? `p = ${pValue.toPrecision(2)}` : 'p < 1e-300';
  const warning = `the model does not fit this stamp: χ²/pixel ${perPixel.toFixed(2)} over ${pixels} pixels (${pText}; threshold ${threshold.toFixed(2)}). ` +
    `The posterior is conditional on a model that does not describe the stamp; its mean, spread and fluxes are not to be trusted. ` +
    `Likely: ${reasons.join('; ')}.`;
  return { misfit, chi2, pixels, chi2PerPixel: perPixel, pValue, threshold, reasons, warning };
}
