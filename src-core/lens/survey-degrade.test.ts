import { describe, expect, it } from 'vitest';
import { degradeToSurvey, matchingFwhm, rebinFlux, type DegradeInput } from './survey-degrade';

/** A circular Gaussian of FWHM `fwhm` arcsec centred at (cx, cy), point-sampled, unit total flux. */
function gaussian(w: number, h: number, scale: number, fwhm: number, cx: number, cy: number): Float64Array {
  const s = fwhm / scale / (2 * Math.sqrt(2 * Math.LN2));
  const out = new Float64Array(w * h);
  let t = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) t += out[y * w + x] = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s));
  for (let i = 0; i < out.length; i++) out[i] /= t;
  return out;
}

const sum = (a: ArrayLike<number>): number => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]!; return s; };

/** Second-moment FWHM (arcsec) and centroid (pixels) of a non-negative image. */
function moments(a: Float64Array, n: number, scale: number): { fwhm: number; x: number; y: number } {
  let t = 0, mx = 0, my = 0;
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) { const v = a[y * n + x]!; t += v; mx += v * x; my += v * y; }
  mx /= t; my /= t;
  let vxx = 0;
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) vxx += a[y * n + x]! * (x - mx) ** 2;
  return { fwhm: Math.sqrt(vxx / t) * scale * 2 * Math.sqrt(2 * Math.LN2), x: mx, y: my };
}

describe('survey degradation (rebin + PSF matching)', () => {
  it('rebinning conserves flux exactly for integer and non-integer scale ratios', () => {
    const img = gaussian(101, 91, 0.04, 0.5, 50.3, 44.8);
    for (const outScale of [0.2, 0.263, 0.168]) {
      const inp: DegradeInput = { data: img, width: 101, height: 91, scale: 0.04, fwhm: 0.1, cx: 50, cy: 45 };
      const out = rebinFlux(inp, outScale, 41); // 41 × outScale ≥ 6.9″ covers the 4″ × 3.6″ input
      expect(sum(out)).toBeCloseTo(sum(img), 10);
    }
  });

  it('a 5 × 5 block of input pixels aligned on an output pixel lands in that one pixel', () => {
    const w = 25, img = new Float64Array(w * w);
    for (let y = 10; y < 15; y++) for (let x = 10; x < 15; x++) img[y * w + x] = 1;
    // Centre (12, 12): output pixel 2 (of 5) spans input [9.5, 14.5], exactly pixels 10…14.
    const out = rebinFlux({ data: img, width: w, height: w, scale: 0.04, fwhm: 0.1, cx: 12, cy: 12 }, 0.2, 5);
    expect(out[2 * 5 + 2]).toBeCloseTo(25, 12);
    expect(sum(out)).toBeCloseTo(25, 12);
  });

  it('keeps the source where it is on the sky: a source 1″ east of the centre moves 5 output pixels', () => {
    const img = gaussian(201, 201, 0.04, 0.3, 125, 100); // 25 px × 0.04″ = 1″ along +x
    const out = degradeToSurvey({ data: img, width: 201, height: 201, scale: 0.04, fwhm: 0.1, cx: 100, cy: 100 }, { scale: 0.2, fwhm: 0.7, size: 31 });
    const m = moments(out, 31, 0.2);
    expect(m.x).toBeCloseTo(15 + 5, 1);
    expect(m.y).toBeCloseTo(15, 1);
  });

  it('delivers the target seeing: a point-like HST source comes out with the survey FWHM (±5 %)', () => {
    // Input: HST-like PSF 0.09″ at 0.04″/px; target LSST i: 0.71″ at 0.2″/px. Rebinning adds the
    // 0.2″ pixel's box (variance pix²/12), so compare with √(0.71² + 8 ln2 · 0.2²/12).
    const img = gaussian(301, 301, 0.04, 0.09, 150, 150);
    const out = degradeToSurvey({ data: img, width: 301, height: 301, scale: 0.04, fwhm: 0.09, cx: 150, cy: 150 }, { scale: 0.2, fwhm: 0.71, size: 45 });
    const expected = Math.sqrt(0.71 ** 2 + (8 * Math.LN2 * 0.2 ** 2) / 12);
    expect(moments(out, 45, 0.2).fwhm).toBeGreaterThan(expected * 0.95);
    expect(moments(out, 45, 0.2).fwhm).toBeLessThan(expected * 1.05);
    expect(sum(out)).toBeCloseTo(1, 3);
  });

  it('matching FWHM adds in quadrature and is 0 when the input is already broader', () => {
    expect(matchingFwhm(0.3, 0.5)).toBeCloseTo(0.4, 12);
    expect(matchingFwhm(0.8, 0.7)).toBe(0);
  });

  it('treats the outside of the input as empty and refuses an even output size', () => {
    const img = new Float64Array(9).fill(1);
    const out = rebinFlux({ data: img, width: 3, height: 3, scale: 0.2, fwhm: 0, cx: 1, cy: 1 }, 0.2, 7);
    expect(sum(out)).toBeCloseTo(9, 12);
    expect(out[0]).toBe(0);
    expect(() => degradeToSurvey({ data: img, width: 3, height: 3, scale: 0.2, fwhm: 0, cx: 1, cy: 1 }, { scale: 0.2, fwhm: 0.7, size: 8 })).toThrow(/odd/);
  });
});
