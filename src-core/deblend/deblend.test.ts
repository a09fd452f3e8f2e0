import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { gaussianPsf, convolutionOperator } from '../inverse/operators/convolution';
import { monotonicPlan, parseConstraints, projectMonotonic, projectSymmetric } from './constraints';
import { detectionImage, findPeaks } from './detect';
import { type MorphologyPrior } from './prior';
import { differenceKernel, gaussianKernel, psfSigma, separableDifferenceKernel } from './psf-match';
import { simulateBlend } from './sim-blend';
import { deblend } from './solver';
import { Rng } from '../rng';

describe('PSF matching', () => {
  it('the difference kernel from a σ=2 Gaussian to the σ=0.8 model PSF is the Gaussian of σ² = 4 − 0.64', () => {
    const d = differenceKernel(gaussianKernel(2, 31), 0);
    expect(Math.abs(psfSigma(d) - Math.sqrt(4 - 0.64))).toBeLessThan(0.05);
    // D ∗ M reproduces P.
    const m = gaussianKernel(0.8, 31);
    const op = convolutionOperator({ bands: 1, rows: 31, cols: 31, psfs: [d], boundary: 'zero' });
    const back = op.apply(Float64Array.from(m.kernel));
    const p = gaussianKernel(2, 31).kernel;
    let err = 0, tot = 0;
    for (let i = 0; i < back.length; i++) { err += Math.abs(back[i]! - p[i]!); tot += p[i]!; }
    expect(err / tot).toBeLessThan(0.02);
  });
});

describe('separable PSF matching (Gaussian presets)', () => {
  it('the 1-D kernels of a Gaussian PSF multiply to the 2-D difference kernel', () => {
    const psf = gaussianPsf(3.85); // LSST g at 0.2″
    const sep = separableDifferenceKernel(psf, 0)!;
    expect(sep).not.toBeNull();
    const d2 = differenceKernel(psf, 0), w = d2.width, hs = (sep.row.length - 1) / 2, h2 = (w - 1) / 2;
    let err = 0, peak = 0;
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) {
      const dy = y - h2, dx = x - h2;
      const v = Math.abs(dy) <= hs && Math.abs(dx) <= hs ? sep.col[dy + hs]! * sep.row[dx + hs]! : 0;
      err = Math.max(err, Math.abs(v - d2.kernel[y * w + x]!));
      peak = Math.max(peak, d2.kernel[y * w + x]!);
    }
    expect(err / peak).toBeLessThan(2e-3);
    expect(sep.row.every((v, i) => v === sep.row[sep.row.length - 1 - i])).toBe(true);
    // A measured (non-separable) PSF has none: the solver keeps the FFT path for it.
    const skew = Float64Array.from(psf.kernel);
    skew[psf.width + 2] = skew[psf.width + 2]! + 0.01;
    expect(separableDifferenceKernel({ ...psf, kernel: skew }, 0)).toBeNull();
  });

  it('the deblend with Gaussian PSFs (separable path) matches the FFT path', () => {
    const sim = simulateBlend(21, { nSources: 3, size: 41 });
    const psfs = sim.psfs!;
    // One pixel nudged by 1e-7 of the peak: no longer separable, so the FFT path runs on the same problem.
    const fftPsfs = psfs.map((p) => { const k = Float64Array.from(p.kernel); k[0] = k[0]! + 1e-7 * Math.max(...k); return { ...p, kernel: k }; });
    const a = deblend({ images: sim.images, rows: 41, cols: 41, variance: sim.variance, psfs, maxIter: 60 });
    const b = deblend({ images: sim.images, rows: 41, cols: 41, variance: sim.variance, psfs: fftPsfs, maxIter: 60 });
    expect(a.sources.length).toBe(b.sources.length);
    let d = 0, m = 0;
    a.model.forEach((p, band) => p.forEach((v, i) => { d = Math.max(d, Math.abs(v - b.model[band]![i]!)); m = Math.max(m, Math.abs(v)); }));
    expect(d / m).toBeLessThan(5e-3);
  });
});

describe('constraints', () => {
  it('monotonic projection makes every pixel ≤ its inward neighbour; symmetric makes S = R180 S', () => {
    const rng = new Rng(3, 1), rows = 15, cols = 17, px = 7, py = 6;
    const s = Float64Array.from({ length: rows * cols }, () => rng.uniform());
    const plan = monotonicPlan(rows, cols, px, py);
    projectMonotonic(s, plan);
    for (let j = 0; j < plan.order.length; j++) expect(s[plan.order[j]!]!).toBeLessThanOrEqual(s[plan.ref[j]!]!);
    const t = Float64Array.from({ length: rows * cols }, () => rng.uniform());
    projectSymmetric(t, rows, cols, 2 * px, 2 * py);
    for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) {
      const mx = 2 * px - x, my = 2 * py - y;
      if (mx >= 0 && mx < cols && my >= 0 && my < rows) expect(t[y * cols + x]).toBe(t[my * cols + mx]);
      else expect(t[y * cols + x]).toBe(0);
    }
  });
  it('unknown constraint names are an InputError', () => {
    expect(() => parseConstraints('monotonic,bogus')).toThrow(InputError);
    expect([...parseConstraints('monotonic,symmetric')].sort()).toEqual(['monotonic', 'positive', 'symmetric']);
  });
});

describe('detection', () => {
  it('finds two well separated point sources and nothing in pure noise', () => {
    const rows = 40, cols = 40, rng = new Rng(5, 2);
    const img = Float64Array.from({ length: rows * cols }, () => rng.normal());
    img[10 * cols + 12] = img[10 * cols + 12]! + 200;
    img[30 * cols + 25] = img[30 * cols + 25]! + 100;
    const peaks = findPeaks(detectionImage([img], [1], rows, cols), rows, cols);
    expect(peaks.map((p) => [p.x, p.y])).toEqual([[12, 10], [25, 30]]);
    const noise = Float64Array.from({ length: rows * cols }, () => rng.normal());
    expect(findPeaks(detectionImage([noise], [1], rows, cols), rows, cols)).toEqual([]);
  });
});

/** Match each true source to the nearest deblended one. */
function match(sim: ReturnType<typeof simulateBlend>, r: ReturnType<typeof deblend>) {
  return sim.truth.map((t) => r.sources.reduce((a, s) => (Math.hypot(s.x - t.x, s.y - t.y) < Math.hypot(a.x - t.x, a.y - t.y) ? s : a)));
}

describe('deblending simulated Sérsic blends (LSST-like noise)', () => {
  const sim = simulateBlend(2, { nSources: 2 });
  const r = deblend({ images: sim.images, rows: sim.rows, cols: sim.cols, variance: sim.variance, psfs: sim.psfs, maxIter: 150 });

  it('model + residual = data exactly (flux conservation), re-apportioned fluxes sum to the data', () => {
    for (let b = 0; b < sim.bands.length; b++) {
      let dataSum = 0, share = 0;
      for (let i = 0; i < sim.rows * sim.cols; i++) {
        expect(Math.abs(r.model[b]![i]! + r.residual[b]![i]! - sim.images[b]![i]!)).toBeLessThanOrEqual(1e-9 * Math.abs(sim.images[b]![i]!) + 1e-9);
        if (r.sources.some((s) => s.model[b]![i]! > 0)) dataSum += sim.images[b]![i]!;
      }
      for (const s of r.sources) share += s.dataFlux[b]!;
      expect(Math.abs(share - dataSum)).toBeLessThan(1e-6 * Math.abs(dataSum));
      // The per-source models add up to the scene model.
      for (let i = 0; i < sim.rows * sim.cols; i += 37) {
        const sum = r.sources.reduce((a, s) => a + s.model[b]![i]!, 0);
        expect(Math.abs(sum - r.model[b]![i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(r.model[b]![i]!)));
      }
    }
  });

  it('finds both sources and recovers each flux per band within 10 %, centroids within 1 px', () => {
    expect(r.sources.length).toBe(2);
    const m = match(sim, r);
    sim.truth.forEach((t, k) => {
      expect(Math.hypot(m[k]!.x - t.x, m[k]!.y - t.y)).toBeLessThan(1);
      t.flux.forEach((f, b) => expect(Math.abs(m[k]!.flux[b]! / f - 1)).toBeLessThan(0.1));
    });
    expect(r.chi2PerPixel).toBeLessThan(3);
  });

  it('the order of catalog positions does not change the answer', () => {
    const pos = sim.truth.map((t) => ({ x: t.x, y: t.y }));
    const a = deblend({ images: sim.images, rows: sim.rows, cols: sim.cols, variance: sim.variance, psfs: sim.psfs, positions: pos, maxIter: 40 });
    const b = deblend({ images: sim.images, rows: sim.rows, cols: sim.cols, variance: sim.variance, psfs: sim.psfs, positions: [...pos].reverse(), maxIter: 40 });
    a.sources.forEach((s, k) => s.flux.forEach((f, band) => expect(b.sources[a.sources.length - 1 - k]!.flux[band]!).toBeCloseTo(f, 3)));
  });
});

describe('morphology prior hook', () => {
  it('is called once per source per iteration and `none` is the identity path', () => {
    const sim = simulateBlend(4, { nSources: 2, size: 31 });
    let calls = 0;
    const counting: MorphologyPrior = { name: 'count', replacesConstraints: false, step: () => { calls++; } };
    const a = deblend({ images: sim.images, rows: 31, cols: 31, variance: sim.variance, psfs: sim.psfs, maxIter: 5, minIter: 5, prior: counting });
    const b = deblend({ images: sim.images, rows: 31, cols: 31, variance: sim.variance, psfs: sim.psfs, maxIter: 5, minIter: 5 });
    expect(calls).toBe(a.sources.length * a.iterations);
    expect(a.sources.map((s) => s.flux)).toEqual(b.sources.map((s) => s.flux));
  });
});

describe('bad input', () => {
  const sim = simulateBlend(6, { nSources: 2, size: 31 });
  const base = { images: sim.images, rows: 31, cols: 31, maxIter: 20 };
  it('mismatched band counts are InputErrors naming both counts', () => {
    expect(() => deblend({ ...base, variance: sim.variance.slice(0, 2) })).toThrow(/2 variance planes for 4 bands/);
    expect(() => deblend({ ...base, psfs: sim.psfs.slice(0, 3) })).toThrow(/3 PSFs for 4 bands/);
    expect(() => deblend({ ...base, images: [new Float64Array(10)] })).toThrow(InputError);
  });
  it('no PSF: runs with δ difference kernels and says so; no variance: background σ estimated near the truth', () => {
    const r = deblend(base);
    expect(r.warnings.join(' ')).toMatch(/no PSF given/);
    const rng = new Rng(8, 1), img = Float64Array.from({ length: 41 * 41 }, () => 3 * rng.normal());
    img[20 * 41 + 20] = 500;
    const q = deblend({ images: [img], rows: 41, cols: 41, maxIter: 10 });
    expect(Math.abs(q.backgroundSigma[0]! / 3 - 1)).toBeLessThan(0.1);
  });
  it('NaN pixels are masked: residual NaN there, finite elsewhere, no crash', () => {
    const imgs = sim.images.map((im) => Float64Array.from(im));
    for (let i = 0; i < 31; i++) imgs[1]![5 * 31 + i] = NaN;
    const r = deblend({ ...base, images: imgs, variance: sim.variance, psfs: sim.psfs });
    expect(r.warnings.join(' ')).toMatch(/31 non-finite/);
    expect(Number.isNaN(r.residual[1]![5 * 31 + 3]!)).toBe(true);
    expect(Number.isFinite(r.residual[0]![5 * 31 + 3]!)).toBe(true);
    expect(Number.isFinite(r.chi2PerPixel)).toBe(true);
  });
  it('a single band deblends; an all-NaN image is a clear error', () => {
    const r = deblend({ images: [sim.images[2]!], rows: 31, cols: 31, psfs: [gaussianPsf(3)], maxIter: 20 });
    expect(r.sources.length).toBeGreaterThan(0);
    expect(r.sources[0]!.flux.length).toBe(1);
    expect(() => deblend({ images: [new Float64Array(31 * 31).fill(NaN)], rows: 31, cols: 31 })).toThrow(/every pixel is masked/);
  });
});
