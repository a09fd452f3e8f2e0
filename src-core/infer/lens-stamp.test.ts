import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { fitInputFromStamp } from './lens-stamp';

// A 45 × 45 LSST-like lens stamp without a VARIANCE plane: a bright de Vaucouleurs-like deflector whose
// wings reach the border (as in a real 9″ stamp) on top of white noise of known σ.
function lensStamp(sigma: number, seed: number): Float32Array {
  const side = 45, c = 22, rng = new Rng(seed);
  const p = new Float32Array(side * side);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const r = Math.hypot(x - c, y - c);
      p[y * side + x] = 1e7 * Math.exp(-7.67 * ((r + 0.5) / 6) ** 0.25) + sigma * rng.normal();
    }
  return p;
}

describe('fitInputFromStamp (Model this lens on a stamp without a variance plane)', () => {
  it('estimates the background σ as `fit` does: not inflated by the lens wings at the border', () => {
    const sigma = 50;
    const ratios: number[] = [];
    let madRatio = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const plane = lensStamp(sigma, seed);
      const { input, varianceFrom } = fitInputFromStamp({ width: 45, height: 45, bands: ['r'], planes: [plane], pixelScale: 0.2 });
      expect(varianceFrom).toBe('border');
      ratios.push(Math.sqrt(input.variance[0]!) / sigma);
      // the estimate this replaced: 1.4826 · MAD of the outer 4-pixel ring
      const ring: number[] = [];
      for (let y = 0; y < 45; y++) for (let x = 0; x < 45; x++) if (x < 4 || x >= 41 || y < 4 || y >= 41) ring.push(plane[y * 45 + x]!);
      ring.sort((a, b) => a - b);
      const med = ring[ring.length >> 1]!;
      const dev = ring.map((a) => Math.abs(a - med)).sort((a, b) => a - b);
      madRatio += (1.4826 * dev[dev.length >> 1]!) / sigma / 5;
    }
    for (const r of ratios) expect(Math.abs(r - 1)).toBeLessThan(0.1);
    // the wings make the old estimate clearly high on this stamp (the reason for the change)
    expect(madRatio).toBeGreaterThan(1.2);
  });

  it('gives NaN pixels no weight (infinite variance) and keeps the others', () => {
    const plane = lensStamp(50, 9);
    plane[100] = NaN;
    const { input } = fitInputFromStamp({ width: 45, height: 45, bands: ['r'], planes: [plane], pixelScale: 0.2 });
    expect(input.variance[100]).toBe(Infinity);
    expect(Number.isFinite(input.variance[101]!)).toBe(true);
  });
});
