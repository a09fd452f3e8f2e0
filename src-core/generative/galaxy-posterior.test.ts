// Calibration of the galaxy posterior sampler on a small random decoder (cheap enough for many
// replications): z_true from the prior, a stamp observed with the PSF-aware likelihood's own noise model,
// then the posterior's central intervals must cover z_true at their nominal rates (a simulation-based
// calibration in the sense of Talts et al. 2018, reduced to interval coverage).
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { decoderForward, makeDecoderCache, makeDecoderNet } from './decoder-net';
import { galaxyPosteriorDensity } from './galaxy-likelihood';
import { laplaceAtMode, posteriorImages, sampleGalaxyPosterior, type PosteriorMethod } from './galaxy-posterior';
import { GaussianDensity } from './latent-density';
import { gaussianPsf, observe } from './observe';
import { defaultVaeConfig, vaeParams } from './vae-graph';

const cfg = defaultVaeConfig('psf', { size: 16, latent: 3, dec: [6, 5, 4, 3], psfSize: 5 });
const rngW = new Rng(21, 1);
const weights = new Map(vaeParams(cfg).map((p) => {
  const n = p.dims.reduce((a, b) => a * b, 1), fan = p.dims.slice(1).reduce((a, b) => a * b, 1) || 1;
  return [p.name, Float32Array.from({ length: n }, () => rngW.range(-1.7, 1.7) / Math.sqrt(fan))];
}));
const net = makeDecoderNet(cfg, weights);
const prior = new GaussianDensity(new Float64Array(3), Float64Array.of(1, 0, 0, 0.3, 0.9, 0, -0.2, 0.1, 0.8));
const psf = gaussianPsf(2.5, 5);
const sigma = 0.02;

function observed(seed: number) {
  const rng = new Rng(seed, 7);
  const zTrue = prior.sample(rng);
  const g = decoderForward(net, zTrue, makeDecoderCache(net));
  const x = Float64Array.from(observe(g, net.side, psf, 5), (v) => v + sigma * rng.normal());
  return { zTrue, post: galaxyPosteriorDensity(net, prior, { x, w: new Float64Array(256).fill(1 / sigma ** 2), psf, psfSize: 5 }) };
}

function coverage(method: PosteriorMethod, reps: number) {
  let in68 = 0, in95 = 0, total = 0, rhatMax = 0, narrower = 0;
  for (let s = 0; s < reps; s++) {
    const { zTrue, post } = observed(100 + s);
    const r = sampleGalaxyPosterior(post, { method, samples: 160, chains: method === 'nuts' ? 2 : 1, warmup: method === 'nuts' ? 100 : 200, seed: s, init: new Float64Array(3), initSd: new Float64Array(3).fill(1) });
    if (method === 'nuts') rhatMax = Math.max(rhatMax, r.diagnostics.rhatMax);
    for (let k = 0; k < 3; k++) {
      const col = Array.from({ length: r.n }, (_, i) => r.z[i * 3 + k]!).sort((a, b) => a - b);
      const q = (p: number) => col[Math.min(col.length - 1, Math.floor(p * col.length))]!;
      if (zTrue[k]! >= q(0.16) && zTrue[k]! <= q(0.84)) in68++;
      if (zTrue[k]! >= q(0.025) && zTrue[k]! <= q(0.975)) in95++;
      if (q(0.84) - q(0.16) < 2 * 0.8) narrower++; // the prior's marginal sds are ≥ 0.8: the data must tighten it
      total++;
    }
  }
  return { c68: in68 / total, c95: in95 / total, rhatMax, narrower: narrower / total, total };
}

describe('galaxy posterior: calibration on a small decoder', () => {
  it('NUTS: 68 % and 95 % intervals cover z_true at their nominal rates (8 stamps × 3 dims)', () => {
    const c = coverage('nuts', 8);
    if (process.env.GALPOST_DEBUG) console.log(c);
    // 24 intervals: binomial sd of the 68 % rate ≈ 0.095 (bounds ≈ 2.8 sd); P(≤ 18 of 24 | 95 %) ≈ 0.007. A
    // posterior half as wide as it should be would cover ≈ 38 % and 68 %
    expect(c.c68).toBeGreaterThan(0.4);
    expect(c.c68).toBeLessThan(0.96);
    expect(c.c95).toBeGreaterThan(0.78);
    expect(c.rhatMax).toBeLessThan(1.15); // 80 draws per chain
    expect(c.narrower).toBeGreaterThan(0.5);
  }, 120_000);

  it('ADVI: intervals are not wildly over-confident (mean-field may under-cover correlated posteriors)', () => {
    const c = coverage('vi', 8);
    if (process.env.GALPOST_DEBUG) console.log(c);
    expect(c.c95).toBeGreaterThan(0.7);
    expect(c.c68).toBeGreaterThan(0.4);
  }, 120_000);

  it('the Laplace step finds the mode: the gradient vanishes there and the covariance is positive', () => {
    const { post } = observed(5);
    const lap = laplaceAtMode(post, new Float64Array(3), new Float64Array(3).fill(1));
    const g = new Float64Array(3);
    const lp = post.logDensity(lap.mode, g);
    expect(Math.max(...Array.from(g, Math.abs))).toBeLessThan(1e-3 * Math.max(1, Math.abs(lp)));
    for (let i = 0; i < 3; i++) expect(lap.chol[i * 3 + i]).toBeGreaterThan(0);
  });

  it('posterior images: mean and sd over the decoded draws', () => {
    const { post } = observed(6);
    const z = Float64Array.of(0.1, 0.2, 0.3, -0.1, -0.2, -0.3);
    const a = post.decode(z.subarray(0, 3)), b = post.decode(z.subarray(3));
    const img = posteriorImages(post, z, 2, 3, 10);
    for (const p of [0, 100, 500]) {
      expect(img.mean[p]).toBeCloseTo((10 * (a[p]! + b[p]!)) / 2, 4);
      expect(img.std[p]).toBeCloseTo(Math.abs(10 * (a[p]! - b[p]!)) / Math.SQRT2, 4);
    }
    expect(img.side).toBe(net.side);
  });
});
