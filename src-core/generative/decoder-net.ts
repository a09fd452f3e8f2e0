// The Flow-VAE decoder g_θ(z) (vae-graph.ts) in plain TypeScript, forward and backward with respect to
// its input z, for the galaxy posterior p(z | x) (Lanusse et al. 2020 §4; deblending-and-generative.md
// §B5). Why not onnxruntime: the samplers of src-core/infer call the log density synchronously, once per
// leapfrog step, one latent vector at a time; a pure, synchronous forward/backward also runs in the
// app's job workers and in src-core tests. The ONNX decoder stays the reference (decoder-net.test.ts
// compares both) and decodes the posterior draws in batches.
//
// Layers (vae-graph.ts `decoder`): Linear(L → c0·b²) → SiLU → reshape c0×b×b, then per level
// (nearest ×2 → conv3 (pad 1) → SiLU), then conv3 → 1 channel. ONNX Conv is a cross-correlation:
//   y[o, r, c] = b[o] + Σ_i Σ_{a,b ∈ 0..2} W[o, i, a, b] · x[i, r + a − 1, c + b − 1]  (zero padding).
// Backward: ∂x[i, r + a − 1, c + b − 1] += W[o, i, a, b] · ∂y[o, r, c] (the transposed correlation);
// SiLU′(u) = s(1 + u(1 − s)), s = sigmoid(u); nearest ×2 upsampling's adjoint sums each 2×2 block.
import { InputError } from '../errors';
import { decoderSide, type VaeConfig } from './vae-graph';

interface ConvLayer {
  /** [co, ci, 3, 3] as in ONNX. */
  w: Float64Array;
  /** The backward's weights: transposed and flipped, [ci, co, 3, 3], wt[i, o, a, b] = w[o, i, 2 − a, 2 − b]. */
  wt: Float64Array;
  b: Float64Array;
  ci: number;
  co: number;
}

export interface DecoderNet {
  readonly latent: number;
  /** Side D of g (pixels of the decoder grid). */
  readonly side: number;
  readonly cfg: VaeConfig;
  readonly linW: Float64Array;
  readonly linB: Float64Array;
  readonly convs: readonly ConvLayer[];
}

/**
 * Activations kept by `decoderForward` for `decoderBackward` (reused between calls: no allocation).
 * Every conv input is stored with a one-pixel zero border ((s+2)² per channel), so the 3×3 correlation
 * needs no bounds checks: forward reads padded activations, backward reads padded gradients.
 */
export interface DecoderCache {
  /** Pre-activation of the linear layer (c0·b²). */
  u0: Float64Array;
  /** Per level: upsampled input (ci, padded) and the conv's pre-activation (co×s×s). */
  up: Float64Array[];
  pre: Float64Array[];
  /** Input of the output conv (last level's activation, padded) and g itself (D×D). */
  last: Float64Array;
  g: Float64Array;
  /** Backward buffers: d.pre and d.g padded (they feed transposed convs), d.up, d.last and d.u0 not. */
  d: { u0: Float64Array; up: Float64Array[]; pre: Float64Array[]; last: Float64Array; g: Float64Array };
}

function weight(weights: ReadonlyMap<string, Float32Array>, name: string, n: number): Float64Array {
  const w = weights.get(name);
  if (!w || w.length !== n) throw new InputError('FLOWVAE_WEIGHTS', `Flow-VAE decoder weight ${name}: expected ${n} values, got ${w?.length ?? 'none'}`, { field: name });
  return Float64Array.from(w);
}

function convLayer(w: Float64Array, b: Float64Array, ci: number, co: number): ConvLayer {
  const wt = new Float64Array(w.length);
  for (let o = 0; o < co; o++) for (let i = 0; i < ci; i++) for (let k = 0; k < 9; k++) wt[(i * co + o) * 9 + 8 - k] = w[(o * ci + i) * 9 + k]!;
  return { w, wt, b, ci, co };
}

export function makeDecoderNet(cfg: VaeConfig, weights: ReadonlyMap<string, Float32Array>): DecoderNet {
  const b = cfg.size / 8, L = cfg.latent, c0 = cfg.dec[0]!;
  const convs: ConvLayer[] = [];
  let c = c0;
  cfg.dec.forEach((w, i) => {
    convs.push(convLayer(weight(weights, `dec.c${i}.weight`, w * c * 9), weight(weights, `dec.c${i}.bias`, w), c, w));
    c = w;
  });
  convs.push(convLayer(weight(weights, 'dec.out.weight', c * 9), weight(weights, 'dec.out.bias', 1), c, 1));
  return { latent: L, side: decoderSide(cfg), cfg, linW: weight(weights, 'dec.in.weight', c0 * b * b * L), linB: weight(weights, 'dec.in.bias', c0 * b * b), convs };
}

export function makeDecoderCache(net: DecoderNet): DecoderCache {
  const b = net.cfg.size / 8, up: Float64Array[] = [], pre: Float64Array[] = [], dUp: Float64Array[] = [], dPre: Float64Array[] = [];
  let s = b;
  for (let i = 0; i < net.convs.length - 1; i++) {
    s *= 2;
    const { ci, co } = net.convs[i]!;
    up.push(new Float64Array(ci * (s + 2) ** 2));
    pre.push(new Float64Array(co * s * s));
    dUp.push(new Float64Array(ci * s * s));
    dPre.push(new Float64Array(co * (s + 2) ** 2));
  }
  const cl = net.convs.at(-1)!.ci, u0 = net.cfg.dec[0]! * b * b;
  return {
    u0: new Float64Array(u0), up, pre, last: new Float64Array(cl * (s + 2) ** 2), g: new Float64Array(s * s),
    d: { u0: new Float64Array(u0), up: dUp, pre: dPre, last: new Float64Array(cl * s * s), g: new Float64Array((s + 2) ** 2) },
  };
}

const sigmoid = (u: number) => 1 / (1 + Math.exp(-u));

/**
 * y[o] (+)= Σ_i x[i] ⋆ w[o, i] for co output planes (s×s) from ci padded input planes ((s+2)²):
 * y[o, r, c] = Σ_{a,b} w[o, i, a, b] · xp[i, r + a, c + b]. Nine taps per pass over a row.
 */
function corr3(xp: Float64Array, ci: number, w: Float64Array, bias: Float64Array | null, co: number, s: number, y: Float64Array): void {
  const n = s * s, P = s + 2, pn = P * P;
  for (let o = 0; o < co; o++) {
    const yo = o * n;
    y.fill(bias ? bias[o]! : 0, yo, yo + n);
    for (let i = 0; i < ci; i++) {
      const k = (o * ci + i) * 9;
      const w0 = w[k]!, w1 = w[k + 1]!, w2 = w[k + 2]!, w3 = w[k + 3]!, w4 = w[k + 4]!, w5 = w[k + 5]!, w6 = w[k + 6]!, w7 = w[k + 7]!, w8 = w[k + 8]!;
      for (let r = 0; r < s; r++) {
        const yr = yo + r * s, x0 = i * pn + r * P, x1 = x0 + P, x2 = x1 + P;
        for (let c = 0; c < s; c++) {
          y[yr + c] += w0 * xp[x0 + c]! + w1 * xp[x0 + c + 1]! + w2 * xp[x0 + c + 2]!
            + w3 * xp[x1 + c]! + w4 * xp[x1 + c + 1]! + w5 * xp[x1 + c + 2]!
            + w6 * xp[x2 + c]! + w7 * xp[x2 + c + 1]! + w8 * xp[x2 + c + 2]!;
        }
      }
    }
  }
}

/** Writes SiLU(u) of a c×s×s pre-activation, upsampled ×2 (nearest), into padded planes ((2s+2)²). */
function siluUpsample(u: Float64Array, c: number, s: number, out: Float64Array): void {
  const P = 2 * s + 2;
  for (let k = 0; k < c; k++)
    for (let r = 0; r < s; r++)
      for (let q = 0; q < s; q++) {
        const v = u[(k * s + r) * s + q]!, a = v * sigmoid(v), o = k * P * P + (2 * r + 1) * P + 2 * q + 1;
        out[o] = a;
        out[o + 1] = a;
        out[o + P] = a;
        out[o + P + 1] = a;
      }
}

/** Adjoint of siluUpsample: du = SiLU′(u) · (sum of each 2×2 block of dOut (c×2s×2s)); du padded if `pad`. */
function siluUpsampleBack(dOut: Float64Array, u: Float64Array, c: number, s: number, du: Float64Array, pad: boolean): void {
  const t = 2 * s, P = pad ? s + 2 : s, off = pad ? 1 : 0;
  for (let k = 0; k < c; k++)
    for (let r = 0; r < s; r++)
      for (let q = 0; q < s; q++) {
        const i = (k * s + r) * s + q, o = (k * t + 2 * r) * t + 2 * q, v = u[i]!, sg = sigmoid(v);
        du[k * P * P + (r + off) * P + q + off] = (dOut[o]! + dOut[o + 1]! + dOut[o + t]! + dOut[o + t + 1]!) * sg * (1 + v * (1 - sg));
      }
}

/** g_θ(z) (D×D, fluxScale units per stamp-pixel area) into cache.g; returns cache.g. */
export function decoderForward(net: DecoderNet, z: ArrayLike<number>, cache: DecoderCache): Float64Array {
  const L = net.latent, nOut = net.linB.length;
  for (let j = 0; j < nOut; j++) {
    let v = net.linB[j]!;
    for (let k = 0; k < L; k++) v += net.linW[j * L + k]! * z[k]!;
    cache.u0[j] = v;
  }
  let s = net.cfg.size / 8, u = cache.u0, c = net.cfg.dec[0]!;
  const levels = net.convs.length - 1;
  for (let i = 0; i < levels; i++) {
    siluUpsample(u, c, s, cache.up[i]!);
    s *= 2;
    const l = net.convs[i]!;
    corr3(cache.up[i]!, l.ci, l.w, l.b, l.co, s, cache.pre[i]!);
    u = cache.pre[i]!;
    c = l.co;
  }
  const P = s + 2;
  for (let k = 0; k < c; k++)
    for (let r = 0; r < s; r++)
      for (let q = 0; q < s; q++) {
        const v = u[(k * s + r) * s + q]!;
        cache.last[k * P * P + (r + 1) * P + q + 1] = v * sigmoid(v);
      }
  const out = net.convs[levels]!;
  corr3(cache.last, out.ci, out.w, out.b, 1, s, cache.g);
  return cache.g;
}

/** ∂/∂z of Σ dG · g(z) (dG: D×D) at the z of the last `decoderForward` on this cache. */
export function decoderBackward(net: DecoderNet, cache: DecoderCache, dG: ArrayLike<number>): Float64Array {
  const levels = net.convs.length - 1, d = cache.d;
  let s = net.side;
  const P = s + 2;
  for (let r = 0; r < s; r++) for (let q = 0; q < s; q++) d.g[(r + 1) * P + q + 1] = dG[r * s + q]!;
  const out = net.convs[levels]!;
  corr3(d.g, 1, out.wt, null, out.ci, s, d.last);
  // through the last SiLU: dPre = dLast · SiLU′(pre), into padded planes
  const pl = cache.pre[levels - 1]!, dl = d.pre[levels - 1]!;
  for (let k = 0; k < out.ci; k++)
    for (let r = 0; r < s; r++)
      for (let q = 0; q < s; q++) {
        const j = (k * s + r) * s + q, v = pl[j]!, sg = sigmoid(v);
        dl[k * P * P + (r + 1) * P + q + 1] = d.last[j]! * sg * (1 + v * (1 - sg));
      }
  for (let i = levels - 1; i >= 0; i--) {
    const l = net.convs[i]!;
    corr3(d.pre[i]!, l.co, l.wt, null, l.ci, s, d.up[i]!);
    s /= 2;
    siluUpsampleBack(d.up[i]!, i === 0 ? cache.u0 : cache.pre[i - 1]!, l.ci, s, i === 0 ? d.u0 : d.pre[i - 1]!, i !== 0);
  }
  const L = net.latent, dz = new Float64Array(L);
  for (let j = 0; j < net.linB.length; j++) {
    const v = d.u0[j]!;
    if (v !== 0) for (let k = 0; k < L; k++) dz[k] += net.linW[j * L + k]! * v;
  }
  return dz;
}
