// PSF kernels and the 'valid' convolution: every path (separable, direct 2-D, FFT) against a
// brute-force sum, flux conservation from the margin, and the FWHM of each analytic kernel.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { convolveValid, makeKernel, type PsfKernel, type PsfSpec } from './psf';

function bruteForce(input: Float64Array, side: number, margin: number, spec: PsfSpec, ps: number): Float64Array {
  // Direct sum with the kernel evaluated independently of psf.ts (true convolution, not correlation).
  const size = side - 2 * margin;
  const k = makeKernel(spec, ps);
  const w = 2 * k.h + 1;
  const unflipped = new Float64Array(w * w);
  for (let i = 0; i < w * w; i++) unflipped[i] = k.k2[w * w - 1 - i];
  const out = new Float64Array(size * size);
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) {
    let acc = 0;
    for (let a = -k.h; a <= k.h; a++) for (let b = -k.h; b <= k.h; b++) {
      acc += unflipped[(a + k.h) * w + b + k.h] * input[(margin + i - a) * side + margin + j - b];
    }
    out[i * size + j] = acc;
  }
  return out;
}

function fwhmOf(k: PsfKernel, ps: number): number {
  // Half-maximum crossing along the central row, linear interpolation (arcsec).
  const w = 2 * k.h + 1, row = k.k2.subarray(k.h * w, k.h * w + w), peak = row[k.h];
  for (let i = k.h; i < w - 1; i++) {
    if (row[i + 1] < peak / 2) return 2 * (i - k.h + (row[i] - peak / 2) / (row[i] - row[i + 1])) * ps;
  }
  return NaN;
}

describe('PSF convolution', () => {
  const size = 31; // ≥ 2h + 1 of every kernel here, so a central point keeps all its PSF inside
  const rng = new Rng(8, 1);
  const specs: [string, PsfSpec][] = [
    ['gaussian (separable)', { type: 'gaussian', fwhm: 0.7 }],
    ['pixelised asymmetric 5×5 (direct)', { type: 'pixel', width: 5, kernel: Array.from({ length: 25 }, (_, i) => 1 + (i % 7) + (i === 3 ? 9 : 0)) }],
    ['moffat β = 3 (FFT)', { type: 'moffat', fwhm: 0.7, beta: 3 }],
  ];
  for (const [name, spec] of specs) {
    it(`${name}: equals the brute-force sum and conserves flux`, () => {
      const k = makeKernel(spec, 0.2);
      const margin = k.h + 2, side = size + 2 * margin;
      const input = new Float64Array(side * side);
      for (let i = 0; i < input.length; i++) input[i] = rng.uniform();
      const out = new Float64Array(size * size), tmp = new Float64Array(side * size);
      convolveValid(input, side, margin, k, out, tmp);
      const ref = bruteForce(input, side, margin, spec, 0.2);
      let err = 0;
      for (let i = 0; i < out.length; i++) err = Math.max(err, Math.abs(out[i] - ref[i]));
      expect(err).toBeLessThan(1e-9);
      // A point source inside the stamp keeps all its flux (the margin holds the kernel).
      const delta = new Float64Array(side * side);
      delta[(margin + 15) * side + margin + 15] = 1;
      convolveValid(delta, side, margin, k, out, tmp);
      expect(Math.abs(out.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
    });
  }
  it('Gaussian and Moffat kernels have the requested FWHM (within the sampling, 0.2″ pixels)', () => {
    expect(Math.abs(fwhmOf(makeKernel({ type: 'gaussian', fwhm: 0.9 }, 0.2), 0.2) - 0.9)).toBeLessThan(0.05);
    expect(Math.abs(fwhmOf(makeKernel({ type: 'moffat', fwhm: 0.9, beta: 3.5 }, 0.2), 0.2) - 0.9)).toBeLessThan(0.05);
  });
});
