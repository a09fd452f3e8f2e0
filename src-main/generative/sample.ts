// `lensdesk galaxy sample`: n galaxies from a Flow-VAE model (z from its latent density, g_θ(z)),
// observed at a survey preset's pixel scale, PSF and noise (src-core/generative/render.ts), written as
// a FITS cube (primary: noisy images; VARIANCE; MODEL: noiseless) and optionally a PNG montage.
import { writeFileSync } from 'node:fs';
import type { CardInput } from '../../src-core/fits/card-format';
import { writeFits } from '../../src-core/fits/writer';
import { fluxFactor, observeAt, resolveTarget, type ResolvedTarget } from '../../src-core/generative/render';
import { montagePng } from '../../src-core/generative/montage';
import { Rng } from '../../src-core/rng';
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

/** Renders n model samples at the target; batches of decodes so memory stays small. */
export async function renderSamples(m: FlowVaeModel, n: number, target: ResolvedTarget, rng: Rng, noise: boolean): Promise<{ images: Float32Array; variance: Float32Array; model: Float32Array }> {
  const D = m.size, S = target.size, factor = fluxFactor(m.card.trainingSet, target), fwhm = decodedFwhm(m);
  const images = new Float32Array(n * S * S), variance = new Float32Array(n * S * S), model = new Float32Array(n * S * S);
  for (let o = 0; o < n; o += 256) {
    const k = Math.min(256, n - o);
    const g = await m.decode(m.sampleLatent(k, rng), k);
    for (let j = 0; j < k; j++) {
      const r = observeAt(g.subarray(j * D * D, (j + 1) * D * D), D, m.pixelScale, fwhm, factor, target, noise ? rng : undefined);
      model.set(r.model, (o + j) * S * S);
      if (r.image) {
        images.set(r.image, (o + j) * S * S);
        variance.set(r.variance!, (o + j) * S * S);
      } else images.set(r.model, (o + j) * S * S);
    }
  }
  return { images, variance, model };
}

export async function sampleGalaxies(o: SampleOptions): Promise<{ target: ResolvedTarget; seconds: number; n: number }> {
  const t0 = performance.now();
  const m = await loadFlowVae(o.model, { threads: o.threads });
  try {
    const target = resolveTarget({ preset: o.preset, band: o.band, size: o.size }, m.size * m.pixelScale);
    const r = await renderSamples(m, o.n, target, new Rng(o.seed, 5), o.noise);
    const S = target.size;
    const cards: CardInput[] = [
      { keyword: 'PIXSCALE', value: target.pixelScale, comment: 'arcsec per pixel' },
      { keyword: 'PRESET', value: target.preset }, { keyword: 'BAND', value: target.band },
      { keyword: 'PSFFWHM', value: target.spec.seeing, comment: 'Gaussian PSF FWHM, arcsec' },
      { keyword: 'BUNIT', value: 'electron', comment: 'e- over the co-add' },
      { keyword: 'GENMODEL', value: 'flowvae', comment: `likelihood ${m.card.config.likelihood}` },
      { keyword: 'SEED', value: o.seed },
    ];
    writeFileSync(o.out, writeFits([
      { kind: 'image', shape: [o.n, S, S], data: r.images, cards },
      ...(o.noise ? [{ kind: 'image' as const, shape: [o.n, S, S], data: r.variance, extname: 'VARIANCE' }] : []),
      { kind: 'image', shape: [o.n, S, S], data: r.model, extname: 'MODEL' },
    ]));
    if (o.png) writeFileSync(o.png, montagePng([{ images: r.images, count: Math.min(o.n, 64), side: S }], 8));
    return { target, seconds: (performance.now() - t0) / 1000, n: o.n };
  } finally {
    await m.dispose();
  }
}
