// The log posterior of a Flow-VAE latent code given one stamp (deblending-and-generative.md §B5;
// Lanusse et al. 2020 §4): log p(z | x) = log p(x | z) + log p(z) + const, with exactly the training
// likelihood (vae-graph.ts, §B1)
//   x ~ N(m(z), Σ),  m(z) = P(Π ∗ g_θ(z))  ('psf' model: decoder at half the stamp pixel, the stamp's
//   PSF Π on that grid, P the 2×2 average),  m(z) = g_θ(z)  ('plain' model),
//   log p(x | z) = −½ Σ_pix w (x − m)²  (w = 1/σ² per pixel, 0 = masked; constant dropped),
// and the prior p(z) the model's fitted latent density (Gaussian or RealNVP). Everything in fluxScale
// units, as in training. Gradient: ∂/∂m = w(x − m); ∂/∂g = Π ⋆ P*(w(x − m)) (P* spreads each pixel
// over its 2×2 block /4; ⋆ is the correlation, the adjoint of the convolution); then the decoder's
// backward (decoder-net.ts); plus ∇ log p(z) (latentLogProbGrad).
import { InputError } from '../errors';
import type { LogDensityAndGrad } from '../infer/types';
import { RealNvp } from '../flows/realnvp';
import { decoderBackward, decoderForward, makeDecoderCache, type DecoderNet } from './decoder-net';
import { GaussianDensity, type LatentDensity } from './latent-density';

/** One stamp ready for the likelihood, in the model's flux units (stamp / fluxScale). */
export interface GalaxyObservation {
  /** S×S stamp / fluxScale. */
  x: Float64Array;
  /** S×S inverse variance in (fluxScale units)⁻²; 0 = masked. */
  w: Float64Array;
  /** K×K unit-sum PSF on the decoder grid ('psf' models; ignored by 'plain'). */
  psf: Float64Array;
  psfSize: number;
}

/** log p(z) and ∇ log p(z) for the latent densities LensDesk saves (Gaussian, RealNVP). */
export function latentLogProbGrad(d: LatentDensity, z: Float64Array, grad: Float64Array): number {
  if (d instanceof GaussianDensity) {
    // log N(z; μ, LLᵀ) = c − ½‖u‖², L u = z − μ;  ∇ = −L⁻ᵀ u
    const n = d.dim, L = d.chol, u = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = z[i]! - d.mean[i]!;
      for (let k = 0; k < i; k++) s -= L[i * n + k]! * u[k]!;
      u[i] = s / L[i * n + i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = u[i]!;
      for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * grad[k]!;
      grad[i] = s / L[i * n + i]!;
    }
    for (let i = 0; i < n; i++) grad[i] = -grad[i]!;
    return d.logProb(z);
  }
  if (d instanceof RealNvp) {
    const { logp, grad: g } = d.logProbGrad(z);
    grad.set(g);
    return logp;
  }
  const withGrad = d as LatentDensity & { logProbGrad?: (z: Float64Array) => { logp: number; grad: Float64Array } };
  if (typeof withGrad.logProbGrad === 'function') {
    const { logp, grad: g } = withGrad.logProbGrad(z);
    grad.set(g);
    return logp;
  }
  throw new InputError('LATENT_DENSITY_GRAD', 'the latent density has no gradient (logProbGrad): the galaxy posterior needs one', {});
}

/**
 * P(Π ∗ ·) as one strided convolution: m[r, c] = ¼ Σ_{i,j ∈ {0,1}} (Π ∗ g)[2r + i, 2c + j]
 *   = Σ_{u,v} B[u, v] g[2r − u, 2c − v],  B[u, v] = ¼ Σ_{i,j} Π[u + i, v + j]  (u, v ∈ −h−1 … h),
 * i.e. the PSF convolved with the 2×2 pixel box, evaluated on the stamp grid only (4× fewer products
 * than convolving on the decoder grid and averaging). B is (K+1)² with its origin at index h + 1.
 */
export function pixelisedKernel(psf: ArrayLike<number>, K: number): Float64Array {
  const h = (K - 1) / 2, B = K + 1, out = new Float64Array(B * B);
  const at = (a: number, b: number) => (a < -h || a > h || b < -h || b > h ? 0 : psf[(a + h) * K + b + h]!);
  for (let u = -h - 1; u <= h; u++)
    for (let v = -h - 1; v <= h; v++) out[(u + h + 1) * B + v + h + 1] = (at(u, v) + at(u + 1, v) + at(u, v + 1) + at(u + 1, v + 1)) / 4;
  return out;
}

/** m (S×S) = Σ B[u, v] g[2r − u, 2c − v] (zero outside the D×D grid, D = 2S). */
function stridedForward(g: Float64Array, D: number, B: Float64Array, K: number, m: Float64Array): void {
  const S = D / 2, h = (K - 1) / 2, W = K + 1;
  for (let r = 0; r < S; r++)
    for (let c = 0; c < S; c++) {
      let acc = 0;
      const u0 = Math.max(-h - 1, 2 * r - D + 1), u1 = Math.min(h, 2 * r), v0 = Math.max(-h - 1, 2 * c - D + 1), v1 = Math.min(h, 2 * c);
      for (let u = u0; u <= u1; u++) {
        const br = (u + h + 1) * W + h + 1, gr = (2 * r - u) * D + 2 * c;
        for (let v = v0; v <= v1; v++) acc += B[br + v]! * g[gr - v]!;
      }
      m[r * S + c] = acc;
    }
}

/** The adjoint: dg[2r − u, 2c − v] += B[u, v] dm[r, c] (overwrites dg). */
function stridedAdjoint(dm: Float64Array, D: number, B: Float64Array, K: number, dg: Float64Array): void {
  const S = D / 2, h = (K - 1) / 2, W = K + 1;
  dg.fill(0);
  for (let r = 0; r < S; r++)
    for (let c = 0; c < S; c++) {
      const d = dm[r * S + c]!;
      if (d === 0) continue;
      const u0 = Math.max(-h - 1, 2 * r - D + 1), u1 = Math.min(h, 2 * r), v0 = Math.max(-h - 1, 2 * c - D + 1), v1 = Math.min(h, 2 * c);
      for (let u = u0; u <= u1; u++) {
        const br = (u + h + 1) * W + h + 1, gr = (2 * r - u) * D + 2 * c;
        for (let v = v0; v <= v1; v++) dg[gr - v] += B[br + v]! * d;
      }
    }
}

export interface GalaxyPosteriorDensity {
  /** log p(z | x) + const and its gradient, for the samplers (src-core/infer). */
  logDensity: LogDensityAndGrad;
  /** m(z): the noiseless model of the stamp (S×S, fluxScale units). */
  model(z: ArrayLike<number>): Float64Array;
  /** g_θ(z): the PSF-free galaxy on the decoder grid (D×D, fluxScale units per stamp-pixel area). */
  decode(z: ArrayLike<number>): Float64Array;
  /** −½χ² of the stamp at z. */
  logLikelihood(z: ArrayLike<number>): number;
}

export function galaxyPosteriorDensity(net: DecoderNet, density: LatentDensity, obs: GalaxyObservation): GalaxyPosteriorDensity {
  const S = net.cfg.size, D = net.side, psfModel = net.cfg.likelihood === 'psf';
  if (obs.x.length !== S * S || obs.w.length !== S * S) throw new InputError('FLOWVAE_STAMP', `stamp has ${obs.x.length} pixels, the model needs ${S}×${S}`, { size: S });
  if (density.dim !== net.latent) throw new InputError('FLOWVAE_MODEL', `latent density of dimension ${density.dim} for a decoder of ${net.latent}`, {});
  if (psfModel && obs.psf.length !== obs.psfSize * obs.psfSize) throw new InputError('FLOWVAE_PSF', `PSF has ${obs.psf.length} values, expected ${obs.psfSize}²`, {});
  const cache = makeDecoderCache(net);
  const kernel = psfModel ? pixelisedKernel(obs.psf, obs.psfSize) : new Float64Array(0);
  const dm = new Float64Array(S * S), dG = new Float64Array(D * D), m = new Float64Array(S * S), prior = new Float64Array(net.latent);

  const forward = (z: ArrayLike<number>): Float64Array => {
    const g = decoderForward(net, z, cache);
    if (!psfModel) {
      m.set(g);
      return m;
    }
    stridedForward(g, D, kernel, obs.psfSize, m);
    return m;
  };
  const logLik = (mm: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < S * S; i++) {
      const r = obs.x[i]! - mm[i]!;
      s += obs.w[i]! * r * r;
    }
    return -0.5 * s;
  };

  return {
    logDensity(q, gradOut) {
      const mm = forward(q);
      const ll = logLik(mm);
      const lp = latentLogProbGrad(density, q, prior);
      if (!Number.isFinite(ll) || !Number.isFinite(lp)) return -Infinity;
      for (let i = 0; i < S * S; i++) dm[i] = obs.w[i]! * (obs.x[i]! - mm[i]!);
      if (psfModel) stridedAdjoint(dm, D, kernel, obs.psfSize, dG);
      else dG.set(dm);
      const dz = decoderBackward(net, cache, dG);
      for (let k = 0; k < net.latent; k++) gradOut[k] = dz[k]! + prior[k]!;
      return ll + lp;
    },
    model: (z) => Float64Array.from(forward(z)),
    decode: (z) => Float64Array.from(decoderForward(net, z, cache)),
    logLikelihood: (z) => logLik(forward(z)),
  };
}
