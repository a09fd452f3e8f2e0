// A convergence power spectrum fitted from the data, for the Wiener filter when no theory table is given
// (`--ps fit`, the default for Wiener without --ps). Method (lenspack / Remy et al. practice: the Wiener
// prior is a smooth C_ℓ, and the data's own KS93 E-mode spectrum, debiased for shape noise, is the usual
// stand-in when no cosmology is assumed; shared/reference/mass-mapping.md §4):
//   1. κ_E = KS93 E mode of the gridded shear (masked pixels zero-filled).
//   2. Ĉ_E(ℓ_b) in log-spaced annuli, observed pixels only, divided by the observed fraction (first-order
//      pseudo-C_ℓ, §4).
//   3. Shape-noise spectrum: KS is unitary, so white shear noise σ_p² per component lands on κ_E with the
//      same per-pixel variance; the noise C_ℓ is flat, N = Δ² · mean over observed pixels of σ_p².
//   4. Ĉ_S = Ĉ_E − N per bin, clipped from below, smoothed by a 3-bin running mean of log C (the fundamental bins hold a
//      handful of modes); the clip is at `floor` × N (default 1 %): where the signal is far
//      below the noise, the Wiener weight P/(P + σ²) is ≈ 0 whatever the exact value, and a positive
//      floor keeps the log-log interpolation defined.
// The result is a PowerTable (ℓ, C_ℓ) used exactly like a tabulated spectrum (spectrum.ts modeVariance).
import { InputError } from '../errors';
import type { GriddedShear } from './grid';
import { ks93, type KsKernel } from './ks93';
import { measurePowerSpectrum, type PowerTable } from './spectrum';

export interface PsFitOptions {
  /** Number of log-spaced ℓ bins (default 16). */
  bins?: number;
  /** Lower clip, as a fraction of the noise spectrum N (default 0.01). */
  floor?: number;
  /** Half-width of the running mean in bins (default 1, i.e. 3 bins; 0 = no smoothing). */
  smoothBins?: number;
}

export interface PsFit {
  table: PowerTable;
  /** Per bin: mean |ℓ|, raw Ĉ_E, the flat noise N, and the fitted C_ℓ (after smoothing and clipping). */
  ell: Float64Array;
  rawE: Float64Array;
  noise: number;
  fitted: Float64Array;
  /** Bins whose debiased Ĉ_E was ≤ floor·N before smoothing (noise-dominated). */
  clipped: number;
  observedFraction: number;
}

/** Fits C_ℓ from gridded shear (KS93 E-mode spectrum minus the shape-noise spectrum, smoothed, clipped). */
export function fitPowerSpectrum(k: KsKernel, gs: Pick<GriddedShear, 'g1' | 'g2' | 'variance' | 'mask'>, o: PsFitOptions = {}): PsFit {
  const n = k.rows * k.cols, bins = o.bins ?? 16, floorFrac = o.floor ?? 0.01, half = o.smoothBins ?? 1;
  let nObs = 0, varSum = 0;
  for (let i = 0; i < n; i++) {
    if (gs.mask[i]) {
      nObs++;
      varSum += gs.variance[i]!;
    }
  }
  if (nObs === 0) throw new InputError('MASSMAP_EMPTY', 'cannot fit a power spectrum: no pixel of the grid holds a galaxy', {});
  const noise = (k.pixRad * k.pixRad * varSum) / nObs;
  const { kE } = ks93(k, gs.g1, gs.g2);
  const ps = measurePowerSpectrum(k, kE, { bins, mask: gs.mask });
  const keep: number[] = [];
  for (let b = 0; b < bins; b++) if (ps.modes[b]! > 0 && Number.isFinite(ps.cl[b]!)) keep.push(b);
  if (keep.length < 2) throw new InputError('MASSMAP_PS', `cannot fit a power spectrum on a ${k.rows} × ${k.cols} grid: fewer than 2 ℓ bins hold modes`, {});
  const ell = Float64Array.from(keep, (b) => ps.ell[b]!);
  const rawE = Float64Array.from(keep, (b) => ps.cl[b]!);
  const floor = floorFrac * noise;
  const deb = rawE.map((c) => c - noise);
  let clipped = 0;
  for (const d of deb) if (d <= floor) clipped++;
  // Smoothing in log C (a power law stays a power law; linear averaging would bias steep spectra at the
  // ends), of the clipped values, then clipped again.
  const logC = deb.map((d) => Math.log(Math.max(floor, d)));
  const fitted = new Float64Array(deb.length);
  for (let i = 0; i < deb.length; i++) {
    let s = 0, c = 0;
    for (let j = Math.max(0, i - half); j <= Math.min(deb.length - 1, i + half); j++) {
      s += logC[j]!;
      c++;
    }
    fitted[i] = Math.max(floor, Math.exp(s / c));
  }
  return { table: { ell, cl: fitted }, ell, rawE, noise, fitted, clipped, observedFraction: nObs / n };
}

/** CSV text of a fitted spectrum (columns ell, C_ell, raw_E, noise), readable back by parsePowerTable. */
export function psFitCsv(f: PsFit): string {
  const g = (v: number) => Number(v.toPrecision(8)).toString();
  const lines = ['ell,C_ell,raw_E,noise'];
  for (let i = 0; i < f.ell.length; i++) lines.push([g(f.ell[i]!), g(f.fitted[i]!), g(f.rawE[i]!), g(f.noise)].join(','));
  return lines.join('\n') + '\n';
}
