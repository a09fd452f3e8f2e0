import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { fft, fft2, freqIndex, nextPow2 } from './fft';

/** Naive O(n²) DFT, the definition: X_k = Σ_j x_j e^{∓2πi jk/n}. */
function dft(re: Float64Array, im: Float64Array, inverse: boolean): [Float64Array, Float64Array] {
  const n = re.length, s = inverse ? 1 : -1;
  const or = new Float64Array(n), oi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const a = (s * 2 * Math.PI * ((j * k) % n)) / n;
      or[k] += re[j]! * Math.cos(a) - im[j]! * Math.sin(a);
      oi[k] += re[j]! * Math.sin(a) + im[j]! * Math.cos(a);
    }
  }
  return [or, oi];
}

function randomComplex(n: number, seed: number): [Float64Array, Float64Array] {
  const r = new Rng(seed);
  return [Float64Array.from({ length: n }, () => r.normal()), Float64Array.from({ length: n }, () => r.normal())];
}

const maxAbsDiff = (a: Float64Array, b: Float64Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('math/fft (radix-2, mixed radix and Bluestein)', () => {
  // 3, 5, 12, 45, 48, 100, 360: mixed radix (2, 3, 5 only); 97, 7·11 = 77: Bluestein; powers of two: radix 2.
  for (const n of [1, 2, 3, 5, 6, 8, 12, 45, 48, 64, 77, 97, 100, 360]) {
    for (const inverse of [false, true]) {
      it(`matches the naive DFT, n = ${n}, ${inverse ? 'inverse' : 'forward'}`, () => {
        const [re, im] = randomComplex(n, n);
        const [er, ei] = dft(re, im, inverse);
        fft(re, im, inverse);
        const scale = Math.sqrt(n);
        expect(maxAbsDiff(re, er) / scale).toBeLessThan(1e-12);
        expect(maxAbsDiff(im, ei) / scale).toBeLessThan(1e-12);
      });
    }
  }

  it('round-trips (inverse is unnormalised: divide by n)', () => {
    for (const n of [7, 45, 128, 1000]) {
      const [re, im] = randomComplex(n, 3);
      const r0 = Float64Array.from(re), i0 = Float64Array.from(im);
      fft(re, im);
      fft(re, im, true);
      for (let i = 0; i < n; i++) { re[i] /= n; im[i] /= n; }
      expect(maxAbsDiff(re, r0)).toBeLessThan(1e-12);
      expect(maxAbsDiff(im, i0)).toBeLessThan(1e-12);
    }
  });

  it.each([[6, 10], [8, 16], [16, 6], [5, 8]])('2-D transform equals the definition on %i × %i', (rows, cols) => {
    const [re, im] = randomComplex(rows * cols, 9);
    const er = new Float64Array(rows * cols), ei = new Float64Array(rows * cols);
    for (let u = 0; u < rows; u++) for (let v = 0; v < cols; v++) {
      let sr = 0, si = 0;
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
        const a = -2 * Math.PI * ((u * r) / rows + (v * c) / cols);
        const xr = re[r * cols + c]!, xi = im[r * cols + c]!;
        sr += xr * Math.cos(a) - xi * Math.sin(a);
        si += xr * Math.sin(a) + xi * Math.cos(a);
      }
      er[u * cols + v] = sr;
      ei[u * cols + v] = si;
    }
    fft2(re, im, rows, cols);
    expect(maxAbsDiff(re, er)).toBeLessThan(1e-11);
    expect(maxAbsDiff(im, ei)).toBeLessThan(1e-11);
  });

  it("Parseval: Σ|x|² = (1/n) Σ|X|² at n = 45 × 45", () => {
    const [re, im] = randomComplex(45 * 45, 4);
    let e0 = 0;
    for (let i = 0; i < re.length; i++) e0 += re[i]! ** 2 + im[i]! ** 2;
    fft2(re, im, 45, 45);
    let e1 = 0;
    for (let i = 0; i < re.length; i++) e1 += re[i]! ** 2 + im[i]! ** 2;
    expect(e1 / (45 * 45) / e0).toBeCloseTo(1, 12);
  });

  it('helpers: nextPow2 and numpy-style frequency indices', () => {
    expect([1, 2, 3, 45, 64, 65].map(nextPow2)).toEqual([1, 2, 4, 64, 64, 128]);
    expect([0, 1, 2, 3].map((k) => freqIndex(k, 4))).toEqual([0, 1, -2, -1]);
    expect([0, 1, 2, 3, 4].map((k) => freqIndex(k, 5))).toEqual([0, 1, 2, -2, -1]);
  });

  it('rejects mismatched lengths', () => {
    expect(() => fft(new Float64Array(4), new Float64Array(3))).toThrow(/im has 3/);
    expect(() => fft2(new Float64Array(6), new Float64Array(6), 2, 4)).toThrow(/needs 8/);
  });
});
