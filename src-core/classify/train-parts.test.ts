import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { augmentImage } from './augment';
import { NormalisationFitter, normaliseInPlace } from './normalise';
import { channelsLast } from './sim-data';
import { DEFAULT_RECIPE, learningRateAt } from './train';

describe('training pieces', () => {
  it('learning rate: 1e-3, ÷10 at epochs 40 and 80 (Lanusse et al. 2018)', () => {
    expect(learningRateAt(DEFAULT_RECIPE, 0)).toBe(1e-3);
    expect(learningRateAt(DEFAULT_RECIPE, 39)).toBe(1e-3);
    expect(learningRateAt(DEFAULT_RECIPE, 40)).toBeCloseTo(1e-4, 12);
    expect(learningRateAt(DEFAULT_RECIPE, 80)).toBeCloseTo(1e-5, 12);
    expect(learningRateAt(DEFAULT_RECIPE, 119)).toBeCloseTo(1e-5, 12);
  });

  it('rotation by 90° and flip are exact pixel permutations; zoom 1 keeps every value', () => {
    const size = 5;
    const bands = 2;
    const src = Float32Array.from({ length: size * size * bands }, (_, i) => i);
    const out = new Float32Array(src.length);
    // find a seed that draws k = 1, no flip, so the mapping can be checked by hand
    for (let seed = 0; seed < 200; seed++) {
      const probe = new Rng(seed, 0);
      const k = probe.int(4);
      const flip = probe.uniform() < 0.5;
      augmentImage(src, out, size, bands, new Rng(seed, 0), { rotate90: true, flip: true, zoom: null });
      expect([...out].sort((a, b) => a - b)).toEqual([...src]);
      if (k === 1 && !flip) {
        // out(i, j) = src at offset R·(u, v) with R = rot(+90°): (u, v) → (−v, u)
        // output pixel row 0, col 0: u = −2, v = −2 → source u' = 2, v' = −2 → row 0, col 4
        expect(out[0]).toBe(src[(0 * size + 4) * bands]);
        return;
      }
    }
    throw new Error('no seed with k = 1 and no flip');
  });

  it('zoom < 1 magnifies about the centre (Keras convention), centre pixel unchanged', () => {
    const size = 9;
    const src = Float32Array.from({ length: size * size }, (_, i) => (i % size) * 1.0); // value = column
    const out = new Float32Array(src.length);
    augmentImage(src, out, size, 1, new Rng(1, 1), { rotate90: false, flip: false, zoom: [0.5, 0.5] });
    expect(out[4 * size + 4]).toBeCloseTo(4, 6);
    // column 8 (offset +4) samples the input at offset +2 → value 6
    expect(out[4 * size + 8]).toBeCloseTo(6, 6);
  });

  it('asinh normalisation: noise maps to ~1/3 per band, bright cores are compressed', () => {
    const rng = new Rng(3, 0);
    const f = new NormalisationFitter(['g', 'r']);
    for (let k = 0; k < 20; k++) {
      const img = Float32Array.from({ length: 400 * 2 }, (_, i) => (i % 2 ? 50 * rng.normal() : 2 * rng.normal()));
      f.add(img);
    }
    const norm = f.finish(20);
    if (norm.policy !== 'asinh') throw new Error('expected asinh');
    expect(norm.scale[0]! / 3).toBeCloseTo(2, 0);
    expect(norm.scale[1]! / 3 / 50).toBeCloseTo(1, 1);
    const x = Float32Array.from([2, 50, 2e6, 5e7]);
    normaliseInPlace(x, norm);
    expect(x[0]).toBeCloseTo(Math.asinh(2 / norm.scale[0]!), 6);
    expect(x[2]! / x[0]!).toBeLessThan(100); // a core 10^6 × the noise stays within a factor ~50
  });

  it('per-band standardisation gives mean 0, std 1 on the fitted data', () => {
    const rng = new Rng(2, 0);
    const img = Float32Array.from({ length: 3000 * 2 }, (_, i) => (i % 2 ? 100 + 5 * rng.normal() : -3 + 0.1 * rng.normal()));
    const f = new NormalisationFitter(['g', 'r'], 'standardise');
    f.add(img);
    const norm = f.finish(1, null);
    if (norm.policy !== 'standardise') throw new Error('expected standardise');
    expect(norm.mean[0]).toBeCloseTo(-3, 1);
    expect(norm.std[1]).toBeCloseTo(5, 0);
    normaliseInPlace(img, norm);
    for (const b of [0, 1]) {
      let s = 0;
      let s2 = 0;
      for (let i = b; i < img.length; i += 2) {
        s += img[i];
        s2 += img[i] * img[i];
      }
      expect(s / 3000).toBeCloseTo(0, 5);
      expect(s2 / 3000).toBeCloseTo(1, 4);
    }
  });

  it('simulator batches (N×bands×H×W) become NHWC', () => {
    // 2 images, 3 bands, 2×2: value = 100·image + 10·band + pixel
    const src = Float32Array.from({ length: 2 * 3 * 4 }, (_, k) => 100 * Math.floor(k / 12) + 10 * (Math.floor(k / 4) % 3) + (k % 4));
    const out = channelsLast(src, 2, 3, 2);
    expect([...out.subarray(0, 6)]).toEqual([0, 10, 20, 1, 11, 21]);
    expect(out[(1 * 4 + 3) * 3 + 2]).toBe(123);
  });
});
