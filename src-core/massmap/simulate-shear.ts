// Noisy gridded shear from a known κ (mass-mapping.md §3, §4 "Halos", §7 validation plan): the truth's mean
// is removed (mass-sheet degeneracy, §1: the posterior fixes κ̂(0) = 0), γ = Pκ through the same forward
// operator the reconstructions invert, and shape noise σ_e per component for n_gal galaxies per arcmin² —
// fixed counts N̄ = n_gal·Δ² (white noise σ_e/√N̄) or Poisson counts with empty pixels masked (inverse
// variance 0, §3). One noise stream, Rng(seed, 1315), shared by every evaluation (evaluate.ts, coverage.ts),
// so that their figures for one seed describe the same noisy data.
import { Rng } from '../rng';
import type { GriddedShear } from './grid';
import { ARCMIN_RAD, ksKernel, shearFromKappa, type KsKernel } from './ks93';

export interface ShearSetting {
  pixArcmin: number;
  ngal: number;
  sigmaE: number;
  /** Poisson galaxy counts (empty pixels masked) instead of fixed counts. */
  poisson: boolean;
  seed: number;
}

export interface SimulatedShear {
  kernel: KsKernel;
  /** The truth with its mean removed. */
  truth: Float64Array;
  /** Gridded shear (grid at ra0 = dec0 = 0): g1, g2, counts, per-pixel variance (∞ masked), mask. */
  shear: GriddedShear;
  /** Expected galaxies per pixel N̄ and the white-noise σ_pix = σ_e/√N̄. */
  nbar: number;
  noisePerPixel: number;
  maskedFraction: number;
}

export function simulateShearOnMap(truthIn: ArrayLike<number>, rows: number, cols: number, s: ShearSetting): SimulatedShear {
  const n = rows * cols, kernel = ksKernel(rows, cols, s.pixArcmin * ARCMIN_RAD), rng = new Rng(s.seed, 1315);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += truthIn[i]! / n;
  const truth = Float64Array.from({ length: n }, (_, i) => truthIn[i]! - mean);
  const { g1, g2 } = shearFromKappa(kernel, truth);
  const nbar = s.ngal * s.pixArcmin ** 2, variance = new Float64Array(n), mask = new Uint8Array(n), count = new Int32Array(n);
  let masked = 0;
  for (let i = 0; i < n; i++) {
    const c = s.poisson ? rng.poisson(nbar) : nbar;
    if (c > 0) {
      variance[i] = (s.sigmaE * s.sigmaE) / c;
      mask[i] = 1;
      count[i] = Math.round(c);
      const sd = Math.sqrt(variance[i]!);
      g1[i] = g1[i]! + sd * rng.normal();
      g2[i] = g2[i]! + sd * rng.normal();
    } else {
      variance[i] = Infinity;
      g1[i] = g2[i] = 0;
      masked++;
    }
  }
  const shear: GriddedShear = { grid: { ra0: 0, dec0: 0, pixArcmin: s.pixArcmin, rows, cols }, g1, g2, count, variance, mask, extra: [], outside: 0, sigmaE: s.sigmaE };
  return { kernel, truth, shear, nbar, noisePerPixel: s.sigmaE / Math.sqrt(nbar), maskedFraction: masked / n };
}
