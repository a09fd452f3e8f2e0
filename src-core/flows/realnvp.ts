// RealNVP normalizing flow (Dinh, Sohl-Dickstein & Bengio 2017, arXiv:1605.08803) for low-dimensional
// vectors (PCA coefficients of galaxy stamps, a VAE's latent): an exact density by change of variables,
//   log p(x) = log N(f(x); 0, I) + log|det ∂f/∂x|,
// with f = f_L ∘ … ∘ f_1 ∘ standardise. The standardisation u = (x − μ)/σ (μ, σ fixed from the training
// data) contributes −Σ log σ_i; each affine coupling layer (./coupling.ts) contributes Σ s_i. Masks
// alternate within a pair of layers (one half, then its complement), and each pair splits the coordinates
// by its own fixed random permutation (pair 0: even/odd), so every coordinate is transformed and every
// pair of coordinates can condition each other after a few layers.
import { InputError } from '../errors';
import { Rng } from '../rng';
import { couplingForward, couplingInverse, couplingBackward, layerLayout, type LayerCache, type LayerLayout } from './coupling';
import { fitRealNvp, type RealNvpFitOptions } from './train';

const LOG_2PI = Math.log(2 * Math.PI);

export interface RealNvpConfig { dim: number; hidden: number; layers: number }

/** The masks of `layers` coupling layers over `dim` coordinates (see the header). */
export function defaultMasks(dim: number, layers: number, seed: number): Uint8Array[] {
  const rng = new Rng(seed, 8101);
  const masks: Uint8Array[] = [];
  let order = Array.from({ length: dim }, (_, i) => i);
  for (let l = 0; l < layers; l++) {
    if (l % 2 === 0 && l > 0) order = rng.shuffle([...order]);
    const m = new Uint8Array(dim);
    const half = Math.floor(dim / 2);
    if (l < 2) for (let i = 0; i < dim; i++) m[i] = (i % 2 === 0) === (l % 2 === 0) ? 1 : 0;
    else for (let r = 0; r < dim; r++) m[order[r]!] = (r < half) === (l % 2 === 0) ? 1 : 0;
    masks.push(m);
  }
  return masks;
}

export class RealNvp {
  readonly dim: number;
  readonly hidden: number;
  /** Flat parameter vector (all layers); mutated in place by training. */
  readonly params: Float64Array;
  readonly mean: Float64Array;
  readonly std: Float64Array;
  readonly layout: LayerLayout[];

  constructor(cfg: RealNvpConfig, masks: Uint8Array[], mean: Float64Array, std: Float64Array, params?: Float64Array) {
    if (!(cfg.dim >= 1) || !(cfg.hidden >= 1) || masks.length !== cfg.layers) {
      throw new InputError('INPUT_INVALID', `RealNVP config invalid: dim ${cfg.dim}, hidden ${cfg.hidden}, ${masks.length} masks for ${cfg.layers} layers`);
    }
    this.dim = cfg.dim;
    this.hidden = cfg.hidden;
    this.mean = mean;
    this.std = std;
    let off = 0;
    this.layout = masks.map((m) => { const L = layerLayout(cfg.dim, cfg.hidden, m, off); off += L.size; return L; });
    if (params && params.length !== off) throw new InputError('INPUT_INVALID', `RealNVP params: ${params.length} numbers, expected ${off}`, { field: 'params' });
    this.params = params ?? new Float64Array(off);
  }

  get layers(): number { return this.layout.length; }

  /** −Σ log σ_i: log-determinant of the fixed standardisation. */
  private stdLogDet(): number {
    let s = 0;
    for (let i = 0; i < this.dim; i++) s -= Math.log(this.std[i]!);
    return s;
  }

  /** x → z with the total log|det|; `cache` collects per-layer activations for backprop. */
  forward(x: Float64Array, cache?: LayerCache[]): { z: Float64Array; logdet: number } {
    if (x.length !== this.dim) throw new InputError('INPUT_INVALID', `RealNVP input has ${x.length} coordinates, the flow has ${this.dim}`);
    let u: Float64Array = new Float64Array(this.dim);
    for (let i = 0; i < this.dim; i++) u[i] = (x[i]! - this.mean[i]!) / this.std[i]!;
    const acc = { logdet: this.stdLogDet() };
    for (const L of this.layout) u = couplingForward(this.params, L, this.dim, this.hidden, u, acc, cache);
    return { z: u, logdet: acc.logdet };
  }

  /** z → x, the exact inverse of `forward`. */
  inverse(z: Float64Array): Float64Array {
    let u: Float64Array = Float64Array.from(z);
    for (let l = this.layout.length - 1; l >= 0; l--) u = couplingInverse(this.params, this.layout[l]!, this.dim, this.hidden, u);
    for (let i = 0; i < this.dim; i++) u[i] = u[i]! * this.std[i]! + this.mean[i]!;
    return u;
  }

  /** Exact log-density (nats) of x under the flow. */
  logProb(x: Float64Array): number {
    const { z, logdet } = this.forward(x);
    let q = 0;
    for (let i = 0; i < this.dim; i++) q += z[i]! * z[i]!;
    return -0.5 * q - 0.5 * this.dim * LOG_2PI + logdet;
  }

  /**
   * log p(x) and ∇ₓ log p(x) (for MAP steps or HMC in a latent space). When `gParams` is given, it
   * also accumulates ∂(−log p)/∂θ into it (what training uses).
   */
  logProbGrad(x: Float64Array, gParams?: Float64Array): { logp: number; grad: Float64Array } {
    const cache: LayerCache[] = [];
    const { z, logdet } = this.forward(x, cache);
    let q = 0;
    for (let i = 0; i < this.dim; i++) q += z[i]! * z[i]!;
    const g = gParams ?? new Float64Array(this.params.length);
    let gu: Float64Array = Float64Array.from(z); // ∂(½‖z‖²)/∂z
    for (let l = this.layout.length - 1; l >= 0; l--) gu = couplingBackward(this.params, g, this.layout[l]!, this.dim, this.hidden, cache[l]!, gu);
    const grad = new Float64Array(this.dim);
    for (let i = 0; i < this.dim; i++) grad[i] = -gu[i]! / this.std[i]!;
    return { logp: -0.5 * q - 0.5 * this.dim * LOG_2PI + logdet, grad };
  }

  sample(rng: Rng): Float64Array {
    const z = new Float64Array(this.dim);
    for (let i = 0; i < this.dim; i++) z[i] = rng.normal();
    return this.inverse(z);
  }

  toJSON(): unknown {
    return {
      kind: 'realnvp', version: 1, dim: this.dim, hidden: this.hidden, layers: this.layers,
      masks: this.layout.map((L) => Array.from(L.mask)),
      mean: Array.from(this.mean), std: Array.from(this.std), params: Array.from(this.params),
    };
  }

  static fromJSON(j: unknown): RealNvp {
    const o = (j ?? {}) as Record<string, unknown>;
    if (o.kind !== 'realnvp') throw new InputError('INPUT_INVALID', `not a RealNVP model: kind is ${JSON.stringify(o.kind)}, expected "realnvp"`, { field: 'kind' });
    const num = (k: string): number => {
      const v = o[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new InputError('INPUT_INVALID', `RealNVP JSON: field "${k}" must be a positive integer`, { field: k });
      return v;
    };
    const arr = (k: string, n?: number): Float64Array => {
      const v = o[k];
      if (!Array.isArray(v) || (n !== undefined && v.length !== n) || !v.every((e) => typeof e === 'number' && Number.isFinite(e))) {
        throw new InputError('INPUT_INVALID', `RealNVP JSON: field "${k}" must be an array of ${n ?? 'some'} finite numbers`, { field: k });
      }
      return Float64Array.from(v as number[]);
    };
    const dim = num('dim'), hidden = num('hidden'), layers = num('layers');
    const m = o.masks;
    if (!Array.isArray(m) || m.length !== layers || !m.every((r) => Array.isArray(r) && r.length === dim)) {
      throw new InputError('INPUT_INVALID', `RealNVP JSON: field "masks" must be ${layers} arrays of ${dim} 0/1 values`, { field: 'masks' });
    }
    const masks = m.map((r) => Uint8Array.from(r as number[], (v) => (v ? 1 : 0)));
    const std = arr('std', dim);
    if (!std.every((v) => v > 0)) throw new InputError('INPUT_INVALID', 'RealNVP JSON: field "std" must be positive', { field: 'std' });
    return new RealNvp({ dim, hidden, layers }, masks, arr('mean', dim), std, arr('params'));
  }

  /** Maximum-likelihood fit with Adam (./train.ts). */
  static fit(data: Float64Array[], opts: RealNvpFitOptions = {}): RealNvp {
    return fitRealNvp(data, opts, (cfg, mean, std, seed) => new RealNvp(cfg, defaultMasks(cfg.dim, cfg.layers, seed), mean, std));
  }
}
