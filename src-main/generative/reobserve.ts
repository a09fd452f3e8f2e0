// `lensdesk galaxy reobserve MODEL STAMP.fits --preset P`: re-observation of a real galaxy
// (deblending-and-generative.md §B4): encode the stamp (q(z | x, σ) mean), decode the PSF-free galaxy
// g_θ(μ) and observe it with the target preset's pixels, PSF and noise. The stamp must be at the
// model's training pixel scale; it is centre-cropped / zero-padded to the model's stamp side and its σ
// is estimated from the border (1.4826 × MAD) unless given.
import { writeFileSync } from 'node:fs';
import { InputError } from '../../src-core/errors';
import type { CardInput } from '../../src-core/fits/card-format';
import { readImage } from '../../src-core/fits/image';
import { writeFits } from '../../src-core/fits/writer';
import { fluxFactor, observeAt, resolveTarget } from '../../src-core/generative/render';
import { Rng } from '../../src-core/rng';
import { openFitsFile } from '../fits/file-source';
import { headerPixelScale } from '../../src-core/wcs/pixel-scale';
import { loadFlowVae } from './load';
import { decodedFwhm } from './sample';

export async function reobserve(o: { model: string; stamp: string; preset: string; band?: string; sigma?: number; seed: number; out: string; threads?: number }): Promise<{ size: number; pixelScale: number; sigma: number }> {
  const f = openFitsFile(o.stamp);
  let img: { data: ArrayLike<number>; w: number; h: number; scale?: number };
  try {
    const hdu = f.hdus().find((h) => h.naxes.length === 2 && h.naxes.every((a) => a > 0));
    if (!hdu) throw new InputError('FLOWVAE_STAMP', `${o.stamp}: no 2-D image HDU`, { file: o.stamp });
    const im = readImage(f, hdu);
    img = { data: im.data as ArrayLike<number>, w: im.shape[1]!, h: im.shape[0]!, scale: headerPixelScale(hdu.header) ?? headerPixelScale(f.hdu(0).header) };
  } finally {
    f.source.close?.();
  }
  const m = await loadFlowVae(o.model, { threads: o.threads });
  try {
    const S = m.card.config.size;
    if (img.scale && Math.abs(img.scale - m.card.pixelScale) > 0.01 * m.card.pixelScale) throw new InputError('FLOWVAE_STAMP', `${o.stamp}: pixel scale ${img.scale}″ differs from the model's ${m.card.pixelScale}″`, { file: o.stamp });
    const x = new Float32Array(S * S), border: number[] = [];
    const oy = Math.floor((img.h - S) / 2), ox = Math.floor((img.w - S) / 2);
    for (let i = 0; i < S; i++)
      for (let j = 0; j < S; j++) {
        const y = i + oy, xx = j + ox;
        if (y < 0 || xx < 0 || y >= img.h || xx >= img.w) continue;
        const v = Number(img.data[y * img.w + xx]);
        x[i * S + j] = Number.isFinite(v) ? v : 0;
      }
    for (let y = 0; y < img.h; y++) for (let xx = 0; xx < img.w; xx++) if (y < 3 || xx < 3 || y >= img.h - 3 || xx >= img.w - 3) border.push(Number(img.data[y * img.w + xx]));
    const sorted = border.filter(Number.isFinite).sort((a, b) => a - b), med = sorted[sorted.length >> 1] ?? 0;
    const sigma = o.sigma ?? 1.4826 * (sorted.map((v) => Math.abs(v - med)).sort((a, b) => a - b)[sorted.length >> 1] ?? 0);
    if (!(sigma > 0)) throw new InputError('FLOWVAE_STAMP', `${o.stamp}: noise σ could not be estimated (give --sigma)`, { file: o.stamp });
    const { mu } = await m.encode(x, Float32Array.of(sigma));
    const g = await m.decode(mu, 1);
    const target = resolveTarget({ preset: o.preset, band: o.band }, m.size * m.pixelScale);
    const r = observeAt(g, m.size, m.pixelScale, decodedFwhm(m), fluxFactor(m.card.trainingSet, target), target, new Rng(o.seed, 8));
    const cards: CardInput[] = [
      { keyword: 'PIXSCALE', value: target.pixelScale, comment: 'arcsec per pixel' }, { keyword: 'PRESET', value: target.preset }, { keyword: 'BAND', value: target.band },
      { keyword: 'PSFFWHM', value: target.spec.seeing, comment: 'Gaussian PSF FWHM, arcsec' }, { keyword: 'SIGMAIN', value: sigma, comment: 'noise sigma of the input stamp' },
    ];
    const D = m.size;
    writeFileSync(o.out, writeFits([
      { kind: 'image', shape: [target.size, target.size], data: r.image!, cards },
      { kind: 'image', shape: [target.size, target.size], data: Float32Array.from(r.model), extname: 'MODEL' },
      { kind: 'image', shape: [D, D], data: g, extname: 'DECONVOLVED', cards: [{ keyword: 'PIXSCALE', value: m.pixelScale }] },
    ]));
    return { size: target.size, pixelScale: target.pixelScale, sigma };
  } finally {
    await m.dispose();
  }
}
