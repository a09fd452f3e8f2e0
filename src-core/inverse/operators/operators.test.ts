// One test over EVERY operator: the dot-product adjoint test ⟨Ax, y⟩ = ⟨x, Aᵀy⟩, and power-iteration
// norms against values known in closed form (learned-priors.md §0, §8, §9).
import { describe, expect, it } from 'vitest';
import { addSieExact } from '../../infer/lens-model';
import { massProfile } from '../../lens/profiles/registry';
import { Rng } from '../../rng';
import {
  FourierMultiplier, adjointMismatch, compose, deflectorsFromLensFit, kernelTransfer, convolutionOperator, estimateRowNormsSquared, fourierSamplingOperator, gaussianPsf,
  gradientOperator, identityOperator, lensingOperator, maskOperator, operatorNorm, rayShootingOperator, scaled,
  starletNoiseLevels, starletOperator, starletSynthesisOperator, separableConvolutionOperator, separableFactors, type Deflector, type LinearOperator,
} from './index';

const rng = new Rng(5);
/** An asymmetric 5 × 3 PSF: a wrong (unflipped) adjoint fails the dot test with it. */
const skewPsf = { kernel: Float64Array.from({ length: 15 }, (_, i) => 0.1 + ((i * 7) % 5) + (i === 7 ? 6 : 0)), height: 5, width: 3 };
const sieShear: Deflector[] = [
  { profile: 'SIE', params: { theta_E: 1.1, q: 0.7, phi: 0.4, center_x: 0.05, center_y: -0.03 } },
  { profile: 'SHEAR', params: { gamma1: 0.04, gamma2: -0.03, center_x: 0, center_y: 0 } },
];
const fourierMask = Array.from({ length: 12 * 10 }, () => (rng.uniform() < 0.3 ? 1 : 0));

const operators: Array<[string, () => LinearOperator]> = [
  ['identity', () => identityOperator([3, 7, 5])],
  ['mask', () => maskOperator([9, 8], Array.from({ length: 72 }, (_, i) => i % 3 !== 0))],
  ['PSF convolution, periodic, 2 bands, 45 × 45', () => convolutionOperator({ bands: 2, rows: 45, cols: 45, psfs: [skewPsf, gaussianPsf(2.5)] })],
  ['PSF convolution, zero boundary, non-square', () => convolutionOperator({ bands: 1, rows: 12, cols: 17, psfs: [skewPsf], boundary: 'zero' })],
  ['masked Fourier sampling, 12 × 10', () => fourierSamplingOperator(12, 10, fourierMask)],
  ['gradient (TV)', () => gradientOperator(11, 13)],
  ['starlet, J = 3', () => starletOperator(16, 20, 3)],
  ['starlet synthesis', () => starletSynthesisOperator(8, 8, 2)],
  ['ray shooting through SIE + shear', () => rayShootingOperator({ imageRows: 21, imageCols: 21, pixelScale: 0.15, sourceRows: 16, sourceCols: 16, sourcePixelScale: 0.08, deflectors: sieShear, supersample: 3 })],
  ['lensing (SIE + shear, then PSF)', () => lensingOperator({ imageRows: 21, imageCols: 19, pixelScale: 0.15, sourceRows: 12, sourceCols: 14, sourcePixelScale: 0.1, sourceCentre: [0.05, 0], deflectors: sieShear, psf: skewPsf })],
  // Asymmetric and symmetric 1-D factors (the symmetric ones take the paired-tap interior loop), a
  // kernel longer than the image is wide, and a 1-tap factor.
  ['separable convolution, zero boundary, 2 bands', () => separableConvolutionOperator({ bands: 2, rows: 9, cols: 6, kernels: [
    { col: Float64Array.from([0.1, 0.5, 0.2, 0.15, 0.05]), row: Float64Array.from([0.3, 0.6, 0.1]) },
    { col: Float64Array.from([1]), row: Float64Array.from([0.05, 0.1, 0.2, 0.3, 0.2, 0.1, 0.05]) },
  ] })],
  ['separable convolution, kernel wider than the image', () => separableConvolutionOperator({ bands: 1, rows: 4, cols: 3, kernels: [{ col: Float64Array.from([0.2, 0.3, 0.5]), row: Float64Array.from([0.1, 0.1, 0.2, 0.2, 0.2, 0.1, 0.1]) }] })],
  ['composition and scaling', () => scaled(compose(starletOperator(10, 10, 2), maskOperator([10, 10], Array.from({ length: 100 }, (_, i) => i % 7 !== 0))), -2.5)],
];

describe('every operator passes the dot-product adjoint test', () => {
  for (const [name, make] of operators) {
    it(name, () => {
      const a = make();
      for (const seed of [1, 2, 3]) expect(adjointMismatch(a, seed)).toBeLessThan(1e-12);
    });
  }

  it('the test can fail: an unflipped PSF "adjoint" is caught', () => {
    const a = convolutionOperator({ bands: 1, rows: 16, cols: 16, psfs: [skewPsf] });
    const wrong: LinearOperator = { ...a, adjoint: (y, out) => a.apply(y, out) };
    expect(adjointMismatch(wrong)).toBeGreaterThan(1e-3);
  });
});

describe('separable PSF convolution', () => {
  it('equals the FFT zero-boundary convolution with the outer-product kernel (symmetric and skew factors)', () => {
    for (const [col, row] of [[[0.25, 0.5, 0.25], [0.05, 0.2, 0.5, 0.2, 0.05]], [[0.1, 0.5, 0.2, 0.15, 0.05], [0.3, 0.6, 0.1]]]) {
      const kernel = Float64Array.from({ length: col.length * row.length }, (_, i) => col[Math.floor(i / row.length)]! * row[i % row.length]!);
      const fftOp = convolutionOperator({ bands: 1, rows: 11, cols: 13, psfs: [{ kernel, height: col.length, width: row.length }], boundary: 'zero' });
      const sepOp = separableConvolutionOperator({ bands: 1, rows: 11, cols: 13, kernels: [{ col: Float64Array.from(col), row: Float64Array.from(row) }] });
      const x = Float64Array.from({ length: 143 }, () => rng.normal());
      const a = fftOp.apply(x), b = sepOp.apply(x), at = fftOp.adjoint(x), bt = sepOp.adjoint(x);
      for (let i = 0; i < 143; i++) {
        expect(b[i]).toBeCloseTo(a[i]!, 12);
        expect(bt[i]).toBeCloseTo(at[i]!, 12);
      }
    }
  });

  it('finds the factors of a Gaussian PSF and refuses a non-separable one', () => {
    const g = gaussianPsf(3.2);
    const f = separableFactors(g)!;
    expect(f).not.toBeNull();
    const s = Array.from(g.kernel).reduce((a, b) => a + b, 0), w = g.width;
    for (let i = 0; i < g.kernel.length; i++) expect(f.col[Math.floor(i / w)]! * f.row[i % w]!).toBeCloseTo(g.kernel[i]! / s, 14);
    expect(separableFactors(skewPsf)).toBeNull();
    const nudged = Float64Array.from(g.kernel);
    nudged[3] = nudged[3]! + 1e-6;
    expect(separableFactors({ ...g, kernel: nudged })).toBeNull();
  });
});

describe('operator norms by power iteration against closed forms', () => {
  const tri = { kernel: [1, -1, 1], height: 1, width: 3 }; // a_k = −1 + 2 cos(2πk/N): max |a_k| = 3 (N even)
  const cases: Array<[string, () => LinearOperator, number, number]> = [
    ['identity = 1', () => identityOperator([6, 6]), 1, 1e-9],
    ['mask = 1', () => maskOperator([6, 6], Array.from({ length: 36 }, (_, i) => i % 2)), 1, 1e-9],
    ['periodic [1, −1, 1] = 3', () => convolutionOperator({ bands: 1, rows: 4, cols: 16, psfs: [tri] }), 3, 1e-6],
    // Each row is the symmetric tridiagonal Toeplitz matrix (−1 on the diagonal, 1 beside it): its
    // eigenvalues are −1 + 2cos(jπ/(n + 1)), so ‖A‖ = 1 + 2cos(π/(n + 1)).
    ['zero-boundary [1, −1, 1] = 1 + 2cos(π/(n+1))', () => convolutionOperator({ bands: 1, rows: 3, cols: 10, psfs: [tri], boundary: 'zero' }), 1 + 2 * Math.cos(Math.PI / 11), 1e-6],
    ['full Fourier sampling = 1', () => fourierSamplingOperator(8, 6, new Array(48).fill(1)), 1, 1e-9],
    // One bin k ≠ −k of a real image: |x̂_k|² ≤ ‖x‖²/2.
    ['a lone Fourier bin = 1/√2', () => fourierSamplingOperator(8, 8, Array.from({ length: 64 }, (_, i) => (i === 1 * 8 + 2 ? 1 : 0))), Math.SQRT1_2, 1e-9],
    // Neumann forward differences: ‖∇‖² = 4sin²(π(R−1)/(2R)) + 4sin²(π(C−1)/(2C)).
    ['gradient', () => gradientOperator(6, 9), Math.sqrt(4 * Math.sin((Math.PI * 5) / 12) ** 2 + 4 * Math.sin((Math.PI * 8) / 18) ** 2), 1e-5],
    ['starlet synthesis = √(J + 1)', () => starletSynthesisOperator(8, 8, 3), 2, 1e-9],
    // No deflector, source grid = image grid: every ray hits a source pixel centre, L = I.
    ['ray shooting without a lens = 1', () => rayShootingOperator({ imageRows: 9, imageCols: 9, pixelScale: 0.2, sourceRows: 9, sourceCols: 9, sourcePixelScale: 0.2, deflectors: [], supersample: 1 }), 1, 1e-9],
  ];
  for (const [name, make, expected, tol] of cases) {
    it(name, () => {
      const { norm } = operatorNorm(make(), { maxIter: 2000, tol: 1e-12 });
      expect(Math.abs(norm - expected) / expected).toBeLessThan(tol);
    });
  }

  it('starlet: ‖W‖ = 1 (reached at zero frequency; power iteration approaches it from below)', () => {
    const { norm } = operatorNorm(starletOperator(32, 32, 4), { maxIter: 300 });
    expect(norm).toBeGreaterThan(0.99);
    expect(norm).toBeLessThanOrEqual(1 + 1e-12);
  });
});

describe('operator semantics', () => {
  it('periodic convolution of a Dirac reproduces the (normalised) PSF, centred, unflipped', () => {
    const a = convolutionOperator({ bands: 1, rows: 9, cols: 9, psfs: [skewPsf] });
    const x = new Float64Array(81);
    x[4 * 9 + 4] = 1;
    const y = a.apply(x);
    const s = skewPsf.kernel.reduce((t, v) => t + v, 0);
    for (let r = 0; r < 5; r++) for (let c = 0; c < 3; c++) {
      expect(y[(r + 2) * 9 + c + 3]).toBeCloseTo(skewPsf.kernel[r * 3 + c]! / s, 12);
    }
  });

  it('starlet: reconstruction by summation and the white-noise levels of Starck et al.', () => {
    const w = starletOperator(16, 16, 3);
    const x = Float64Array.from({ length: 256 }, () => rng.normal());
    const back = starletSynthesisOperator(16, 16, 3).apply(w.apply(x));
    for (let i = 0; i < 256; i++) expect(back[i]).toBeCloseTo(x[i]!, 12);
    const levels = starletNoiseLevels(64, 64, 4);
    [0.8908, 0.2007, 0.0855, 0.0412].forEach((v, j) => expect(Math.abs(levels[j]! - v)).toBeLessThan(6e-4));
  });

  it('lensing conserves surface brightness: a uniform source gives 1 wherever rays land on the grid', () => {
    const op = rayShootingOperator({ imageRows: 15, imageCols: 15, pixelScale: 0.2, sourceRows: 40, sourceCols: 40, sourcePixelScale: 0.1, deflectors: sieShear, supersample: 2 });
    const img = op.apply(new Float64Array(1600).fill(1));
    // A 4″ source grid covers β for every ray of this 3″ stamp (|β| ≤ |θ| + θE(1+γ)), except beyond 2″.
    let ones = 0;
    for (const v of img) if (Math.abs(v - 1) < 1e-12) ones++;
    expect(ones).toBeGreaterThan(200);
    for (const v of img) expect(v).toBeLessThanOrEqual(1 + 1e-12);
  });

  it('lensing by an SIS puts a small source at β on the axis into images at θE + β and −(θE − β)', () => {
    const thetaE = 1, beta = 0.3;
    const op = rayShootingOperator({ imageRows: 41, imageCols: 41, pixelScale: 0.1, sourceRows: 61, sourceCols: 61, sourcePixelScale: 0.02, deflectors: [{ profile: 'SIS', params: { theta_E: thetaE, center_x: 0, center_y: 0 } }], supersample: 4 });
    const src = new Float64Array(61 * 61);
    for (let i = 0; i < 61; i++) for (let j = 0; j < 61; j++) {
      const x = (j - 30) * 0.02, y = (i - 30) * 0.02;
      src[i * 61 + j] = Math.exp(-((x - beta) ** 2 + y ** 2) / (2 * 0.03 ** 2));
    }
    const img = op.apply(src);
    const brightestX = (from: number, to: number) => {
      let best = -1, bx = 0;
      for (let j = from; j <= to; j++) if (img[20 * 41 + j]! > best) { best = img[20 * 41 + j]!; bx = (j - 20) * 0.1; }
      return bx;
    };
    expect(brightestX(21, 40)).toBeCloseTo(thetaE + beta, 5);
    expect(brightestX(0, 19)).toBeCloseTo(-(thetaE - beta), 5);
    expect(op.sourcePixelsReached).toBeGreaterThan(0);
  });

  it('deflectors from a lens-model fit deflect as the fit model SIE + shear (lens-model.ts)', () => {
    const theta = [1.3, 0.12, -0.07, 0.03, -0.05];
    const defl = deflectorsFromLensFit(theta);
    const xs = Float64Array.from([0.4, -1.1, 0.7, 2.0]), ys = Float64Array.from([0.9, 0.3, -1.5, 0.1]);
    const ax = new Float64Array(4), ay = new Float64Array(4);
    addSieExact(xs, ys, 4, 1.3, (1 - Math.hypot(0.12, -0.07)) / (1 + Math.hypot(0.12, -0.07)), 0.5 * Math.atan2(-0.07, 0.12), ax, ay);
    const a = new Float64Array(2);
    for (let i = 0; i < 4; i++) {
      let sx = 0, sy = 0;
      for (const d of defl) { massProfile(d.profile).deflection(xs[i]!, ys[i]!, d.params, a); sx += a[0]!; sy += a[1]!; }
      // Shear: α = (γ1 x + γ2 y, γ2 x − γ1 y).
      expect(sx).toBeCloseTo(ax[i]! + 0.03 * xs[i]! - 0.05 * ys[i]!, 12);
      expect(sy).toBeCloseTo(ay[i]! - 0.05 * xs[i]! - 0.03 * ys[i]!, 12);
    }
  });

  it('two real planes through one complex FFT equal two separate filterings (Hermitian multiplier)', () => {
    const t = kernelTransfer(skewPsf.kernel, 5, 3, 12, 10);
    const fm = new FourierMultiplier(12, 10);
    const a = Float64Array.from({ length: 120 }, () => rng.normal()), b = Float64Array.from({ length: 120 }, () => rng.normal());
    const pa = new Float64Array(120), pb = new Float64Array(120), sa = new Float64Array(120), sb = new Float64Array(120);
    fm.applyPair(a, b, t.re, t.im, pa, pb, true);
    fm.apply(a, t.re, t.im, sa, true);
    fm.apply(b, t.re, t.im, sb, true);
    for (let i = 0; i < 120; i++) { expect(pa[i]).toBeCloseTo(sa[i]!, 12); expect(pb[i]).toBeCloseTo(sb[i]!, 12); }
  });

  it('diag(AAᵀ) estimate matches the exact row norms of a mask', () => {
    const keep = Array.from({ length: 100 }, (_, i) => i % 4 !== 0);
    const d = estimateRowNormsSquared(maskOperator([10, 10], keep), 8);
    keep.forEach((k, i) => expect(d[i]).toBe(k ? 1 : 0));
  });

  it('typed errors name the operator and the sizes', () => {
    expect(() => identityOperator([4, 4]).apply(new Float64Array(15))).toThrow(/identity: input has 15 values, expected 16/);
    expect(() => convolutionOperator({ bands: 1, rows: 4, cols: 4, psfs: [{ kernel: [1, 1], height: 1, width: 2 }] })).toThrow(/odd sides/);
    expect(() => compose(identityOperator([3]), identityOperator([4]))).toThrow(/cannot compose/);
  });
});
