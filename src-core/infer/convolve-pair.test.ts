// Two planes per complex FFT (convolve-pair.ts) against psf.ts convolveValid one plane at a time.
import { describe, expect, it } from 'vitest';
import { convolveValid, makeKernel } from '../lens/psf';
import { PairConvolver, nextSmooth } from './convolve-pair';

describe('PairConvolver', () => {
  it('equals convolveValid on each plane (wide pixelised kernel by FFT, Gaussian separable, a lone plane)', () => {
    const size = 23;
    for (const k of [makeKernel({ type: 'moffat', fwhm: 0.9, beta: 2.5 }, 0.1), makeKernel({ type: 'gaussian', fwhm: 0.5 }, 0.1)]) {
      const margin = k.h + 2, side = size + 2 * margin;
      const a = Float64Array.from({ length: side * side }, (_, i) => Math.sin(0.31 * i) + (i % 7 === 0 ? 3 : 0));
      const b = Float64Array.from({ length: side * side }, (_, i) => Math.cos(0.17 * i) - 0.5);
      const tmp = new Float64Array(side * side * 4);
      const refA = new Float64Array(size * size), refB = new Float64Array(size * size);
      convolveValid(a, side, margin, k, refA, tmp);
      convolveValid(b, side, margin, k, refB, tmp);
      const outA = new Float64Array(size * size), outB = new Float64Array(size * size);
      const pc = new PairConvolver();
      pc.convolve(a, b, side, margin, k, outA, outB, tmp);
      for (let i = 0; i < size * size; i++) {
        expect(outA[i]).toBeCloseTo(refA[i]!, 10);
        expect(outB[i]).toBeCloseTo(refB[i]!, 10);
      }
      const lone = new Float64Array(size * size);
      pc.convolve(b, null, side, margin, k, lone, null, tmp);
      for (let i = 0; i < size * size; i++) expect(lone[i]).toBeCloseTo(refB[i]!, 10);
    }
  });

  it('nextSmooth is the next 2·3·5-smooth length', () => {
    expect([1, 7, 11, 147, 150, 151, 257].map(nextSmooth)).toEqual([1, 8, 12, 150, 150, 160, 270]);
  });
});
