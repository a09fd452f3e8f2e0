// Source reconstruction behind a lens: the lensing operator's adjoint and norm, and the data-space
// Gaussian posterior against the dense source-space closed form (learned-priors.md §7):
// C_post = (C⁻¹ + AᵀΣ⁻¹A)⁻¹, m_post = C_post(C⁻¹μ + AᵀΣ⁻¹y), computed here from explicit matrices.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../rng';
import { inverseSpd } from '../../infer/linalg';
import { qPhiToEllipticity } from '../../infer/lens-model';
import { makeKernel } from '../../lens/psf';
import { FourierMultiplier } from '../operators/fourier-multiplier';
import { adjointMismatch } from '../operators/diagnostics';
import { operatorNorm } from '../operators/norm';
import type { PsfArray } from '../operators/convolution';
import { buildSourceSystem, fitAmplitude, gaussianSourcePosterior, logEvidence } from './gaussian-source';
import { defaultSourceSpectrum, mixLensDraws, psfArrayFromKernel, sourceOperator } from './source-lens';

const lens = [1.0, ...qPhiToEllipticity(0.8, 0.4), 0.03, -0.02];
// An asymmetric PSF: a wrong (unflipped) adjoint fails the dot-product test.
const skewPsf: PsfArray = { kernel: [0, 1, 0, 0.5, 4, 2, 0, 0.2, 1], height: 3, width: 3 };

function dense(apply: (x: Float64Array) => Float64Array, nIn: number, nOut: number): Float64Array {
  // nOut × nIn, row-major.
  const m = new Float64Array(nOut * nIn), e = new Float64Array(nIn);
  for (let j = 0; j < nIn; j++) {
    e.fill(0);
    e[j] = 1;
    const col = apply(e);
    for (let i = 0; i < nOut; i++) m[i * nIn + j] = col[i]!;
  }
  return m;
}

describe('lensing operator for source reconstruction', () => {
  it('passes the dot-product test (SIE + shear, bilinear, asymmetric PSF) and reaches the grid', () => {
    const op = sourceOperator(lens, { rows: 32, cols: 32, pixelScale: 0.05, centre: [0.05, -0.03] }, { size: 25, pixelScale: 0.12 }, skewPsf);
    expect(adjointMismatch(op, 1)).toBeLessThan(1e-12);
    expect(adjointMismatch(op, 2)).toBeLessThan(1e-12);
    expect(op.sourcePixelsReached).toBeGreaterThan(100);
    // A uniform source of 1 gives ≈ 1 where all rays land on the grid (surface brightness conserved, PSF unit sum).
    const img = op.apply(new Float64Array(32 * 32).fill(1));
    expect(Math.max(...img)).toBeCloseTo(1, 6);
  });

  it('operator norm by power iteration equals the dense largest singular value', () => {
    const op = sourceOperator(lens, { rows: 8, cols: 8, pixelScale: 0.2, centre: [0, 0] }, { size: 11, pixelScale: 0.2 }, psfArrayFromKernel(makeKernel({ type: 'gaussian', fwhm: 0.5 }, 0.2)));
    const A = dense((x) => op.apply(x), 64, 121);
    // AᵀA explicitly, then its largest eigenvalue by 3000 plain power steps (independent of norm.ts).
    const ata = new Float64Array(64 * 64);
    for (let i = 0; i < 64; i++) for (let j = 0; j < 64; j++) { let s = 0; for (let r = 0; r < 121; r++) s += A[r * 64 + i]! * A[r * 64 + j]!; ata[i * 64 + j] = s; }
    let v = new Float64Array(64).fill(1), lam = 0;
    for (let it = 0; it < 3000; it++) {
      const w = new Float64Array(64);
      for (let i = 0; i < 64; i++) for (let j = 0; j < 64; j++) w[i] = w[i]! + ata[i * 64 + j]! * v[j]!;
      lam = Math.hypot(...w);
      v = w.map((x) => x / lam);
    }
    expect(operatorNorm(op, { maxIter: 500, tol: 1e-12 }).norm).toBeCloseTo(Math.sqrt(lam), 6);
  });
});

describe('Gaussian source posterior (data-space dense) against the source-space closed form', () => {
  it('mean, per-pixel variance and draws match on a tiny lensed problem with a masked pixel', () => {
    const R = 6, n = R * R, size = 9, M = size * size;
    const op = sourceOperator(lens, { rows: R, cols: R, pixelScale: 0.3, centre: [0.02, 0] }, { size, pixelScale: 0.25 }, skewPsf);
    const spectrum = defaultSourceSpectrum(R, R, { slope: 2, k0: 0.3 });
    const amp = 2.5, mu = 0.4, rng = new Rng(3);
    const variance = Float64Array.from({ length: M }, (_, j) => 0.05 + 0.1 * ((j * 7) % 5) / 5);
    variance[40] = Infinity;
    const y = Float64Array.from({ length: M }, () => 1 + rng.normal());
    const sys = buildSourceSystem({ operator: op, y, variance, spectrum, mean: mu });
    const res = gaussianSourcePosterior(sys, amp, { samples: 4000, rng: new Rng(9), operator: op });
    // Dense closed form.
    const fm = new FourierMultiplier(R, R);
    const C = dense((x) => { const o = new Float64Array(n); fm.apply(x, spectrum.map((c) => c * amp * amp), null, o); return o; }, n, n);
    const A = dense((x) => op.apply(x), n, M);
    const cInv = inverseSpd(C, n);
    const P = Float64Array.from(cInv);
    const b = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < n; k++) b[i] = b[i]! + cInv[i * n + k]! * mu;
      for (let r = 0; r < M; r++) {
        const w = Number.isFinite(variance[r]!) ? 1 / variance[r]! : 0;
        if (!w) continue;
        b[i] = b[i]! + A[r * n + i]! * w * y[r]!;
        for (let j = 0; j < n; j++) P[i * n + j] = P[i * n + j]! + A[r * n + i]! * w * A[r * n + j]!;
      }
    }
    const Cp = inverseSpd(P, n);
    let maxMean = 0, maxVar = 0, scale = 0;
    for (let i = 0; i < n; i++) {
      let m = 0;
      for (let k = 0; k < n; k++) m += Cp[i * n + k]! * b[k]!;
      maxMean = Math.max(maxMean, Math.abs(m - res.mean[i]!));
      maxVar = Math.max(maxVar, Math.abs(Cp[i * n + i]! - res.variance[i]!) / Cp[i * n + i]!);
      scale = Math.max(scale, Math.abs(m));
    }
    expect(maxMean / scale).toBeLessThan(1e-8);
    expect(maxVar).toBeLessThan(1e-8);
    expect(sys.m).toBeLessThan(M); // the masked pixel (and pixels no ray reaches) left out
    // Exact draws: sample mean within 5 MC standard errors, sample variance within 10 % everywhere.
    for (let i = 0; i < n; i++) {
      let s = 0, s2 = 0;
      for (const x of res.samples) { s += x[i]!; s2 += x[i]! ** 2; }
      const m = s / 4000, v = s2 / 4000 - m * m;
      expect(Math.abs(m - res.mean[i]!)).toBeLessThan(5 * Math.sqrt(res.variance[i]! / 4000));
      expect(v / res.variance[i]!).toBeGreaterThan(0.9);
      expect(v / res.variance[i]!).toBeLessThan(1.1);
    }
  });

  it('the fitted amplitude maximises the evidence', () => {
    const R = 8, size = 11;
    const op = sourceOperator(lens, { rows: R, cols: R, pixelScale: 0.2, centre: [0, 0] }, { size, pixelScale: 0.2 }, skewPsf);
    const spectrum = defaultSourceSpectrum(R, R);
    const rng = new Rng(4);
    // Data drawn from the prior with amplitude 3 and noise 0.1.
    const fm = new FourierMultiplier(R, R), x = new Float64Array(R * R);
    fm.apply(Float64Array.from({ length: R * R }, () => rng.normal()), spectrum.map((c) => 3 * Math.sqrt(c)), null, x);
    const y = op.apply(x).map((v) => v + 0.1 * rng.normal());
    const sys = buildSourceSystem({ operator: op, y, variance: new Float64Array(size * size).fill(0.01), spectrum });
    const best = fitAmplitude(sys, 1);
    expect(best.logEvidence).toBeGreaterThanOrEqual(logEvidence(sys, best.amplitude * 1.1));
    expect(best.logEvidence).toBeGreaterThanOrEqual(logEvidence(sys, best.amplitude / 1.1));
    expect(best.amplitude).toBeGreaterThan(3 / 4);
    expect(best.amplitude).toBeLessThan(3 * 4);
  });

  it('mixes lens draws by the law of total variance', () => {
    const m = mixLensDraws([{ mean: Float64Array.of(1, 0), variance: Float64Array.of(1, 2) }, { mean: Float64Array.of(3, 0), variance: Float64Array.of(3, 2) }]);
    expect(Array.from(m.mean)).toEqual([2, 0]);
    expect(Array.from(m.variance)).toEqual([3, 2]); // ⟨v⟩ = 2 plus Var(1, 3) = 1; 2 + 0
  });
});
