// Flow-VAE training sets (issue 16 "Training data"): (b) LensDesk-simulated noisy PSF-convolved
// galaxies at a survey preset, with an independent noiseless truth set for the moments test.
// Folders of stamps (a) and GalSim real-galaxy catalogs (c) are read in stamp-data.ts.
import { simulateStamps } from '../../src-core/generative/sim-stamps';
import { Rng } from '../../src-core/rng';
import type { VaeTrainingData } from './train';

export function simulatedTrainingData(o: { preset: string; band?: string; size: number; count: number; psfSize: number; seed: number; truthCount: number }): VaeTrainingData {
  const set = simulateStamps({ preset: o.preset, band: o.band, size: o.size, count: o.count, psfSize: o.psfSize, rng: new Rng(o.seed, 40) });
  const truth = o.truthCount > 0 ? simulateStamps({ preset: o.preset, band: o.band, size: o.size, count: o.truthCount, psfSize: o.psfSize, rng: new Rng(o.seed, 41), keepTruth: true }) : null;
  return {
    stamps: set.stamps, count: set.count, size: set.size, pixelScale: set.pixelScale,
    sigma: new Float32Array(set.count).fill(set.sigma),
    psfs: Float32Array.from(set.psf), psfSize: set.psfSize, psfIndex: new Int32Array(set.count),
    description: { ...set.description, seed: o.seed },
    psfDescription: { source: 'preset', ...(set.description.psf as object), decoderGrid: `${o.psfSize}×${o.psfSize} at ${set.pixelScale / 2}″` },
    ...(truth ? { truth: { images: truth.truth!, count: truth.count, side: 2 * o.size, pixelScale: set.pixelScale / 2 } } : {}),
  };
}
