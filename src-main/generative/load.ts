// Loading a Flow-VAE model folder for use elsewhere (the simulator's `--sources flowvae:MODEL`, sampling,
// re-observation): the decoder as a function of the latent code, the latent density, the card.
import type { LatentDensity } from '../../src-core/generative/latent-density';
import { decoderSide } from '../../src-core/generative/vae-graph';
import type { Rng } from '../../src-core/rng';
import { readFlowVaeModel, type FlowVaeCard } from './model-files';
import { createVaeCoder } from './vae-engine';

export interface FlowVaeModel {
  /** Latent dimension L. */
  latentDim: number;
  /** Side of the decoded images (pixels). */
  size: number;
  /** Pixel of the decoded images, arcsec (half the training stamps' pixel for the PSF-aware model). */
  pixelScale: number;
  /**
   * g_θ(z) for n latent codes (n×L, row-major) → n×size×size, the PSF-free galaxy as flux per decoded
   * pixel in the training stamps' flux unit (sums to the galaxy's flux; e⁻ of the training co-add for
   * simulated sets). The PSF-aware model's images carry no PSF; the plain model's carry the training PSF.
   */
  decode(z: Float32Array, n: number): Promise<Float32Array>;
  /** n codes from the latent density (n×L). */
  sampleLatent(n: number, rng: Rng): Float32Array;
  /** q(z | x) mean and log-variance for n stamps in the training flux unit with per-stamp noise σ. */
  encode(x: Float32Array, sigma: Float32Array): Promise<{ mu: Float32Array; logvar: Float32Array }>;
  density: LatentDensity;
  card: FlowVaeCard;
  dispose(): Promise<void>;
}

export async function loadFlowVae(dir: string, opts: { threads?: number } = {}): Promise<FlowVaeModel> {
  const { card, weights, density } = readFlowVaeModel(dir);
  const cfg = card.config;
  const coder = await createVaeCoder(cfg, weights, { threads: opts.threads });
  const D = decoderSide(cfg), L = cfg.latent;
  // decoder output: fluxScale units per training-pixel area; per decoded pixel = × (D_pix / S_pix)²
  const toFlux = cfg.fluxScale * (cfg.size / D) ** 2;
  return {
    latentDim: L, size: D, pixelScale: card.decoderPixelScale, density, card,
    async decode(z, n) {
      const g = await coder.decode(z, n);
      for (let i = 0; i < g.length; i++) g[i] = g[i]! * toFlux;
      return g;
    },
    sampleLatent(n, rng) {
      const z = new Float32Array(n * L);
      for (let k = 0; k < n; k++) z.set(density.sample(rng), k * L);
      return z;
    },
    encode: (x, sigma) => coder.encode(Float32Array.from(x, (v) => v / cfg.fluxScale), Float32Array.from(sigma, (s) => Math.log(s / cfg.fluxScale))),
    dispose: () => coder.dispose(),
  };
}
