// The extended lens model (free centre, own lens-light Sérsic, point sources): its pieces against independent
// references — NNLS against exhaustive active-set enumeration, the point template against the kernel it moves,
// the model without point sources against the 12-parameter model where they coincide, the finite-difference
// gradient against central differences — and the point-source fit against simulator truth.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { makeKernel } from '../lens/psf';
import { LensModel, qPhiToEllipticity } from './lens-model';
import { ExtLensModel } from './lens-model-ext';
import { nnlsGram } from './nnls';
import { addPointTemplate } from './point-template';
import { syntheticLens } from './lens-synthetic';
import { bruteNnls, randomNormalEquations } from './nnls-brute.testutil';

describe('nnlsGram', () => {
  it('matches the best of all active sets on random problems (2–6 columns)', () => {
    const rng = new Rng(5, 1);
    for (let trial = 0; trial < 60; trial++) {
      const n = 2 + (trial % 5), m = 30;
      const { G, b, yy } = randomNormalEquations(rng, n, m, trial % 2 ? 0.5 : 0);
      const x = new Float64Array(n);
      const chi = nnlsGram(G, b, yy, n, x);
      expect(x.every((v) => v >= 0)).toBe(true);
      expect(chi).toBeCloseTo(bruteNnls(G, b, yy, n), 6);
    }
  });

  it('leaves an empty column (a missing image) at 0', () => {
    const G = Float64Array.from([2, 0, 0, 0]), b = Float64Array.from([4, 0]);
    const x = new Float64Array(2);
    expect(nnlsGram(G, b, 10, 2, x)).toBeCloseTo(2, 12);
    expect(x[0]).toBeCloseTo(2, 12);
    expect(x[1]).toBe(0);
  });
});

describe('addPointTemplate', () => {
  const k = makeKernel({ type: 'gaussian', fwhm: 0.7 }, 0.2);
  it('at an integer position it is the kernel itself; anywhere inside it keeps flux 1 and the centroid', () => {
    const size = 31;
    const a = new Float64Array(size * size);
    addPointTemplate(a, size, k, 15, 15);
    const h = k.h, w = 2 * h + 1;
    expect(a[15 * size + 15]).toBeCloseTo(k.k2[h * w + h]!, 14);
    expect(a[15 * size + 17]).toBeCloseTo(k.k2[h * w + h + 2]!, 14);
    for (const [px, py] of [[14.3, 15.8], [12.71, 16.02], [15.5, 15.5]]) {
      const t = new Float64Array(size * size);
      addPointTemplate(t, size, k, px!, py!);
      let s = 0, sx = 0, sy = 0;
      for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) { s += t[j * size + i]!; sx += i * t[j * size + i]!; sy += j * t[j * size + i]!; }
      expect(s).toBeCloseTo(1, 10);
      expect(sx / s).toBeCloseTo(px!, 8);
      expect(sy / s).toBeCloseTo(py!, 8);
    }
  });
});

describe('ExtLensModel', () => {
  const syn = syntheticLens({ seed: 3, size: 25, bands: ['g', 'i'] });
  const t12 = Array.from(syn.truth);
  // The 12-parameter point in the extended parameters: centre 0, lens light n = 4 with the mass's q and φ.
  const text = [t12[0]!, t12[1]!, t12[2]!, 0, 0, t12[3]!, t12[4]!, t12[5]!, t12[6]!, t12[7]!, t12[8]!, t12[9]!, t12[10]!, t12[11]!, 4, t12[1]!, t12[2]!];

  it('without point sources equals the 12-parameter model where the two coincide', () => {
    const m12 = new LensModel(syn.cutout);
    const mx = new ExtLensModel(syn.cutout, { pointSources: false });
    const a = m12.solve(t12).chi2, b = mx.solve(text).chi2;
    expect(Math.abs(a - b) / a).toBeLessThan(1e-9);
    // …and differs once the centre moves (the parameter is live).
    expect(mx.solve(text.map((v, i) => (i === 3 ? v + 0.05 : v))).chi2).toBeGreaterThan(b + 1);
  });

  it('its forward-difference gradient agrees with central differences', () => {
    const mx = new ExtLensModel(syn.cutout, { pointSources: true });
    const t = text.map((v, i) => v + [0.03, 0.02, -0.01, 0.02, -0.01, 0.01, 0.005, 0.05, -0.03, 0.02, 0.2, 0.03, 0.01, 0.1, -0.5, 0.05, -0.02][i]!);
    const g = new Float64Array(17);
    mx.chi2AndGradientFd(t, g);
    for (let i = 0; i < 17; i++) {
      const h = 1e-5 * (mx.spec.upper[i]! - mx.spec.lower[i]!);
      const tp = t.slice(), tm = t.slice();
      tp[i] = t[i]! + h;
      tm[i] = t[i]! - h;
      const c = (mx.solve(tp).chi2 - mx.solve(tm).chi2) / (2 * h);
      expect(Math.abs(g[i]! - c)).toBeLessThan(2e-3 * Math.abs(c) + 1e-2 * Math.sqrt(mx.solve(t).chi2));
    }
  });

  it('renders a quasar image where the lens equation puts it, with amplitude ≈ the injected flux', () => {
    const size = 41, ps = 0.2;
    const psf = [makeKernel({ type: 'gaussian', fwhm: 0.7 }, ps)];
    const truth = [1.1, ...qPhiToEllipticity(0.8, 0.4), 0.05, -0.03, 0.03, -0.02, 0.12, 0.05, 0.2, 1, 0, 0, 0.8, 3, 0, 0];
    const empty = { bands: 1, size, pixelScale: ps, image: new Float64Array(size * size), variance: new Float64Array(size * size).fill(1), psf };
    const m = new ExtLensModel(empty);
    m.solve(truth);
    expect(m.images.length).toBe(4);
    const flux = [5000, 3000, 2000, 1000];
    const img = new Float64Array(size * size);
    m.images.forEach((im, k) => addPointTemplate(img, size, psf[0]!, 20 + im.x / ps, 20 + im.y / ps, flux[k]));
    const fit = new ExtLensModel({ ...empty, image: img });
    const { chi2, amplitudes } = fit.solve(truth);
    expect(chi2).toBeLessThan(1e-6);
    for (let k = 0; k < 4; k++) expect(amplitudes[2 + k]).toBeCloseTo(flux[k]!, 3);
    // pointSourceImage (the error floor's P) is the injected images alone: here the whole image.
    const P = fit.pointSourceImage(truth);
    let maxDiff = 0;
    for (let i = 0; i < img.length; i++) maxDiff = Math.max(maxDiff, Math.abs(P[i]! - img[i]!));
    expect(maxDiff).toBeLessThan(1e-3);
    // With extended light in the data as well, it leaves that light out: model − P = source + lens light only.
    const blob = Float64Array.from(img, (v, i) => v + 40 * Math.exp(-((i % size - 20) ** 2 + (Math.floor(i / size) - 20) ** 2) / 18));
    const withLight = new ExtLensModel({ ...empty, image: blob });
    const full = withLight.modelImage(truth), pts = withLight.pointSourceImage(truth);
    const a = withLight.solve(truth).amplitudes;
    expect(a[1]).toBeGreaterThan(0); // the lens light took part of the blob
    let sumRest = 0, sumP = 0;
    for (let i = 0; i < full.length; i++) { sumRest += full[i]! - pts[i]!; sumP += pts[i]!; }
    expect(sumRest).toBeGreaterThan(100);
    expect(sumP).toBeCloseTo(a[2]! + a[3]! + a[4]! + a[5]!, 0);
  });

  it('follows the last render\'s four images by Newton: the same χ² and images as a fresh triangle search', () => {
    const size = 41, ps = 0.2;
    const psf = [makeKernel({ type: 'gaussian', fwhm: 0.7 }, ps)];
    const truth = [1.1, ...qPhiToEllipticity(0.8, 0.4), 0.05, -0.03, 0.03, -0.02, 0.12, 0.05, 0.2, 1, 0, 0, 0.8, 3, 0, 0];
    const img = Float64Array.from({ length: size * size }, (_, i) => 50 * Math.exp(-((i % size - 22) ** 2 + (Math.floor(i / size) - 19) ** 2) / 8));
    const data = { bands: 1, size, pixelScale: ps, image: img, variance: new Float64Array(size * size).fill(1), psf };
    const warm = new ExtLensModel(data);
    warm.solve(truth);
    expect(warm.images.length).toBe(4);
    const steps = [[0.01, 0.005], [0.03, -0.02], [-0.02, 0.01], [0.05, 0.02]];
    for (const [d0, d1] of steps) {
      const t = truth.map((v, i) => v + (i === 0 ? d0! : i === 7 ? d1! : i === 4 ? d1! / 2 : 0));
      const a = warm.solve(t).chi2;
      const fresh = new ExtLensModel(data);
      const b = fresh.solve(t).chi2;
      expect(Math.abs(a - b)).toBeLessThan(1e-8 * b);
      const key = (ims: { x: number; y: number }[]) => ims.map((p) => `${p.x.toFixed(7)},${p.y.toFixed(7)}`).sort().join(';');
      expect(key(warm.images)).toBe(key(fresh.images));
    }
  });
});
