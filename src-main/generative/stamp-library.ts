// Flow-VAE galaxies as the simulator's lensed sources (issue 16, `simulate --sources flowvae:MODEL`):
// N latent draws are decoded once into PSF-free galaxy images at the decoder's pixel, and handed to the
// simulator as a stamp library (src-core/lens/profiles/stamp-source.ts), which lenses, convolves with
// the survey's PSF, pixelises and adds noise exactly as for real galaxy stamps. The flux is renormalised
// by the simulator (stamp units are arbitrary), so only the morphology comes from the model. A plain
// (PSF-unaware) model's images still carry its training PSF; the PSF-aware model's do not.
import { basename, join, resolve } from 'node:path';
import type { StampLibrary } from '../../src-core/lens/profiles/stamp-source';
import { Rng } from '../../src-core/rng';
import type { StampLibraryRead } from '../lens/stamp-files';
import { sha256File } from '../lens/psf-file';
import { loadFlowVae } from './load';

export const FLOWVAE_SOURCE_PREFIX = 'flowvae:';

/** `flowvae:MODEL_DIR` → MODEL_DIR, or null when the spec names a folder of stamps instead. */
export function flowVaeSourceDir(spec: string): string | null {
  return spec.startsWith(FLOWVAE_SOURCE_PREFIX) ? resolve(spec.slice(FLOWVAE_SOURCE_PREFIX.length)) : null;
}

export async function flowVaeStampLibrary(dir: string, o: { count: number; seed: number; fraction?: number; threads?: number }): Promise<StampLibraryRead> {
  const model = await loadFlowVae(dir, { threads: o.threads });
  try {
    const rng = new Rng(o.seed, 0xf10a);
    const z = model.sampleLatent(o.count, rng);
    const images = await model.decode(z, o.count);
    const side = model.size, plane = side * side;
    const weights = sha256File(join(dir, 'weights.bin')), latent = sha256File(join(dir, 'latent.json'));
    const name = basename(dir);
    const library: StampLibrary = {
      // Same model files + seed + count = same galaxies, so a resumed simulation re-registers the same library.
      id: `flowvae:${weights.slice(0, 16)}:${latent.slice(0, 16)}:${o.seed}:${o.count}`,
      fraction: o.fraction ?? 1,
      stamps: Array.from({ length: o.count }, (_, k) => ({
        name: `${FLOWVAE_SOURCE_PREFIX}${name}[${k}]`, width: side, height: side, pixelScale: model.pixelScale,
        data: images.subarray(k * plane, (k + 1) * plane),
      })),
    };
    return { library, path: dir, files: [{ file: `${FLOWVAE_SOURCE_PREFIX}${name} (weights ${weights.slice(0, 12)}, latent ${latent.slice(0, 12)}, seed ${o.seed})`, sha256: weights, stamps: o.count, pixelScale: model.pixelScale }] };
  } finally {
    model.dispose();
  }
}
