// The galaxy posterior on the bundled Flow-VAE: the pure-TS decoder is the ONNX decoder, the stamp checks
// name what is wrong, and a galaxy drawn from the model itself (z_true known), decoded and observed with
// the training PSF and noise, is covered by the posterior in z and in its second moments.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImage } from '../../src-core/fits/image';
import { openFitsFile } from '../fits/file-source';
import { decoderForward, makeDecoderCache, makeDecoderNet } from '../../src-core/generative/decoder-net';
import { adaptiveMoments } from '../../src-core/generative/moments';
import { gaussianPsf, observe } from '../../src-core/generative/observe';
import { getPreset, magToElectrons } from '../../src-core/lens/presets';
import { Rng } from '../../src-core/rng';
import { galaxyPosteriorCli } from '../cli/commands/galaxy-posterior';
import { encodeStamp } from '../../src-core/stamps/format';
import { PROJECT_ROOT } from '../../test/shared';
import { readFlowVaeModel } from './model-files';
import { runGalaxyPosterior, writeGalaxyPosterior } from './posterior';
import { readPosteriorStamp } from './posterior-stamp';
import { createVaeCoder } from './vae-engine';

const MODEL = join(PROJECT_ROOT, 'models', 'generative', 'flowvae-lsst-32');

describe.skipIf(!existsSync(MODEL))('galaxy posterior on the bundled Flow-VAE', () => {
  const { card, weights, density } = existsSync(MODEL) ? readFlowVaeModel(MODEL) : ({} as ReturnType<typeof readFlowVaeModel>);
  const dir = mkdtempSync(join(tmpdir(), 'galpost-'));

  it('the TypeScript decoder reproduces the ONNX decoder', async () => {
    const net = makeDecoderNet(card.config, weights);
    const coder = await createVaeCoder(card.config, weights, { threads: 1 });
    try {
      const rng = new Rng(1, 1);
      for (let t = 0; t < 3; t++) {
        const z = density.sample(rng);
        const onnx = await coder.decode(Float32Array.from(z), 1);
        const ts = decoderForward(net, z, makeDecoderCache(net));
        const peak = Math.max(...Array.from(onnx, Math.abs));
        expect(peak).toBeGreaterThan(0);
        for (let i = 0; i < ts.length; i++) expect(Math.abs(ts[i]! - onnx[i]!)).toBeLessThan(1e-5 * peak);
      }
    } finally {
      await coder.dispose();
    }
  });

  const stamp = (name: string, o: { size?: number; scale?: number | null; bands?: string[] } = {}) => {
    const S = o.size ?? 40, bands = o.bands ?? ['r'];
    const path = join(dir, name);
    writeFileSync(path, encodeStamp({ width: S, height: S, bands, planes: bands.map(() => Float32Array.from({ length: S * S }, (_, i) => Math.sin(i))), pixelScale: o.scale === undefined ? 0.2 : o.scale }));
    return path;
  };

  it('stamp checks name the keyword or file at fault', () => {
    expect(() => readPosteriorStamp(stamp('scale.fits', { scale: 0.168 }), card)).toThrow(/pixel scale 0\.168″ \(PIXSCALE\) differs from the model's 0\.2″/);
    expect(() => readPosteriorStamp(stamp('small.fits', { size: 24 }), card)).toThrow(/small\.fits: stamp is 24×24 \(NAXIS1 24\), smaller than the model's 32×32/);
    expect(() => readPosteriorStamp(stamp('bands.fits', { bands: ['g', 'i'] }), card)).toThrow(/bands\.fits: 2 bands \(g, i\); give --band/);
    expect(() => readPosteriorStamp(stamp('ok.fits'), card, { band: 'z' })).toThrow(/no band 'z'/);
    expect(() => readPosteriorStamp(join(dir, 'missing.fits'), card)).toThrow(/missing\.fits does not exist/);
    expect(readPosteriorStamp(stamp('gr.fits', { bands: ['g', 'r'] }), card).band).toBe('r');
  });

  it('covers z_true and the moments of a galaxy drawn from the model', { timeout: 300_000 }, async () => {
    const S = card.config.size, D = 2 * S, fluxScale = card.config.fluxScale, sigma = card.trainingSet.noiseSigma as number;
    const net = makeDecoderNet(card.config, weights);
    const rng = new Rng(2026, 16);
    // a galaxy from the latent density, bright enough to constrain the posterior (decoder flux > 30 σ)
    let zTrue = density.sample(rng), g = decoderForward(net, zTrue, makeDecoderCache(net));
    for (let t = 0; t < 20 && g.reduce((a, b) => a + b, 0) * fluxScale < 30 * sigma * S; t++) {
      zTrue = density.sample(rng);
      g = decoderForward(net, zTrue, makeDecoderCache(net));
    }
    const psf = gaussianPsf((card.psfs as { fwhmArcsec: number }).fwhmArcsec / card.decoderPixelScale, card.config.psfSize);
    const clean = observe(g, D, psf, card.config.psfSize);
    const plane = Float32Array.from(clean, (v) => v * fluxScale + sigma * rng.normal());
    const file = join(dir, 'model-galaxy.fits');
    writeFileSync(file, encodeStamp({ width: S, height: S, bands: ['r'], planes: [plane], variance: [new Float32Array(S * S).fill(sigma * sigma)], pixelScale: 0.2 }));
    const prep = readPosteriorStamp(file, card);
    expect(prep.noise.source).toBe('VARIANCE plane');
    const p = await runGalaxyPosterior(prep, { model: MODEL, method: 'nuts', samples: 80, chains: 2, warmup: 60, seed: 3, threads: 1 });
    const L = p.latent, n = p.summary.samples;
    // z: every dimension's truth within 3.5 posterior sds of the posterior mean (P(|Z| > 3.5) ≈ 5e-4)
    let worst = 0;
    for (let k = 0; k < L; k++) {
      let m = 0, v = 0;
      for (let i = 0; i < n; i++) m += p.z[i * L + k]! / n;
      for (let i = 0; i < n; i++) v += (p.z[i * L + k]! - m) ** 2 / (n - 1);
      worst = Math.max(worst, Math.abs(zTrue[k]! - m) / Math.sqrt(v));
    }
    expect(worst).toBeLessThan(3.5);
    // and it is informative: the posterior sd is below half the prior's marginal sd in most dimensions
    const draws = Array.from({ length: 2000 }, () => density.sample(rng));
    const priorSd = Array.from({ length: L }, (_, k) => {
      const m = draws.reduce((a, d) => a + d[k]!, 0) / draws.length;
      return Math.sqrt(draws.reduce((a, d) => a + (d[k]! - m) ** 2, 0) / (draws.length - 1));
    });
    const narrow = Array.from({ length: L }, (_, k) => {
      let m = 0, v = 0;
      for (let i = 0; i < n; i++) m += p.z[i * L + k]! / n;
      for (let i = 0; i < n; i++) v += (p.z[i * L + k]! - m) ** 2 / (n - 1);
      return Math.sqrt(v) < 0.5 * priorSd[k]! ? 1 : 0;
    }).reduce((a: number, b) => a + b, 0);
    if (process.env.GALPOST_DEBUG) console.log({ worst, narrow, priorSd });
    expect(narrow).toBeGreaterThanOrEqual(12);
    expect(p.summary.diagnostics.rhatMax).toBeLessThan(1.2);
    // the model describes this stamp (it drew the galaxy): no misfit warning
    expect(p.summary.misfit.misfit).toBe(false);
    expect(p.summary.misfit.warning).toBeNull();
    expect(p.summary.misfit.chi2PerPixel).toBeGreaterThan(0.7);
    expect(p.summary.misfit.chi2PerPixel).toBeLessThan(1.3);
    // moments of the noiseless truth vs those of the decoded draws (SAMPLES): z-scores below 3.5
    writeGalaxyPosterior(join(dir, 'post.fits'), p);
    const f = openFitsFile(join(dir, 'post.fits'));
    const image = (name: string) => {
      const h = f.find(name)!;
      const im = readImage(f, h);
      return { shape: im.shape, data: Float32Array.from(im.data as ArrayLike<number>), header: h.header };
    };
    const cube = image('SAMPLES');
    expect(cube.shape).toEqual([n, D, D]);
    const truth = adaptiveMoments(g, D, D, { pixelScale: card.decoderPixelScale, sigma0: 4 });
    expect(truth.converged).toBe(true);
    const ms = Array.from({ length: n }, (_, i) => adaptiveMoments(cube.data.subarray(i * D * D, (i + 1) * D * D), D, D, { pixelScale: card.decoderPixelScale, sigma0: 4 })).filter((m) => m.converged);
    expect(ms.length).toBeGreaterThan(0.9 * n);
    for (const key of ['sigma', 'e1', 'e2'] as const) {
      const xs = ms.map((m) => m[key]), mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
      if (process.env.GALPOST_DEBUG) console.log(key, truth[key], mean, sd);
      expect(Math.abs(truth[key] - mean) / sd, key).toBeLessThan(3.5);
    }
    // the mean image is the mean of the draws, and the header carries the diagnostics
    const meanHdu = image('MEAN');
    f.source.close?.();
    expect(meanHdu.header.getNumber('NDRAWS')).toBe(n);
    expect(meanHdu.header.getNumber('RHATMAX')).toBeCloseTo(p.summary.diagnostics.rhatMax, 10);
    expect(meanHdu.header.get('MISFIT')).toBe(false);
    const mean = meanHdu.data;
    let m0 = 0;
    for (let i = 0; i < n; i++) m0 += cube.data[i * D * D + D * S + S]! / n;
    expect(mean[D * S + S]).toBeCloseTo(m0, 2);
  });

  it('a galaxy the model cannot make (40× brighter, 4× larger than its training set) gets the misfit warning in the CLI text, --json and header', { timeout: 180_000 }, async () => {
    const S = 40, sigma = card.trainingSet.noiseSigma as number;
    // an elliptical exponential disc, r_e 3″, mag ≈ 18 in LSST r: the training set is r_e ≤ 1″, mag ≥ 22
    const flux = 10 ** (-0.4 * (18 - 22)) * magFlux22(card), re = 15, q = 0.5, rng = new Rng(8, 8);
    const prof = new Float64Array(S * S);
    let sum = 0;
    for (let i = 0; i < S * S; i++) {
      const dx = (i % S) - S / 2 + 0.5, dy = Math.floor(i / S) - S / 2 + 0.5;
      sum += prof[i] = Math.exp(-1.678 * Math.sqrt(dx * dx + (dy / q) ** 2) / re);
    }
    const plane = Float32Array.from(prof, (v) => (v / sum) * flux + sigma * rng.normal());
    const file = join(dir, 'big-bright.fits');
    writeFileSync(file, encodeStamp({ width: S, height: S, bands: ['r'], planes: [plane], variance: [new Float32Array(S * S).fill(sigma * sigma)], pixelScale: 0.2 }));
    const run = async (json: boolean) => {
      const out: string[] = [], err: string[] = [];
      const io = { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), progress: () => undefined, signal: new AbortController().signal };
      const post = join(dir, `big-bright-${json}.fits`);
      expect(await galaxyPosteriorCli([file, '--model', MODEL, '--out', post, '--method', 'vi', '--warmup', '40', '--samples', '20', '--threads', '1', ...(json ? ['--json'] : [])], io)).toBe(0);
      return { out: out.join('\n'), err: err.join('\n'), post };
    };
    const text = await run(false);
    expect(text.out).toMatch(/MISFIT: above 1\.50/);
    expect(text.out).toMatch(/WARNING: the model does not fit this stamp: χ²\/pixel \d+\.\d\d over 1024 pixels .*The posterior is conditional on a model that does not describe the stamp/);
    expect(text.out).toMatch(/brighter than any in the model's training set \(stamp flux \d+× the brightest training galaxy, mag 22 in lsst r\)/);
    expect(text.err).not.toMatch(/WARNING/); // once, on stdout
    const js = await run(true);
    const j = JSON.parse(js.out) as { misfit: { misfit: boolean; chi2PerPixel: number; threshold: number; reasons: string[] }; warnings: string[] };
    expect(j.misfit.misfit).toBe(true);
    expect(j.misfit.chi2PerPixel).toBeGreaterThan(j.misfit.threshold);
    expect(j.warnings).toHaveLength(1);
    expect(j.misfit.reasons[0]).toMatch(/brighter than any/);
    expect(js.err).toMatch(/WARNING: the model does not fit this stamp/);
    const f = openFitsFile(js.post);
    try {
      const h = f.hdu(0).header;
      expect(h.get('MISFIT')).toBe(true);
      expect(h.getNumber('CHI2PIX')).toBeCloseTo(j.misfit.chi2PerPixel, 6);
      expect(h.getNumber('CHI2LIM')).toBeCloseTo(1.5, 9);
    } finally {
      f.source.close?.();
    }
  });
});

/** e⁻ of an AB mag-22 galaxy in the model's simulated training band (its brightest). */
function magFlux22(card: ReturnType<typeof readFlowVaeModel>['card']): number {
  const t = card.trainingSet as { preset: string; band: string };
  return magToElectrons(22, getPreset(t.preset).bands[t.band]!);
}
