import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { RealNvp, defaultMasks } from '../flows/realnvp';
import { decoderForward, makeDecoderCache, makeDecoderNet } from './decoder-net';
import { galaxyPosteriorDensity, latentLogProbGrad } from './galaxy-likelihood';
import { GaussianDensity, type LatentDensity } from './latent-density';
import { gaussianPsf, observe } from './observe';
import { defaultVaeConfig, vaeParams, type VaeConfig } from './vae-graph';

/** Random decoder weights for a small config (uniform ±1/√fan-in, like the tape's init, scaled up a little). */
function randomWeights(cfg: VaeConfig, seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed, 1);
  return new Map(vaeParams(cfg).map((p) => {
    const n = p.dims.reduce((a, b) => a * b, 1), fan = p.dims.slice(1).reduce((a, b) => a * b, 1) || 1;
    return [p.name, Float32Array.from({ length: n }, () => rng.range(-1.5, 1.5) / Math.sqrt(fan))];
  }));
}

function randomGaussian(dim: number, rng: Rng): GaussianDensity {
  const mean = Float64Array.from({ length: dim }, () => rng.range(-0.5, 0.5));
  const chol = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) for (let j = 0; j <= i; j++) chol[i * dim + j] = i === j ? rng.range(0.5, 1.5) : rng.range(-0.3, 0.3);
  return new GaussianDensity(mean, chol);
}

function randomFlow(dim: number, rng: Rng): RealNvp {
  const f = new RealNvp({ dim, hidden: 8, layers: 4 }, defaultMasks(dim, 4, 3), Float64Array.from({ length: dim }, () => rng.range(-0.3, 0.3)), Float64Array.from({ length: dim }, () => rng.range(0.7, 1.3)));
  for (let i = 0; i < f.params.length; i++) f.params[i] = rng.range(-0.2, 0.2);
  return f;
}

function fdCheck(f: (q: Float64Array, g: Float64Array) => number, z: Float64Array, h = 1e-5): { analytic: Float64Array; numeric: Float64Array } {
  const analytic = new Float64Array(z.length), scratch = new Float64Array(z.length), numeric = new Float64Array(z.length);
  f(z, analytic);
  for (let k = 0; k < z.length; k++) {
    const zp = Float64Array.from(z), zm = Float64Array.from(z);
    zp[k] += h;
    zm[k] -= h;
    numeric[k] = (f(zp, scratch) - f(zm, scratch)) / (2 * h);
  }
  return { analytic, numeric };
}

const expectClose = (a: Float64Array, b: Float64Array, rel: number) => {
  const scale = Math.max(...Array.from(b, Math.abs));
  expect(scale).toBeGreaterThan(0);
  for (let k = 0; k < a.length; k++) expect(Math.abs(a[k]! - b[k]!)).toBeLessThan(rel * scale);
};

describe('latent density gradients', () => {
  const rng = new Rng(5, 2);
  it.each([['gaussian', randomGaussian(5, rng)], ['realnvp', randomFlow(5, rng)]] as [string, LatentDensity][])('%s: ∇ log p(z) matches finite differences', (_, d) => {
    const z = Float64Array.from({ length: 5 }, () => rng.range(-1, 1));
    const { analytic, numeric } = fdCheck((q, g) => latentLogProbGrad(d, q, g), z);
    expectClose(analytic, numeric, 1e-6);
  });
});

describe('galaxy log posterior (PSF-aware likelihood)', () => {
  const cfg = defaultVaeConfig('psf', { size: 16, latent: 4, dec: [6, 5, 4, 3], psfSize: 5 });
  const weights = randomWeights(cfg, 11);
  const net = makeDecoderNet(cfg, weights);
  const rng = new Rng(7, 3);
  const S = cfg.size, psf = gaussianPsf(2.2, 5);
  const zTrue = Float64Array.from({ length: 4 }, () => rng.range(-1, 1));
  const g = decoderForward(net, zTrue, makeDecoderCache(net));
  const clean = observe(g, net.side, psf, 5);
  const x = Float64Array.from(clean, (v) => v + 0.05 * rng.normal());
  const w = new Float64Array(S * S).fill(1 / 0.05 ** 2);
  for (let i = 0; i < S; i++) w[i] = 0; // a masked row must not count

  it('the model image is P(Π ∗ g) of observe.ts and the likelihood is −½ Σ w (x − m)²', () => {
    const post = galaxyPosteriorDensity(net, randomGaussian(4, rng), { x, w, psf, psfSize: 5 });
    const m = post.model(zTrue);
    for (let i = 0; i < S * S; i++) expect(m[i]).toBeCloseTo(clean[i]!, 12);
    let chi2 = 0;
    for (let i = S; i < S * S; i++) chi2 += (x[i]! - clean[i]!) ** 2 / 0.05 ** 2;
    expect(post.logLikelihood(zTrue)).toBeCloseTo(-0.5 * chi2, 8);
  });

  it.each([['gaussian', randomGaussian(4, rng)], ['realnvp', randomFlow(4, rng)]] as [string, LatentDensity][])('∇ log p(z | x) with a %s prior matches finite differences', (_, prior) => {
    const post = galaxyPosteriorDensity(net, prior, { x, w, psf, psfSize: 5 });
    for (const z of [zTrue, Float64Array.from({ length: 4 }, () => rng.range(-1.5, 1.5))]) {
      const { analytic, numeric } = fdCheck(post.logDensity, z);
      expectClose(analytic, numeric, 1e-6);
    }
  });

  it('the decoder gradient alone (a plain likelihood) matches finite differences', () => {
    const pc = defaultVaeConfig('plain', { size: 16, latent: 3, dec: [5, 4, 3] });
    const pnet = makeDecoderNet(pc, randomWeights(pc, 4));
    const xs = Float64Array.from({ length: 256 }, () => rng.normal() * 0.3);
    const post = galaxyPosteriorDensity(pnet, randomGaussian(3, rng), { x: xs, w: new Float64Array(256).fill(4), psf: new Float64Array(0), psfSize: 0 });
    const { analytic, numeric } = fdCheck(post.logDensity, Float64Array.of(0.3, -0.7, 1.1));
    expectClose(analytic, numeric, 1e-6);
  });
});
