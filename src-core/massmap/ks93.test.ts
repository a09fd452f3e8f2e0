// Analytic checks of the KS93 operator and the Wiener filter that need no peer: sign conventions of
// mass-mapping.md §1, E-mode-only input, and the Wiener map against the dense closed-form posterior mean.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { ARCMIN_RAD, ks93, ksKernel, shearFromKappa } from './ks93';
import { powerLawModeVariance } from './spectrum';
import { wienerFilter } from './wiener';
import { fft2 } from '../math/fft';
import { solveDense } from '../../test/dense-solve';

function grf(rows: number, cols: number, cmode: Float64Array, rng: Rng): Float64Array {
  const re = new Float64Array(rows * cols), im = new Float64Array(rows * cols);
  for (let i = 0; i < re.length; i++) re[i] = rng.normal();
  fft2(re, im, rows, cols, false);
  for (let i = 0; i < re.length; i++) {
    const s = Math.sqrt(cmode[i]!);
    re[i] = re[i]! * s;
    im[i] = im[i]! * s;
  }
  fft2(re, im, rows, cols, true);
  return re.map((v) => v / re.length);
}

describe('KS93 operator', () => {
  it('a positive κ blob gives the shear pattern of §1 and KS returns a positive peak', () => {
    const n = 64, c = 32, k = ksKernel(n, n, ARCMIN_RAD);
    const kappa = new Float64Array(n * n);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) kappa[y * n + x] = 0.1 * Math.exp(-((x - c) ** 2 + (y - c) ** 2) / (2 * 3 ** 2));
    const { g1, g2 } = shearFromKappa(k, kappa);
    const at = (a: Float64Array, x: number, y: number) => a[y * n + x]!;
    expect(at(g1, c + 6, c)).toBeLessThan(0); // on the x axis
    expect(at(g1, c, c + 6)).toBeGreaterThan(0); // on the y axis
    expect(at(g2, c + 5, c + 5)).toBeLessThan(0); // on the x = y diagonal
    // Tangential shear γ_t = −Re[γ e^{−2iφ}] > 0 all around.
    for (let a = 0; a < 16; a++) {
      const phi = (2 * Math.PI * a) / 16, x = Math.round(c + 7 * Math.cos(phi)), y = Math.round(c + 7 * Math.sin(phi));
      const p = Math.atan2(y - c, x - c);
      const gt = -(at(g1, x, y) * Math.cos(2 * p) + at(g2, x, y) * Math.sin(2 * p));
      expect(gt).toBeGreaterThan(0);
    }
    const { kE } = ks93(k, g1, g2);
    let best = 0;
    for (let i = 1; i < kE.length; i++) if (kE[i]! > kE[best]!) best = i;
    expect(best).toBe(c * n + c);
  });

  it('E-mode-only shear gives zero B-mode and returns κ up to its mean (rectangular grid)', () => {
    const rows = 40, cols = 64, k = ksKernel(rows, cols, 0.5 * ARCMIN_RAD);
    const kappa = grf(rows, cols, powerLawModeVariance(k), new Rng(3, 0));
    const { g1, g2 } = shearFromKappa(k, kappa);
    const { kE, kB } = ks93(k, g1, g2);
    let mean = 0, rms = 0;
    for (const v of kappa) mean += v / kappa.length;
    for (const v of kappa) rms += (v - mean) ** 2 / kappa.length;
    rms = Math.sqrt(rms);
    expect(rms).toBeGreaterThan(1e-3);
    for (let i = 0; i < kB.length; i++) {
      expect(Math.abs(kB[i]!)).toBeLessThan(1e-12 * Math.max(1, rms * 1e3));
      expect(Math.abs(kE[i]! - (kappa[i]! - mean))).toBeLessThan(1e-12);
    }
  });
});

/** Solves A x = b (dense, Gaussian elimination with partial pivoting). */

describe('Wiener filter = exact Gaussian posterior mean', () => {
  it('messenger field on a masked, non-white 8 × 8 field matches S Pₒᵀ(Pₒ S Pₒᵀ + Nₒ)⁻¹γₒ computed densely', () => {
    const n = 8, N = n * n, k = ksKernel(n, n, ARCMIN_RAD);
    const cmode = powerLawModeVariance(k);
    const rng = new Rng(5, 1);
    const truth = grf(n, n, cmode, rng);
    const { g1: t1, g2: t2 } = shearFromKappa(k, truth);
    const variance = new Float64Array(N), g1 = new Float64Array(N), g2 = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      const count = 1 + Math.floor(rng.uniform() * 20);
      variance[i] = i % 7 === 3 ? Infinity : 0.26 ** 2 / count;
      const s = Number.isFinite(variance[i]!) ? Math.sqrt(variance[i]!) : 0;
      g1[i] = s ? t1[i]! + s * rng.normal() : 0;
      g2[i] = s ? t2[i]! + s * rng.normal() : 0;
    }
    // Dense operators, column by column: P (2N × N) from the forward model, S (N × N) from the spectrum.
    const Pm: number[][] = Array.from({ length: 2 * N }, () => new Array<number>(N).fill(0));
    const Sm: number[][] = Array.from({ length: N }, () => new Array<number>(N).fill(0));
    for (let j = 0; j < N; j++) {
      const e = new Float64Array(N);
      e[j] = 1;
      const { g1: a, g2: b } = shearFromKappa(k, e);
      for (let i = 0; i < N; i++) { Pm[i]![j] = a[i]!; Pm[N + i]![j] = b[i]!; }
      const re = Float64Array.from(e), im = new Float64Array(N);
      fft2(re, im, n, n, false);
      for (let q = 0; q < N; q++) { re[q] = re[q]! * cmode[q]!; im[q] = im[q]! * cmode[q]!; }
      fft2(re, im, n, n, true);
      for (let i = 0; i < N; i++) Sm[i]![j] = re[i]! / N;
    }
    const obs: number[] = [];
    for (let i = 0; i < N; i++) if (Number.isFinite(variance[i]!)) obs.push(i, N + i);
    const y = obs.map((r) => (r < N ? g1[r]! : g2[r - N]!));
    const SPt = Sm.map((row) => obs.map((r) => row.reduce((s, v, q) => s + v * Pm[r]![q]!, 0))); // N × |O|
    const A = obs.map((r, a) => obs.map((_, b) => Pm[r]!.reduce((s, v, q) => s + v * SPt[q]![b]!, 0) + (a === b ? variance[r % N]! : 0)));
    const z = solveDense(A, y);
    const exact = SPt.map((row) => row.reduce((s, v, b) => s + v * z[b]!, 0));

    const res = wienerFilter(k, g1, g2, { modeVariance: cmode, variance, tol: 1e-11, maxIter: 20000 });
    expect(res.method).toBe('messenger field');
    expect(res.converged).toBe(true);
    const scale = Math.max(...exact.map(Math.abs));
    expect(scale).toBeGreaterThan(1e-3);
    for (let i = 0; i < N; i++) expect(Math.abs(res.kappa[i]! - exact[i]!)).toBeLessThan(1e-6 * scale);
    // The closed form with white noise is the same formula with Nₒ = σ²I and nothing masked.
    const white = wienerFilter(k, t1, t2, { modeVariance: cmode, variance: new Float64Array(N).fill(0.002) });
    const all = Array.from({ length: 2 * N }, (_, r) => r);
    const SPa = Sm.map((row) => all.map((r) => row.reduce((s, v, q) => s + v * Pm[r]![q]!, 0)));
    const Aa = all.map((r, a) => all.map((_, b) => Pm[r]!.reduce((s, v, q) => s + v * SPa[q]![b]!, 0) + (a === b ? 0.002 : 0)));
    const za = solveDense(Aa, all.map((r) => (r < N ? t1[r]! : t2[r - N]!)));
    const ex2 = SPa.map((row) => row.reduce((s, v, b) => s + v * za[b]!, 0));
    for (let i = 0; i < N; i++) expect(Math.abs(white.kappa[i]! - ex2[i]!)).toBeLessThan(1e-9 * scale);
  });
});
