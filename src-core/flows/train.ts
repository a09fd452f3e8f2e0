// Maximum-likelihood training of a RealNVP (./realnvp.ts): minimise the mean negative log-likelihood
// −(1/B) Σ log p(x_b) over minibatches with Adam (Kingma & Ba 2015, arXiv:1412.6980), gradients by the
// hand-written backward pass of ./coupling.ts, global-norm gradient clipping (keeps the first steps, where
// the scale nets are still random, from overshooting) and a cosine learning-rate decay to lr/10.
import { CancelledError, InputError } from '../errors';
import { Rng } from '../rng';
import type { RealNvp, RealNvpConfig } from './realnvp';

export interface RealNvpFitOptions {
  layers?: number;
  hidden?: number;
  steps?: number;
  batch?: number;
  lr?: number;
  seed?: number;
  /** Called after every step with the minibatch's mean NLL (nats per vector). */
  onProgress?: (step: number, nll: number) => void;
  /** An AbortSignal or anything with `aborted` (src-core has no DOM types). */
  signal?: { readonly aborted: boolean };
}


/** Mean NLL over `batch` and its gradient w.r.t. the flow's parameters (written into `g`, zeroed first). */
export function batchNllGrad(flow: RealNvp, batch: readonly Float64Array[], g: Float64Array): number {
  g.fill(0);
  let nll = 0;
  for (const x of batch) nll -= flow.logProbGrad(x, g).logp;
  const inv = 1 / batch.length;
  for (let i = 0; i < g.length; i++) g[i] = g[i]! * inv;
  return nll * inv;
}

export function fitRealNvp(data: Float64Array[], o: RealNvpFitOptions,
  make: (cfg: RealNvpConfig, mean: Float64Array, std: Float64Array, seed: number) => RealNvp): RealNvp {
  if (data.length < 2) throw new InputError('INPUT_INVALID', `RealNVP fit needs at least 2 vectors, got ${data.length}`, { field: 'data' });
  const D = data[0]!.length;
  data.forEach((x, r) => {
    if (x.length !== D) throw new InputError('INPUT_INVALID', `RealNVP fit: vector ${r} has ${x.length} coordinates, vector 0 has ${D}`, { row: r });
    if (!x.every(Number.isFinite)) throw new InputError('INPUT_INVALID', `RealNVP fit: vector ${r} has a non-finite value`, { row: r });
  });
  const seed = o.seed ?? 1, layers = o.layers ?? 8, hidden = o.hidden ?? 32;
  const steps = o.steps ?? 2000, batchSize = Math.min(o.batch ?? 128, data.length), lr0 = o.lr ?? 1e-3;
  const mean = new Float64Array(D), std = new Float64Array(D);
  for (const x of data) for (let i = 0; i < D; i++) mean[i] += x[i]! / data.length;
  for (const x of data) for (let i = 0; i < D; i++) std[i] += (x[i]! - mean[i]!) ** 2 / data.length;
  for (let i = 0; i < D; i++) std[i] = Math.sqrt(std[i]!) || 1; // a constant coordinate keeps unit scale
  const flow = make({ dim: D, hidden, layers }, mean, std, seed);
  initParams(flow, new Rng(seed, 8102));
  const p = flow.params, n = p.length;
  const g = new Float64Array(n), m1 = new Float64Array(n), m2 = new Float64Array(n);
  const b1 = 0.9, b2 = 0.999, eps = 1e-8, clip = 10;
  const rng = new Rng(seed, 8103);
  let order = rng.shuffle(Array.from({ length: data.length }, (_, i) => i)), cursor = 0;
  for (let step = 1; step <= steps; step++) {
    if (o.signal?.aborted) throw new CancelledError('RealNVP training cancelled');
    const batch: Float64Array[] = [];
    while (batch.length < batchSize) {
      if (cursor >= order.length) { order = rng.shuffle(order); cursor = 0; }
      batch.push(data[order[cursor++]!]!);
    }
    const nll = batchNllGrad(flow, batch, g);
    let norm = 0;
    for (let i = 0; i < n; i++) norm += g[i]! * g[i]!;
    norm = Math.sqrt(norm);
    const scale = norm > clip ? clip / norm : 1;
    const lr = lr0 * (0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * (step - 1)) / steps)));
    const c1 = 1 - b1 ** step, c2 = 1 - b2 ** step;
    for (let i = 0; i < n; i++) {
      const gi = g[i]! * scale;
      m1[i] = b1 * m1[i]! + (1 - b1) * gi;
      m2[i] = b2 * m2[i]! + (1 - b2) * gi * gi;
      p[i] -= (lr * (m1[i]! / c1)) / (Math.sqrt(m2[i]! / c2) + eps);
    }
    o.onProgress?.(step, nll);
  }
  return flow;
}

/**
 * Hidden weights ~ N(0, 1/fan-in) (LeCun), biases 0; the output layer starts at zero so every coupling
 * starts as the identity and the untrained flow is the standardised Gaussian; the tanh bound c starts at 1.
 */
function initParams(flow: RealNvp, rng: Rng): void {
  const p = flow.params, D = flow.dim, H = flow.hidden;
  p.fill(0);
  for (const L of flow.layout) {
    const fanIn = Math.max(1, L.mask.reduce((a, v) => a + v, 0));
    for (let i = 0; i < H * D; i++) p[L.w1 + i] = rng.normal() / Math.sqrt(fanIn);
    for (let i = 0; i < H * H; i++) p[L.w2 + i] = rng.normal() / Math.sqrt(H);
    for (let i = 0; i < D; i++) p[L.c + i] = 1;
  }
}

/** Mean NLL (nats per vector) of `data` under `flow`; the constant D/2·log 2π is included. */
export function meanNll(flow: RealNvp, data: readonly Float64Array[]): number {
  let s = 0;
  for (const x of data) s -= flow.logProb(x);
  return s / data.length;
}
