import { describe, expect, it } from 'vitest';
import { Rng } from '../../rng';
import { resamplePsf } from '../../lens/psf-resample';
import { assembleObservation } from './assemble';
import { backgroundSigma, noiseKindOf, toVariance } from './noise';
import { centralWindow, cutPlane, oddSide, stampWindow } from './stamp-window';
import { pixelUnits } from './units';

describe('pixel units (BUNIT)', () => {
  it('converts electrons, rates, counts and refuses missing keywords', () => {
    expect(pixelUnits('electron', {}).toElectrons).toBe(1);
    expect(pixelUnits('ELECTRONS/S', { exptime: 1200 }).toElectrons).toBe(1200);
    expect(pixelUnits('e-/s', { exptime: 30 }).kind).toBe('electron-rate');
    expect(pixelUnits('electron s-1', { exptime: 2 }).toElectrons).toBe(2);
    expect(() => pixelUnits('ELECTRONS/S', {})).toThrow(/EXPTIME/);
    expect(pixelUnits('ADU', { gain: 2.5 }).toElectrons).toBe(2.5);
    expect(pixelUnits('counts/s', { gain: 2, exptime: 10 }).toElectrons).toBe(20);
    expect(pixelUnits('COUNTS', {}).toElectrons).toBeNull();
    for (const u of ['nanomaggy', 'nanomaggies', 'nJy', 'MJy/sr']) expect(pixelUnits(u, {}).kind).toBe('flux');
    expect(pixelUnits(undefined, {}).kind).toBe('unknown');
  });
});

describe('noise planes', () => {
  it('maps every noise EXTNAME and turns WHT / IVAR / ERR into variances', () => {
    expect(noiseKindOf('wht')).toBe('inverse-variance');
    expect(noiseKindOf('ERR')).toBe('sigma');
    expect(noiseKindOf('SCI')).toBeNull();
    expect(Array.from(toVariance('inverse-variance', [4, 0.25, 0, -1, NaN]))).toEqual([0.25, 4, Infinity, Infinity, Infinity]);
    expect(Array.from(toVariance('sigma', [3, 0]))).toEqual([9, Infinity]);
    expect(Array.from(toVariance('variance', [2, 0]))).toEqual([2, Infinity]);
  });

  it('estimates a known Gaussian σ from the border despite a bright centre and outliers', () => {
    const rng = new Rng(7, 1);
    const w = 101;
    const img = new Float64Array(w * w);
    for (let y = 0; y < w; y++)
      for (let x = 0; x < w; x++) img[y * w + x] = 5 + 0.3 * rng.normal() + 100 * Math.exp(-((x - 50) ** 2 + (y - 50) ** 2) / 200);
    for (let k = 0; k < 40; k++) img[k * 7] = 1e4; // cosmic rays on the bottom rows
    const e = backgroundSigma(img, w, w);
    expect(e.border).toBe(12);
    // ≈ 4300 border pixels: the estimate's relative sd is ≈ 1/√(2N) ≈ 1.1 %.
    expect(Math.abs(e.sigma / 0.3 - 1)).toBeLessThan(0.04);
    expect(Math.abs(e.level - 5)).toBeLessThan(0.02);
    expect(e.used).toBeLessThan(e.candidates);
  });
});

describe('stamp windows', () => {
  it('cuts odd stamps centred on the pixel holding the target, NaN off the image, and errs outside', () => {
    expect(oddSide(6, 0.2)).toBe(31);
    expect(oddSide(6.2, 0.2)).toBe(31);
    expect(oddSide(0.1, 0.2)).toBe(5);
    const w = stampWindow(100, 80, 10.4, 20.6, 5);
    expect(w).toEqual({ x0: 8, y0: 19, side: 5, partial: false });
    expect(stampWindow(100, 80, 1, 1, 5).partial).toBe(true);
    expect(() => stampWindow(100, 80, 100, 5, 5)).toThrow(/outside the 100 × 80 image/);
    expect(() => stampWindow(100, 80, 5, -0.6, 5)).toThrow(/outside/);
    const plane = Float64Array.from({ length: 12 }, (_, i) => i); // 4 wide, 3 high
    const c = cutPlane(plane, 4, 3, { x0: -1, y0: 0, side: 3, partial: true });
    expect(Array.from(c)).toEqual([NaN, 0, 1, NaN, 4, 5, NaN, 8, 9]);
    expect(centralWindow(10, 7)).toEqual({ x0: 1, y0: 0, side: 7, partial: false });
    expect(centralWindow(8, 8).side).toBe(7);
  });
});

describe('assembleObservation', () => {
  const units = pixelUnits('ELECTRONS/S', { exptime: 100 });
  it('converts image and WHT to e⁻ and e⁻², masks bad, NaN and zero-weight pixels', () => {
    const image = Float64Array.from([1, 2, NaN, 4, 5, 6, 7, 8, 9]);
    const wht = Float64Array.from([4, 4, 4, 0, 4, 4, 4, 4, 4]);
    const bad = Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0]);
    const o = assembleObservation({ bands: ['x'], side: 3, image, noise: { kind: 'inverse-variance', extname: 'WHT', data: wht }, bad, units });
    expect(o.image[0]).toBe(100);
    expect(o.variance[0]).toBeCloseTo(0.25 * 100 * 100, 9);
    expect([o.variance[2], o.variance[3], o.variance[4]]).toEqual([Infinity, Infinity, Infinity]);
    expect(o.masked).toEqual({ mask: 1, nan: 1, noNoise: 1, total: 3 });
    expect(o.noise.source).toBe('WHT HDU (inverse variance)');
    expect(o.unit).toBe('electron');
  });
  it('estimates the noise when there is no noise HDU, and refuses calibrated fluxes without one', () => {
    const rng = new Rng(3, 0);
    const side = 41;
    const image = Float64Array.from({ length: side * side }, () => 0.02 * rng.normal());
    const o = assembleObservation({ bands: ['x'], side, image, units });
    expect(o.noise.source).toBe('background');
    expect(o.noise.poissonFromModel).toBe(true);
    expect(Math.abs(Math.sqrt(o.variance[0]!) / (0.02 * 100) - 1)).toBeLessThan(0.1);
    expect(o.noise.text).toMatch(/Poisson/);
    expect(() => assembleObservation({ bands: ['x'], side, image, units: pixelUnits('nanomaggy', {}) })).toThrow(/noise HDU/);
    expect(assembleObservation({ bands: ['x'], side, image, units: pixelUnits('', {}) }).noise.poissonFromModel).toBe(false);
  });
});

describe('resamplePsf', () => {
  it('keeps a Gaussian Gaussian: an oversampled σ = 6 px at 0.05″ is σ = 1.5 px at 0.2″', () => {
    const w = 61, s = 6;
    const k = Float64Array.from({ length: w * w }, (_, i) => Math.exp(-(((i % w) - 30) ** 2 + (Math.floor(i / w) - 30) ** 2) / (2 * s * s)));
    const r = resamplePsf(k, w, 0.05, 0.2);
    expect(r.width).toBe(15);
    const h = (r.width - 1) / 2;
    let sum = 0, m2 = 0;
    for (let i = 0; i < r.kernel.length; i++) { sum += r.kernel[i]!; m2 += r.kernel[i]! * ((i % r.width) - h) ** 2; }
    expect(sum).toBeCloseTo(1, 12);
    expect(Math.sqrt(m2)).toBeCloseTo(1.5, 1);
  });
});
