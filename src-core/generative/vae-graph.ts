// The Flow-VAE's convolutional VAE (Lanusse et al. 2020; ../shared/reference/deblending-and-generative.md
// §B1–B2) as ONNX graphs built on the training tape (src-core/onnx/tape.ts): one training step
// (β-ELBO + hand-written backward of every parameter), an encoder and a decoder for inference.
//
// Encoder q(z | x, Σ) (B2: it may see the noise level, the decoder never does): input 2×S×S =
//   [x / fluxScale, log(σ / fluxScale) broadcast]; three (conv3 → SiLU → 2×2 average pool) levels
//   (widths enc), flatten, two Linear heads: μ and log σ_q² (latent dims).
// Decoder g_θ(z): Linear → widths[0]×(S/8)² → SiLU, then (nearest ×2 → conv3 → SiLU) per level, conv3 → 1.
//   'psf' likelihood: decoder at 2S×2S (half the stamp's pixel), then the stamp's PSF Π (sampled at
//   the decoder's pixel, per stamp) and pixelisation P = 2×2 average: m = P(Π ∗ g_θ(z)) (B1).
//   'plain' likelihood (the baseline): decoder at S×S, m = g_θ(z) (PSF and noise are learned
//   into the morphology).
// Loss per stamp (negative β-ELBO, white noise with per-pixel inverse variance w; B1–B2):
//   ½ Σ_pix w (x − m)² + β · ½ Σ_d (μ_d² + σ_d² − 1 − ln σ_d²),  z = μ + σ_q ⊙ ε  (reparametrisation),
// averaged over the batch. Gradients seeded here: ∂/∂m = −w(x − m)/B, ∂/∂μ += βμ/B,
// ∂/∂ln σ² += β(σ² − 1)/(2B); the rest is the tape's backward.
import { Tape, type TapeParam } from '../onnx/tape';

export type VaeLikelihood = 'psf' | 'plain';

export interface VaeConfig {
  /** Stamp side (multiple of 8). */
  size: number;
  likelihood: VaeLikelihood;
  latent: number;
  /** Encoder widths at S, S/2, S/4. */
  enc: [number, number, number];
  /** Decoder widths from S/8 upward: 3 levels for 'plain' (to S), 4 for 'psf' (to 2S). */
  dec: number[];
  /** PSF kernel side at the decoder's pixel ('psf' only; odd). */
  psfSize: number;
  /** Stamps per training step (static: the per-stamp PSF convolution is one grouped Conv). */
  batch: number;
  /** KL weight of the β-ELBO (1 = the true bound). */
  beta: number;
  /** Data scale (stamps are divided by it before the network; the decoder works in these units). */
  fluxScale: number;
  /**
   * Decoder output nonlinearity: 'linear' (absent = linear, the first bundled model) or 'softplus'
   * (Lanusse et al. 2020 constrain the light to be positive; negative lobes make adaptive moments fail).
   */
  output?: 'linear' | 'softplus';
}

/** The decoder's side: 2S for the PSF-aware likelihood, S for the plain one. */
export const decoderSide = (cfg: VaeConfig) => (cfg.likelihood === 'psf' ? 2 * cfg.size : cfg.size);

export function defaultVaeConfig(likelihood: VaeLikelihood, o: Partial<VaeConfig> = {}): VaeConfig {
  return {
    size: 32, likelihood, latent: 16, enc: [16, 32, 32],
    dec: likelihood === 'psf' ? [32, 16, 8, 4] : [32, 16, 8],
    psfSize: 19, batch: 32, beta: 1, fluxScale: 1, ...o,
  };
}

export function checkVaeConfig(cfg: VaeConfig): void {
  if (cfg.size % 8 !== 0 || cfg.size < 8) throw new Error(`VAE stamp side must be a multiple of 8 (got ${cfg.size})`);
  const levels = cfg.likelihood === 'psf' ? 4 : 3;
  if (cfg.dec.length !== levels) throw new Error(`VAE '${cfg.likelihood}' decoder needs ${levels} widths (got ${cfg.dec.length})`);
  if (cfg.likelihood === 'psf' && cfg.psfSize % 2 !== 1) throw new Error(`VAE PSF kernel side must be odd (got ${cfg.psfSize})`);
}

function encoder(tape: Tape, cfg: VaeConfig, x: string, logSigma: string): { mu: string; logvar: string } {
  const S = cfg.size, [e0, e1, e2] = cfg.enc;
  // noise-level channel: log σ broadcast over the stamp (data, no gradient)
  const ls = tape.node('Expand', [tape.node('Reshape', [logSigma, tape.ints([-1, 1, 1, 1])]), tape.node('Shape', [x])]);
  const inp = tape.node('Concat', [x, ls], { axis: 1 });
  let h = tape.avgPool2(tape.silu(tape.conv(inp, 'enc.c0', 3, 2, e0, S, false)), e0, S);
  h = tape.avgPool2(tape.silu(tape.conv(h, 'enc.c1', 3, e0, e1, S / 2)), e1, S / 2);
  h = tape.avgPool2(tape.silu(tape.conv(h, 'enc.c2', 3, e1, e2, S / 4)), e2, S / 4);
  const flat = tape.reshape(h, [0, -1]);
  const nf = e2 * (S / 8) ** 2;
  return { mu: tape.linear(flat, 'enc.mu', nf, cfg.latent), logvar: tape.linear(flat, 'enc.logvar', nf, cfg.latent) };
}

function decoder(tape: Tape, cfg: VaeConfig, z: string, zNeedsGrad: boolean): string {
  const b = cfg.size / 8;
  let c = cfg.dec[0]!;
  let h = tape.silu(tape.reshape(tape.linear(z, 'dec.in', cfg.latent, c * b * b, zNeedsGrad), [0, c, b, b]));
  let side = b;
  cfg.dec.forEach((w, i) => {
    h = tape.upsample2(h, c, side);
    side *= 2;
    h = tape.silu(tape.conv(h, `dec.c${i}`, 3, c, w, side));
    c = w;
  });
  const out = tape.conv(h, 'dec.out', 3, c, 1, side);
  return cfg.output === 'softplus' ? tape.softplus(out) : out;
}

export interface VaeGraph {
  onnx: Uint8Array;
  params: TapeParam[];
}

const meta = (doc: string) => ({ opset: 13, producer: 'lensdesk', producerVersion: '0.1.0', docString: doc });

/**
 * Training step. Inputs: `x` B×1×S×S (stamps / fluxScale), `w` B×1×S×S (inverse variance in those
 * units; 0 = masked), `log_sigma` B (log of the stamp's noise σ in those units, the encoder's noise
 * channel), `eps` B×L standard normal, `psf` B×1×K×K (unit sum, decoder pixel; 'psf' only), and the
 * parameters. Outputs: `loss` (batch mean of the negative β-ELBO), `rec` B (½χ²), `kl` B, grad:<param>.
 */
export function buildVaeTrainingGraph(cfg: VaeConfig): VaeGraph {
  checkVaeConfig(cfg);
  const tape = new Tape('flowvae_train', true);
  const S = cfg.size, B = cfg.batch, L = cfg.latent, D = decoderSide(cfg);
  const x = tape.g.input('x', [B, 1, S, S]);
  const w = tape.g.input('w', [B, 1, S, S]);
  const logSigma = tape.g.input('log_sigma', [B]);
  const eps = tape.g.input('eps', [B, L]);
  const psf = cfg.likelihood === 'psf' ? tape.g.input('psf', [B, 1, cfg.psfSize, cfg.psfSize]) : '';
  const { mu, logvar } = encoder(tape, cfg, x, logSigma);
  const sd = tape.exp(tape.scale(logvar, 0.5));
  const z = tape.add(mu, tape.mul(sd, eps, true, false));
  const g = decoder(tape, cfg, z, true);
  const m = cfg.likelihood === 'psf' ? tape.avgPool2(tape.perImageConv(g, psf, B, cfg.psfSize, D), 1, D) : g;
  const r = tape.node('Sub', [x, m]);
  const wr = tape.node('Mul', [w, r]);
  tape.node('Mul', [tape.node('ReduceSum', [tape.node('Mul', [wr, r]), tape.ints([1, 2, 3])], { keepdims: 0 }), tape.scalar(0.5)], {}, 'rec');
  tape.g.output('rec', [B]);
  const varq = tape.node('Exp', [logvar]);
  const klTerms = tape.node('Sub', [tape.node('Add', [tape.node('Mul', [mu, mu]), varq]), tape.node('Add', [logvar, tape.scalar(1)])]);
  tape.node('Mul', [tape.node('ReduceSum', [klTerms, tape.ints([1])], { keepdims: 0 }), tape.scalar(0.5)], {}, 'kl');
  tape.g.output('kl', [B]);
  tape.node('ReduceMean', [tape.node('Add', ['rec', tape.node('Mul', ['kl', tape.scalar(cfg.beta)])])], { keepdims: 0 }, 'loss');
  tape.g.output('loss', []);
  tape.addGrad(m, tape.node('Mul', [wr, tape.scalar(-1 / B)]));
  tape.addGrad(mu, tape.node('Mul', [mu, tape.scalar(cfg.beta / B)]));
  tape.addGrad(logvar, tape.node('Mul', [tape.node('Sub', [varq, tape.scalar(1)]), tape.scalar(cfg.beta / (2 * B))]));
  tape.runBackward();
  return { onnx: tape.g.encode(meta('Flow-VAE training step (negative beta-ELBO + gradients)')), params: tape.params };
}

/** Encoder: `x` n×1×S×S (stamp / fluxScale), `log_sigma` n → `mu`, `logvar` (n×L). */
export function buildVaeEncoderGraph(cfg: VaeConfig, weights: ReadonlyMap<string, Float32Array>): Uint8Array {
  const tape = new Tape('flowvae_encoder', false, weights);
  const x = tape.g.input('x', ['n', 1, cfg.size, cfg.size]);
  const { mu, logvar } = encoder(tape, cfg, x, tape.g.input('log_sigma', ['n']));
  tape.node('Identity', [mu], {}, 'mu');
  tape.node('Identity', [logvar], {}, 'logvar');
  tape.g.output('mu', ['n', cfg.latent]);
  tape.g.output('logvar', ['n', cfg.latent]);
  return tape.g.encode(meta('Flow-VAE encoder q(z|x, sigma)'));
}

/** Decoder: `z` n×L → `g` n×1×D×D, the PSF-free light profile in fluxScale units per stamp pixel. */
export function buildVaeDecoderGraph(cfg: VaeConfig, weights: ReadonlyMap<string, Float32Array>): Uint8Array {
  const tape = new Tape('flowvae_decoder', false, weights);
  const g = decoder(tape, cfg, tape.g.input('z', ['n', cfg.latent]), false);
  tape.node('Identity', [g], {}, 'g');
  tape.g.output('g', ['n', 1, decoderSide(cfg), decoderSide(cfg)]);
  return tape.g.encode(meta('Flow-VAE decoder g(z)'));
}

/** Parameters in the training graph's order. */
export function vaeParams(cfg: VaeConfig): TapeParam[] {
  return buildVaeTrainingGraph(cfg).params;
}
