// The analytic gradient of the extended lens model (lens-gradient-ext.ts) and its pieces against central
// differences of the quantities they differentiate: the SIE Jacobian and ∂α/∂(q, φ) against addSieExact, the
// point template's position derivative against addPointTemplate, and dχ²/dθ of the 'ext' and 'sie+ps' models
// (Gaussian and pixelised PSFs), with and without a shapelet source, against central differences of the profiled χ².
import { describe, expect, it } from 'vitest';
import { makeKernel } from '../lens/psf';
import { addSieExact, qPhiToEllipticity } from './lens-model';
import { ExtLensModel } from './lens-model-ext';
import { addPointTemplate, pointTemplateGradient } from './point-template';
import { SieDerivatives } from './sie-derivatives';
import { syntheticLens } from './lens-synthetic';

const sieAt = (x: number, y: number, thetaE: number, q: number, phi: number): [number, number] => {
  const ax = new Float64Array(1), ay = new Float64Array(1);
  addSieExact(Float64Array.of(x), Float64Array.of(y), 1, thetaE, q, phi, ax, ay);
  return [ax[0]!, ay[0]!];
};

describe('SieDerivatives', () => {
  it('Jacobian, ∂α/∂q and ∂α/∂φ equal central differences of the deflection (incl. q → 1)', () => {
    for (const [x, y, q, phi] of [[0.7, -0.4, 0.7, 0.5], [-1.3, 0.2, 0.45, 2.1], [0.1, 0.9, 0.999, -0.3], [0.5, 0.5, 1, 0.2]] as const) {
      const th = 1.3, h = 1e-6;
      const [ax, ay] = sieAt(x, y, th, q, phi);
      const d = new SieDerivatives(th, q, phi);
      d.at(x, y, ax, ay);
      const dX = [sieAt(x + h, y, th, q, phi), sieAt(x - h, y, th, q, phi)];
      const dY = [sieAt(x, y + h, th, q, phi), sieAt(x, y - h, th, q, phi)];
      expect(d.j11).toBeCloseTo((dX[0]![0] - dX[1]![0]) / (2 * h), 6);
      expect(d.j12).toBeCloseTo((dX[0]![1] - dX[1]![1]) / (2 * h), 6);
      expect(d.j12).toBeCloseTo((dY[0]![0] - dY[1]![0]) / (2 * h), 6);
      expect(d.j22).toBeCloseTo((dY[0]![1] - dY[1]![1]) / (2 * h), 6);
      const dP = [sieAt(x, y, th, q, phi + h), sieAt(x, y, th, q, phi - h)];
      expect(d.dpx).toBeCloseTo((dP[0]![0] - dP[1]![0]) / (2 * h), 6);
      expect(d.dpy).toBeCloseTo((dP[0]![1] - dP[1]![1]) / (2 * h), 6);
      if (q < 0.99) {
        const dQ = [sieAt(x, y, th, q + h, phi), sieAt(x, y, th, q - h, phi)];
        expect(d.dqx).toBeCloseTo((dQ[0]![0] - dQ[1]![0]) / (2 * h), 6);
        expect(d.dqy).toBeCloseTo((dQ[0]![1] - dQ[1]![1]) / (2 * h), 6);
      }
    }
  });
});

describe('pointTemplateGradient', () => {
  it('is the position derivative of Σ r·T (Gaussian and pixelised PSFs, across pixel boundaries)', () => {
    const size = 25;
    const r = Float64Array.from({ length: size * size }, (_, i) => Math.sin(0.37 * i) + 0.2 * Math.cos(1.3 * i));
    for (const k of [makeKernel({ type: 'gaussian', fwhm: 0.7 }, 0.2), makeKernel({ type: 'moffat', fwhm: 0.5, beta: 3 }, 0.2)]) {
      for (const [px, py] of [[12.3, 11.8], [10.999, 13.5], [3.2, 20.7]] as const) {
        const dot = (x: number, y: number) => {
          const T = new Float64Array(size * size);
          addPointTemplate(T, size, k, x, y);
          return T.reduce((s, v, i) => s + v * r[i]!, 0);
        };
        const out = new Float64Array(2), h = 1e-6;
        pointTemplateGradient(r, size, k, px, py, out);
        expect(out[0]).toBeCloseTo((dot(px + h, py) - dot(px - h, py)) / (2 * h), 5);
        expect(out[1]).toBeCloseTo((dot(px, py + h) - dot(px, py - h)) / (2 * h), 5);
      }
    }
  });
});

/** Central differences of χ², step 1e-5 of the prior width. */
function centralGradient(m: ExtLensModel, t: number[]): number[] {
  return t.map((_, i) => {
    const h = 1e-5 * (m.spec.upper[i]! - m.spec.lower[i]!);
    const tp = t.slice(), tm = t.slice();
    tp[i] = t[i]! + h;
    tm[i] = t[i]! - h;
    return (m.solve(tp).chi2 - m.solve(tm).chi2) / (2 * h);
  });
}

function expectGradientsAgree(m: ExtLensModel, t: number[]): Float64Array {
  const g = new Float64Array(17);
  const chi2 = m.chi2AndGradient(t, g);
  expect(chi2).toBeCloseTo(m.solve(t).chi2, 6);
  const c = centralGradient(m, t);
  const scale = Math.sqrt(chi2);
  for (let i = 0; i < 17; i++) {
    // A parameter that does not move χ² (e.g. a missing image) must not get a gradient either.
    expect(Math.abs(g[i]! - c[i]!), `${m.spec.names[i]}: analytic ${g[i]} vs central ${c[i]}`).toBeLessThan(1e-3 * Math.abs(c[i]!) + 1e-3 * scale);
  }
  // The gradient is live: not all zero.
  expect(Math.max(...Array.from(g, Math.abs))).toBeGreaterThan(1);
  return g;
}

describe('ExtLensGradient', () => {
  const syn = syntheticLens({ seed: 3, size: 25, bands: ['g', 'i'] });
  const t12 = Array.from(syn.truth);
  const text = [t12[0]!, t12[1]!, t12[2]!, 0, 0, t12[3]!, t12[4]!, t12[5]!, t12[6]!, t12[7]!, t12[8]!, t12[9]!, t12[10]!, t12[11]!, 4, t12[1]!, t12[2]!];
  const off = [0.03, 0.02, -0.01, 0.02, -0.01, 0.01, 0.005, 0.05, -0.03, 0.02, 0.2, 0.03, 0.01, 0.1, -0.5, 0.05, -0.02];
  const t = text.map((v, i) => v + off[i]!);

  it("'ext' (no point sources): analytic = central differences, at n_lens = 4 and away from it", () => {
    const m = new ExtLensModel(syn.cutout, { pointSources: false });
    expectGradientsAgree(m, t);
    expectGradientsAgree(m, text.map((v, i) => (i === 14 ? 4 : v + 0.5 * off[i]!)));
  });

  it("'sie+ps': analytic = central differences with four quasar images in the data (Gaussian and pixelised PSF)", () => {
    const size = 31, ps = 0.2;
    const truth = [1.1, ...qPhiToEllipticity(0.8, 0.4), 0.05, -0.03, 0.03, -0.02, 0.12, 0.05, 0.3, 1.5, 0.1, -0.05, 0.8, 3, 0.1, 0.05];
    for (const psf of [makeKernel({ type: 'gaussian', fwhm: 0.7 }, ps), makeKernel({ type: 'moffat', fwhm: 0.6, beta: 3 }, ps)]) {
      const empty = { bands: 1, size, pixelScale: ps, image: new Float64Array(size * size), variance: new Float64Array(size * size).fill(4), psf: [psf] };
      const render = new ExtLensModel(empty);
      render.solve(truth);
      expect(render.images.length).toBe(4);
      const img = new Float64Array(size * size);
      render.images.forEach((im, k) => addPointTemplate(img, size, psf, 15 + im.x / ps, 15 + im.y / ps, 400 + 100 * k));
      // Plus an arc and lens light at known amplitudes, and a deterministic "noise" pattern.
      const ext = new ExtLensModel(empty, { pointSources: false });
      const smooth = ext.modelImage(truth);
      for (let i = 0; i < img.length; i++) img[i] = img[i]! + smooth[i]! + 2 * Math.sin(0.7 * i);
      const m = new ExtLensModel({ ...empty, image: img });
      const tOff = truth.map((v, i) => v + 0.2 * off[i]!);
      m.solve(tOff);
      expect(m.images.length).toBe(4);
      expectGradientsAgree(m, tOff);
    }
  });
});

describe('ExtLensGradient with a shapelet source', () => {
  // Data: the lensed Sérsic source and lens light plus shapelet structure (orders ≤ 3 at known signed coefficients)
  // rendered by the model itself, and a deterministic "noise" pattern; the gradient is taken away from the truth.
  const size = 27, ps = 0.12;
  const truth = [1.0, ...qPhiToEllipticity(0.8, 0.5), 0.03, -0.02, 0.03, -0.02, 0.08, -0.05, 0.3, 1.4, ...qPhiToEllipticity(0.75, 1.0), 0.9, 3, ...qPhiToEllipticity(0.8, 0.5)];
  const off = [0.02, 0.02, -0.01, 0.01, -0.01, 0.01, 0.005, 0.03, -0.02, 0.04, 0.2, 0.03, 0.01, 0.1, -0.5, 0.05, -0.02];
  const coefficients = [50, -30, 25, 10, -20, 15, 12, -8, 6, 9];
  function data(psf: ReturnType<typeof makeKernel>, pointSources: boolean) {
    const empty = { bands: 1, size, pixelScale: ps, image: new Float64Array(size * size), variance: new Float64Array(size * size).fill(4), psf: [psf] };
    const r = new ExtLensModel(empty, { pointSources: false, shapelets: 3 });
    r.solve(truth);
    const img = new Float64Array(size * size);
    for (let i = 0; i < img.length; i++) {
      let v = 80 * r.srcT[i]! + 60 * r.lensT[i]! + 2 * Math.sin(0.7 * i);
      coefficients.forEach((c, k) => { v += c * r.shpT[k * size * size + i]!; });
      img[i] = v;
    }
    if (pointSources) {
      const q = new ExtLensModel(empty);
      q.solve(truth);
      expect(q.images.length).toBe(4);
      q.images.forEach((im, k) => addPointTemplate(img, size, psf, 13 + im.x / ps, 13 + im.y / ps, 300 + 100 * k));
    }
    return { ...empty, image: img };
  }
  const tOff = truth.map((v, i) => v + off[i]!);

  for (const [name, psf] of [['Gaussian', makeKernel({ type: 'gaussian', fwhm: 0.3 }, ps)], ['pixelised Moffat', makeKernel({ type: 'moffat', fwhm: 0.3, beta: 3 }, ps)]] as const) {
    it(`'ext' + shapelets (n_max 3 and 4), ${name} PSF: analytic = central differences`, () => {
      const cut = data(psf, false);
      for (const nMax of [3, 4]) {
        const m = new ExtLensModel(cut, { pointSources: false, shapelets: nMax });
        const { amplitudes } = m.solve(tOff);
        // The shapelet coefficients are in play and signed.
        const shp = Array.from(amplitudes.subarray(m.nBase * m.data.bands));
        expect(shp.length).toBe(((nMax + 1) * (nMax + 2)) / 2);
        expect(shp.some((a) => a < -1) && shp.some((a) => a > 1)).toBe(true);
        const g = expectGradientsAgree(m, tOff);
        // Without the shapelets' own terms the r_e derivative (their scale) would differ: the Sérsic-only model's.
        const plain = new ExtLensModel(cut, { pointSources: false });
        const gp = new Float64Array(17);
        plain.chi2AndGradient(tOff, gp);
        expect(Math.abs(g[9]! - gp[9]!)).toBeGreaterThan(1e-2 * Math.abs(g[9]!));
      }
    });
  }

  it("'ext' + shapelets with a scale floor (β = √(r_e² + β_min²)): analytic = central differences", () => {
    const m = new ExtLensModel(data(makeKernel({ type: 'gaussian', fwhm: 0.3 }, ps), false), { pointSources: false, shapelets: 3, shapeletBetaMin: 0.25 });
    expect(m.shapeletScale(0.3)).toBeCloseTo(Math.hypot(0.3, 0.25), 12);
    expectGradientsAgree(m, tOff);
  });

  it("'sie+ps' + shapelets: analytic = central differences with four quasar images in the data", () => {
    const psf = makeKernel({ type: 'gaussian', fwhm: 0.3 }, ps);
    const m = new ExtLensModel(data(psf, true), { shapelets: 3 });
    const t = truth.map((v, i) => v + 0.2 * off[i]!);
    m.solve(t);
    expect(m.images.length).toBe(4);
    expect(Array.from(m.solve(t).amplitudes.subarray(2, 6)).every((a) => a > 100)).toBe(true);
    expectGradientsAgree(m, t);
  });
});
