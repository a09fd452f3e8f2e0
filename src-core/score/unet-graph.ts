// The noise-conditional U-Net score model of ../shared/peers/score_prior_torch.py (the speed yardstick),
// layer for layer, as ONNX graphs: a training step (forward + hand-written backward of the σ²-weighted
// DSM loss, learned-priors.md §1) and an inference graph giving the score. Parameter names and layouts
// are PyTorch's state_dict ones (Conv OIHW, Linear [out, in]) so weights can be exchanged with the peer.
//
// Architecture (NCSN++-like, much smaller): channels 32/64/128, GroupNorm(8), SiLU, ResBlocks
//   h = c1(silu(n1(x))) + emb(e);  out = skip(x) + c2(silu(n2(h)))   (skip = 1×1 conv when cin ≠ cout),
// average-pool down, nearest-neighbour up with concatenated skips. σ enters through a sinusoidal
// embedding of log σ (16 frequencies log-spaced in [0.25, 32]) → Linear → SiLU → Linear (128), added as
// a per-channel bias in every ResBlock. Preconditioning (Karras et al. 2022; NCSNv2's division by σ):
//   s_θ(x̃, σ) = net(x̃ / √(σ_data² + σ²), σ) / σ,
// and the DSM loss with λ(σ) = σ² is mean ‖σ s_θ + ε‖² = mean ‖net + ε‖² per pixel.
import { Tape, type TapeParam } from '../onnx/tape';

export interface UnetConfig {
  /** Image side (a multiple of 4). */
  size: number;
  channels: [number, number, number];
  groups: number;
  /** Sinusoidal features (even) and embedding width. */
  embedFeatures: number;
  embedWidth: number;
  /** Pixel std of the training data (input preconditioning). */
  sigmaData: number;
}

/** The peer's network: 1×64×64, 32/64/128, GroupNorm(8), 32 → 128 embedding. */
export function peerUnetConfig(sigmaData: number, size = 64): UnetConfig {
  return { size, channels: [32, 64, 128], groups: 8, embedFeatures: 32, embedWidth: 128, sigmaData };
}

export interface UnetGraph {
  onnx: Uint8Array;
  params: TapeParam[];
}

function build(cfg: UnetConfig, tape: Tape, xIn: string, sigma: string): string {
  const { size: S, channels: [c0, c1, c2], groups: G, embedFeatures: F, embedWidth: E } = cfg;
  if (S % 4 !== 0) throw new Error(`U-Net image side must be a multiple of 4 (got ${S})`);
  // σ embedding: freqs = exp(linspace(log 0.25, log 32, F/2)) (torch.linspace end-inclusive).
  const half = F / 2;
  const freqs = Float32Array.from({ length: half }, (_, i) => Math.exp(Math.log(0.25) + (i * (Math.log(32) - Math.log(0.25))) / Math.max(1, half - 1)));
  const freqT = tape.g.float32('embed.freqs', [1, half], freqs);
  const a = tape.node('Mul', [tape.node('Unsqueeze', [tape.node('Log', [sigma]), tape.ints([1])]), freqT]);
  const feats = tape.node('Concat', [tape.node('Sin', [a]), tape.node('Cos', [a])], { axis: 1 });
  const e = tape.linear(tape.silu(tape.linear(feats, 'embed.mlp.0', F, E, false)), 'embed.mlp.2', E, E);

  const resBlock = (x: string, name: string, cin: number, cout: number, side: number) => {
    let h = tape.conv(tape.silu(tape.groupNorm(x, `${name}.n1`, cin, G, side)), `${name}.c1`, 3, cin, cout, side);
    h = tape.addChannelBias(h, tape.linear(e, `${name}.emb`, E, cout), cout);
    const r = tape.conv(tape.silu(tape.groupNorm(h, `${name}.n2`, cout, G, side)), `${name}.c2`, 3, cout, cout, side);
    const skip = cin !== cout ? tape.conv(x, `${name}.skip`, 1, cin, cout, side) : x;
    return tape.add(skip, r);
  };

  const stem = tape.conv(xIn, 'stem', 3, 1, c0, S, false);
  const h0 = resBlock(stem, 'down0', c0, c0, S);
  const h1 = resBlock(tape.avgPool2(h0, c0, S), 'down1', c0, c1, S / 2);
  const h2 = resBlock(resBlock(tape.avgPool2(h1, c1, S / 2), 'down2', c1, c2, S / 4), 'mid', c2, c2, S / 4);
  const u1 = resBlock(tape.concatChannels(tape.upsample2(h2, c2, S / 4), c2, h1, c1), 'up1', c2 + c1, c1, S / 2);
  const u0 = resBlock(tape.concatChannels(tape.upsample2(u1, c1, S / 2), c1, h0, c0), 'up0', c1 + c0, c0, S);
  return tape.conv(tape.silu(tape.groupNorm(u0, 'head.0', c0, G, S)), 'head.2', 3, c0, 1, S);
}

/** x_in = x̃ / √(σ_data² + σ²) per image; σ is N, x̃ N×1×S×S. */
function precondition(tape: Tape, cfg: UnetConfig, xNoisy: string, sigma4: string): string {
  const v = tape.node('Add', [tape.node('Mul', [sigma4, sigma4]), tape.scalar(cfg.sigmaData * cfg.sigmaData)]);
  return tape.node('Div', [xNoisy, tape.node('Sqrt', [v])]);
}

/**
 * Training step. Inputs: `x` clean N×1×S×S, `eps` N×1×S×S standard normal, `sigma` N, and every
 * parameter. Outputs: `loss` (scalar, mean per pixel), `loss_per_image` N, `grad:<param>` for each.
 */
export function buildUnetTrainingGraph(cfg: UnetConfig): UnetGraph {
  const tape = new Tape('score_unet_train', true);
  const S = cfg.size;
  const x = tape.g.input('x', ['n', 1, S, S]);
  const eps = tape.g.input('eps', ['n', 1, S, S]);
  const sigma = tape.g.input('sigma', ['n']);
  const sigma4 = tape.node('Reshape', [sigma, tape.ints([-1, 1, 1, 1])]);
  const xNoisy = tape.node('Add', [x, tape.node('Mul', [sigma4, eps])]);
  const u = build(cfg, tape, precondition(tape, cfg, xNoisy, sigma4), sigma);
  const diff = tape.node('Add', [u, eps]);
  const sq = tape.node('Mul', [diff, diff]);
  const perImage = tape.node('ReduceMean', [sq], { axes: [1, 2, 3], keepdims: 0 }, 'loss_per_image');
  tape.g.output('loss_per_image', ['n']);
  tape.node('ReduceMean', [perImage], { keepdims: 0 }, 'loss');
  tape.g.output('loss', []);
  // ∂loss/∂u = 2(u + ε)/(N·S²)
  const n = tape.node('Cast', [tape.node('Shape', [sigma])], { to: 1 });
  tape.addGrad(u, tape.node('Div', [tape.node('Mul', [diff, tape.scalar(2 / (S * S))]), n]));
  tape.runBackward();
  return { onnx: tape.g.encode({ opset: 13, producer: 'lensdesk', producerVersion: '0.1.0', docString: 'score U-Net DSM training step (loss + gradients)' }), params: tape.params };
}

/** Inference: inputs `x` (noisy) N×1×S×S and `sigma` N; outputs `score` = net/σ and `u` = net. */
export function buildUnetInferenceGraph(cfg: UnetConfig, weights: ReadonlyMap<string, Float32Array>): UnetGraph {
  const tape = new Tape('score_unet', false, weights);
  const S = cfg.size;
  const x = tape.g.input('x', ['n', 1, S, S]);
  const sigma = tape.g.input('sigma', ['n']);
  const sigma4 = tape.node('Reshape', [sigma, tape.ints([-1, 1, 1, 1])]);
  const u = build(cfg, tape, precondition(tape, cfg, x, sigma4), sigma);
  tape.node('Identity', [u], {}, 'u');
  tape.g.output('u', ['n', 1, S, S]);
  tape.node('Div', [u, sigma4], {}, 'score');
  tape.g.output('score', ['n', 1, S, S]);
  return { onnx: tape.g.encode({ opset: 13, producer: 'lensdesk', producerVersion: '0.1.0', docString: 'score U-Net: score(x, sigma)' }), params: tape.params };
}

/** The parameter list without building ONNX (cheap): the training graph's order. */
export function unetParams(cfg: UnetConfig): TapeParam[] {
  return buildUnetTrainingGraph(cfg).params;
}

/** PyTorch-default initial weights (U(±1/√fan_in) for weights and biases, GroupNorm γ = 1, β = 0). */
export function initUnetWeights(params: readonly TapeParam[], uniform: () => number): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const p of params) {
    const n = p.dims.reduce((a, b) => a * b, 1);
    const w = new Float32Array(n);
    if ('constant' in p.init) w.fill(p.init.constant);
    else for (let i = 0; i < n; i++) w[i] = (2 * uniform() - 1) * p.init.uniform;
    out.set(p.name, w);
  }
  return out;
}
