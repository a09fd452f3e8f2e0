// Affine coupling layers of RealNVP (Dinh, Sohl-Dickstein & Bengio 2017, arXiv:1605.08803, §3.3–3.5):
//   y_m = x_m,   y_¬m = x_¬m ⊙ exp(s(x_m)) + t(x_m),   log|det ∂y/∂x| = Σ_{i∉m} s_i(x_m).
// s and t come from one small MLP (D → H → H → 2D, tanh hidden units) that sees only the masked
// ("conditioning") coordinates, so the Jacobian is triangular and its determinant exact. The log-scale
// is bounded, s = c ⊙ tanh(raw), with a learned per-dimension c (the paper's "scale · tanh" trick,
// §4.1) so one step of training cannot blow a coordinate up by e^{large}.
// Everything is written out by hand (forward with a cache, and the reverse-mode backward) on flat
// Float64Arrays: one parameter vector for the whole flow, so Adam is one loop.

/** Shape of one coupling layer's parameter block inside the flat parameter vector. */
export interface LayerLayout {
  /** 1 where the coordinate conditions the layer (passes through), 0 where it is transformed. */
  mask: Uint8Array;
  off: number;
  w1: number; b1: number; w2: number; b2: number; w3: number; b3: number; c: number;
  size: number;
}

export function layerLayout(dim: number, hidden: number, mask: Uint8Array, off: number): LayerLayout {
  const D = dim, H = hidden;
  const w1 = off, b1 = w1 + H * D, w2 = b1 + H, b2 = w2 + H * H, w3 = b2 + H, b3 = w3 + 2 * D * H, c = b3 + 2 * D;
  return { mask, off, w1, b1, w2, b2, w3, b3, c, size: c + D - off };
}

/** Activations of one layer kept for the backward pass. */
export interface LayerCache { x: Float64Array; h1: Float64Array; h2: Float64Array; th: Float64Array; s: Float64Array }

/** MLP of the layer on the masked input; returns (h1, h2, th = tanh(raw_s), s, t). */
function net(p: Float64Array, L: LayerLayout, D: number, H: number, x: Float64Array) {
  const m = L.mask;
  const h1 = new Float64Array(H), h2 = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    let a = p[L.b1 + j]!;
    const row = L.w1 + j * D;
    for (let i = 0; i < D; i++) if (m[i]) a += p[row + i]! * x[i]!;
    h1[j] = Math.tanh(a);
  }
  for (let j = 0; j < H; j++) {
    let a = p[L.b2 + j]!;
    const row = L.w2 + j * H;
    for (let k = 0; k < H; k++) a += p[row + k]! * h1[k]!;
    h2[j] = Math.tanh(a);
  }
  const th = new Float64Array(D), s = new Float64Array(D), t = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    if (m[i]) continue;
    let rs = p[L.b3 + i]!, rt = p[L.b3 + D + i]!;
    const rowS = L.w3 + i * H, rowT = L.w3 + (D + i) * H;
    for (let k = 0; k < H; k++) { rs += p[rowS + k]! * h2[k]!; rt += p[rowT + k]! * h2[k]!; }
    th[i] = Math.tanh(rs);
    s[i] = p[L.c + i]! * th[i]!;
    t[i] = rt;
  }
  return { h1, h2, th, s, t };
}

/** x → y for one layer; adds the log-determinant to `acc.logdet`; fills `cache` when given. */
export function couplingForward(p: Float64Array, L: LayerLayout, D: number, H: number, x: Float64Array,
  acc: { logdet: number }, cache?: LayerCache[]): Float64Array {
  const { h1, h2, th, s, t } = net(p, L, D, H, x);
  const y = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    if (L.mask[i]) y[i] = x[i]!;
    else { y[i] = x[i]! * Math.exp(s[i]!) + t[i]!; acc.logdet += s[i]!; }
  }
  cache?.push({ x, h1, h2, th, s });
  return y;
}

/** y → x for one layer (the exact inverse: the conditioning half is unchanged, so s, t are recomputed). */
export function couplingInverse(p: Float64Array, L: LayerLayout, D: number, H: number, y: Float64Array): Float64Array {
  const { s, t } = net(p, L, D, H, y);
  const x = new Float64Array(D);
  for (let i = 0; i < D; i++) x[i] = L.mask[i] ? y[i]! : (y[i]! - t[i]!) * Math.exp(-s[i]!);
  return x;
}

/**
 * Backward through one layer of the loss ℓ = ½‖z‖² − Σ log-dets (the negative log-density up to a
 * constant). `gy` = ∂ℓ/∂y on entry; returns ∂ℓ/∂x and accumulates ∂ℓ/∂θ into `g`. The −1 per
 * transformed coordinate is the log-det term's own derivative ∂(−s_i)/∂s_i.
 */
export function couplingBackward(p: Float64Array, g: Float64Array, L: LayerLayout, D: number, H: number,
  c: LayerCache, gy: Float64Array): Float64Array {
  const m = L.mask, { x, h1, h2, th, s } = c;
  const gx = new Float64Array(D);
  const gRawS = new Float64Array(D), gT = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    if (m[i]) { gx[i] = gy[i]!; continue; }
    const e = Math.exp(s[i]!);
    gx[i] = gy[i]! * e;
    const gs = gy[i]! * x[i]! * e - 1;
    gT[i] = gy[i]!;
    g[L.c + i] += gs * th[i]!;
    gRawS[i] = gs * p[L.c + i]! * (1 - th[i]! * th[i]!);
  }
  const gh2 = new Float64Array(H);
  for (let i = 0; i < D; i++) {
    if (m[i]) continue;
    const rowS = L.w3 + i * H, rowT = L.w3 + (D + i) * H, a = gRawS[i]!, b = gT[i]!;
    g[L.b3 + i] += a;
    g[L.b3 + D + i] += b;
    for (let k = 0; k < H; k++) {
      g[rowS + k] += a * h2[k]!;
      g[rowT + k] += b * h2[k]!;
      gh2[k] += a * p[rowS + k]! + b * p[rowT + k]!;
    }
  }
  const gh1 = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    const ga = gh2[j]! * (1 - h2[j]! * h2[j]!);
    if (ga === 0) continue;
    g[L.b2 + j] += ga;
    const row = L.w2 + j * H;
    for (let k = 0; k < H; k++) { g[row + k] += ga * h1[k]!; gh1[k] += ga * p[row + k]!; }
  }
  for (let j = 0; j < H; j++) {
    const ga = gh1[j]! * (1 - h1[j]! * h1[j]!);
    if (ga === 0) continue;
    g[L.b1 + j] += ga;
    const row = L.w1 + j * D;
    for (let i = 0; i < D; i++) {
      if (!m[i]) continue;
      g[row + i] += ga * x[i]!;
      gx[i] += ga * p[row + i]!;
    }
  }
  return gx;
}
