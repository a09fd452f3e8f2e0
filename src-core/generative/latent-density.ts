// The Flow-VAE's second stage (deblending-and-generative.md §B3): a density fitted by maximum
// likelihood to the encoder means z_i = μ_φ(x_i). Any model with this shape plugs in; the saved JSON
// carries a `kind` so a folder names its own density. Implemented here: a full-covariance Gaussian
// (the maximum-likelihood fit is the sample mean and covariance); the RealNVP of src-core/flows is
// registered below as kind 'realnvp'.
import { InputError } from '../errors';
import { choleskyOrNull } from '../infer/linalg';
import { RealNvp } from '../flows/realnvp';
import { zigguratNormal } from '../lens/ziggurat';
import type { Rng } from '../rng';

export interface LatentDensity {
  readonly dim: number;
  logProb(z: Float64Array): number;
  sample(rng: Rng): Float64Array;
  toJSON(): unknown;
}

type FromJson = (j: unknown) => LatentDensity;
const kinds = new Map<string, FromJson>();

/** Makes `latentDensityFromJSON` understand a saved density whose JSON has `kind: kind`. */
export function registerLatentDensityKind(kind: string, fromJSON: FromJson): void {
  kinds.set(kind, fromJSON);
}

/** Rebuilds a saved density from its JSON, by its `kind` field. `where` names the file in errors. */
export function latentDensityFromJSON(j: unknown, where = 'latent density'): LatentDensity {
  const kind = (j as { kind?: unknown } | null)?.kind;
  const f = typeof kind === 'string' ? kinds.get(kind) : undefined;
  if (!f) throw new InputError('LATENT_DENSITY_KIND', `${where}: unknown latent density kind '${String(kind)}' (known: ${[...kinds.keys()].join(', ')})`, { where, kind: String(kind) });
  return f(j);
}


export interface GaussianDensityJson {
  kind: 'gaussian';
  dim: number;
  mean: number[];
  /** Lower Cholesky factor of the covariance, row-major. */
  chol: number[];
}

export class GaussianDensity implements LatentDensity {
  readonly dim: number;
  private readonly logNorm: number;

  constructor(readonly mean: Float64Array, readonly chol: Float64Array) {
    this.dim = mean.length;
    if (chol.length !== this.dim * this.dim) throw new Error(`Gaussian density: ${chol.length} Cholesky entries for dim ${this.dim}`);
    let logDet = 0;
    for (let i = 0; i < this.dim; i++) logDet += Math.log(chol[i * this.dim + i]!);
    this.logNorm = -0.5 * this.dim * Math.log(2 * Math.PI) - logDet;
  }

  /** Maximum-likelihood fit (mean, covariance with divisor n), plus `ridge` on the diagonal. */
  static fit(data: readonly Float64Array[], opts: { ridge?: number } = {}): GaussianDensity {
    const n = data.length;
    if (n < 2) throw new InputError('LATENT_FIT', `a Gaussian latent density needs ≥ 2 codes, got ${n}`, { count: n });
    const d = data[0]!.length;
    const mean = new Float64Array(d);
    for (const z of data) for (let i = 0; i < d; i++) mean[i] = mean[i]! + z[i]! / n;
    const cov = new Float64Array(d * d);
    for (const z of data)
      for (let i = 0; i < d; i++) {
        const a = z[i]! - mean[i]!;
        for (let j = 0; j <= i; j++) cov[i * d + j] = cov[i * d + j]! + (a * (z[j]! - mean[j]!)) / n;
      }
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) cov[j * d + i] = cov[i * d + j]!;
    const ridge = opts.ridge ?? 1e-6;
    for (let i = 0; i < d; i++) cov[i * d + i] = cov[i * d + i]! + ridge;
    const chol = choleskyOrNull(cov, d);
    if (!chol) throw new InputError('LATENT_FIT', 'latent codes have a singular covariance (all codes equal?)', { dim: d });
    return new GaussianDensity(mean, chol);
  }

  static fromJSON(j: unknown): GaussianDensity {
    const g = j as GaussianDensityJson;
    if (g?.kind !== 'gaussian' || !Array.isArray(g.mean) || !Array.isArray(g.chol) || g.chol.length !== g.mean.length ** 2) throw new InputError('LATENT_DENSITY_JSON', 'not a Gaussian latent density (kind, mean, chol)', {});
    return new GaussianDensity(Float64Array.from(g.mean), Float64Array.from(g.chol));
  }

  logProb(z: Float64Array): number {
    // solve L u = z − μ; log N = logNorm − ½‖u‖²
    const d = this.dim, u = new Float64Array(d);
    let q = 0;
    for (let i = 0; i < d; i++) {
      let s = z[i]! - this.mean[i]!;
      for (let k = 0; k < i; k++) s -= this.chol[i * d + k]! * u[k]!;
      u[i] = s / this.chol[i * d + i]!;
      q += u[i]! * u[i]!;
    }
    return this.logNorm - 0.5 * q;
  }

  sample(rng: Rng): Float64Array {
    const d = this.dim, e = Float64Array.from({ length: d }, () => zigguratNormal(rng)), z = Float64Array.from(this.mean);
    for (let i = 0; i < d; i++) for (let k = 0; k <= i; k++) z[i] = z[i]! + this.chol[i * d + k]! * e[k]!;
    return z;
  }

  toJSON(): GaussianDensityJson {
    return { kind: 'gaussian', dim: this.dim, mean: Array.from(this.mean), chol: Array.from(this.chol) };
  }
}

registerLatentDensityKind('gaussian', GaussianDensity.fromJSON);

registerLatentDensityKind('realnvp', (j) => RealNvp.fromJSON(j));
