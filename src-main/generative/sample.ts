// `lensdesk galaxy sample`: n galaxies from a Flow-VAE model (z from its latent density, g_θ(z)),
// observed at a survey preset's pixel scale, PSF and noise (src-core/generative/render.ts), written as
// a FITS cube (primary: noisy images; VARIANCE; MODEL: noiseless; streamed to disk chunk by chunk)
// and optionally a PNG montage.
import { writeFileSync } from 'node:fs';
import type { CardInput } from '../../src-core/fits/card-format';
import { fluxFactor, observeAt, resolveTarget, type ResolvedTarget } from '../../src-core/generative/render';
import { montagePng } from '../../src-core/generative/montage';
import { Rng } from '../../src-core/rng';
import { FitsCubeWriter } from './fits-cube-writer';
import { loadFlowVae, type FlowVaeModel } from './load';

export interface SampleOptions {
  model: string;
  n: number;
  preset: string;
  band?: string;
  size?: number;
  seed: number;
  noise: boolean;
  threads?: number;
  out: string;
  png?: string;
}

/** The PSF FWHM (arcsec) already in the decoded images: the training PSF for the plain model, else 0. */
export function decodedFwhm(m: FlowVaeModel): number {
  if (m.card.config.likelihood === 'psf') return 0;
  const f = (m.card.psfs as { fwhmArcsec?: unknown }).fwhmArcsec;
  return typeof f === 'number' ? f : 0;
}

/** Galaxies per latent draw: the RNG stream interleaves CHUNK latent codes, then their noise (keep it: same seed → same galaxies). */
const CHUNK = 256;

export interface RenderedChunk {
  /** Index of the first galaxy of the chunk. */
  first: number;
  count: number;
  /** count × S × S: noisy images (the model when there is no noise), variance (empty without noise), noiseless model. */
  images: Float32Array;
  variance: Float32Array;
  model: Float32Array;
}

/**
 * Renders n model samples at the target chunk by chunk (CHUNK latent codes from `rng`, decoded, then
 * observed with noise from the same `rng`), handing each chunk to `sink`: memory stays one chunk.
 */
export async function forEachRendered(m: FlowVaeModel, n: number, target: ResolvedTarget, rng: Rng, noise: boolean, sink: (c: RenderedChunk) => void): Promise<void> {
  const D = m.size, S = target.size, factor = fluxFactor(m.card.trainingSet, target), fwhm = decodedFwhm(m);
  for (let o = 0; o < n; o += CHUNK) {
    const k = Math.min(CHUNK, n - o);
    const g = await m.decode(m.sampleLatent(k, rng), k);
    const images = new Float32Array(k * S * S), variance = new Float32Array(noise ? k * S * S : 0), model = new Float32Array(k * S * S);
    for (let j = 0; j < k; j++) {
      const r = observeAt(g.subarray(j * D * D, (j + 1) * D * D), D, m.pixelScale, fwhm, factor, target, noise ? rng : undefined);
      model.set(r.model, j * S * S);
      images.set(r.image ?? r.model, j * S * S);
      if (r.variance) variance.set(r.variance, j * S * S);
    }
    sink({ first: o, count: k, images, variance, model });
  }
}

/** Renders n model samples at the target into whole arrays (variance zero without noise). */
export async function renderSamples(m: FlowVaeModel, n: number, target: ResolvedTarget, rng: Rng, noise: boolean): Promise<{ images: Float32Array; variance: Float32Array; model: Float32Array }> {
  const P = target.size * target.size;
  const images = new Float32Array(n * P), variance = new Float32Array(n * P), model = new Float32Array(n * P);
  await forEachRendered(m, n, target, rng, noise, (c) => {
    images.set(c.images, c.first * P);
    variance.set(c.variance, c.first * P);
    model.set(c.model, c.first * P);
  });
  return { images, variance, model };
}

export async function sampleGalaxies(o: SampleOptions): Promise<{ target: ResolvedTarget; seconds: number; n: number }> {
  const t0 = performance.now();
  const m = await loadFlowVae(o.model, { threads: o.threads });
  try {
    const target = resolveTarget({ preset: o.preset, band: o.band, size: o.size }, m.size * m.pixelScale);
    const S = target.size;
    const cards: CardInput[] = [
      { keyword: 'PIXSCALE', value: target.pixelScale, comment: 'arcsec per pixel' },
      { keyword: 'PRESET', value: target.preset }, { keyword: 'BAND', value: target.band },
      { keyword: 'PSFFWHM', value: target.spec.seeing, comment: 'Gaussian PSF FWHM, arcsec' },
      { keyword: 'BUNIT', value: 'electron', comment: 'e- over the co-add' },
      { keyword: 'GENMODEL', value: 'flowvae', comment: `likelihood ${m.card.config.likelihood}` },
      { keyword: 'SEED', value: o.seed },
    ];
    // primary: noisy images; VARIANCE (with noise); MODEL: noiseless. Streamed chunk by chunk.
    const hdus = [{ cards }, ...(o.noise ? [{ extname: 'VARIANCE' }] : []), { extname: 'MODEL' }];
    const out = new FitsCubeWriter(o.out, o.n, S, hdus);
    const montage = new Float32Array(Math.min(o.n, 64) * S * S);
    try {
      await forEachRendered(m, o.n, target, new Rng(o.seed, 5), o.noise, (c) => {
        out.write(0, c.first, c.images);
        if (o.noise) out.write(1, c.first, c.variance);
        out.write(hdus.length - 1, c.first, c.model);
        if (c.first * S * S < montage.length) montage.set(c.images.subarray(0, montage.length - c.first * S * S), c.first * S * S);
      });
      out.close();
    } catch (e) {
      out.abort();
      throw e;
    }
    if (o.png) writeFileSync(o.png, montagePng([{ images: montage, count: Math.min(o.n, 64), side: S }], 8));
    return { target, seconds: (performance.now() - t0) / 1000, n: o.n };
  } finally {
    await m.dispose();
  }
}
