// `lensdesk galaxy posterior` and the 'galaxy-posterior' job: p(z | x) of a Flow-VAE for one stamp
// (deblending-and-generative.md §B5), by NUTS or ADVI (src-core/generative/galaxy-posterior.ts), with
// exactly the model's PSF-aware likelihood and its latent density as the prior. Output FITS:
//   MEAN (primary), STD   D×D posterior mean and sd of the noiseless, PSF-free galaxy g_θ(z) on the
//                         decoder grid (half the stamp pixel), in the stamp's units per decoded pixel
//                         (flux-conserving: the sum is the galaxy's flux in the stamp's units)
//   SAMPLES               n×D×D every posterior draw decoded
//   MODEL                 S×S posterior-mean model of the stamp, P(Π ∗ g), stamp units (data − MODEL = residual)
//   DATA                  S×S the stamp as fitted (centre crop)
//   ZSAMPLES              BINTABLE: CHAIN, DRAW, Z (L-vector), LP, DIVERGENT per draw
// Diagnostics (R̂, ESS, divergences, the posterior-mean model's χ²) in the primary header and in the
// JSON summary, with the misfit check (src-core/generative/misfit.ts): χ²/pixel against the χ²
// distribution; MISFIT = T says the posterior is conditional on a model that does not fit the stamp.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CardInput } from '../../src-core/fits/card-format';
import { writeFits, type HduSpec } from '../../src-core/fits/writer';
import { makeDecoderNet } from '../../src-core/generative/decoder-net';
import { galaxyPosteriorDensity } from '../../src-core/generative/galaxy-likelihood';
import { checkMisfit, type MisfitCheck, type MisfitHints } from '../../src-core/generative/misfit';
import { getPreset, magToElectrons } from '../../src-core/lens/presets';
import { posteriorImages, sampleGalaxyPosterior, type PosteriorDiagnostics, type PosteriorMethod } from '../../src-core/generative/galaxy-posterior';
import { decoderSide } from '../../src-core/generative/vae-graph';
import { readFlowVaeModel, type FlowVaeCard as FlowVaeModelCard } from './model-files';
import type { PreparedStamp } from './posterior-stamp';
import { createVaeCoder } from './vae-engine';
import { modelsDir } from '../util/paths';

/** The Flow-VAE shipped with LensDesk (docs/flowvae.md). */
export const BUNDLED_FLOWVAE = 'flowvae-lsst-32';

/** Its folder, or null when not installed. */
export function bundledFlowVae(): string | null {
  const dir = join(modelsDir(), 'generative', BUNDLED_FLOWVAE);
  return existsSync(join(dir, 'card.json')) ? dir : null;
}

export interface PosteriorRunOptions {
  model: string;
  method: PosteriorMethod;
  samples: number;
  chains: number;
  warmup: number;
  seed: number;
  threads?: number;
  signal?: { aborted: boolean };
  onProgress?: (done: number, total: number) => void;
}

export interface GalaxyPosteriorSummary {
  model: string;
  method: PosteriorMethod;
  band: string;
  samples: number;
  decoderSide: number;
  decoderPixelScale: number;
  psf: string;
  noise: { source: string; sigma: number };
  /** χ² of the stamp at the posterior-mean model, and the number of unmasked pixels. */
  chi2: number;
  pixels: number;
  /** Does the model describe the stamp (χ²/pixel against the χ²_N distribution)? With the warning when not. */
  misfit: MisfitCheck;
  /** Total flux of the posterior-mean galaxy (stamp units) and its posterior sd. */
  flux: { mean: number; sd: number };
  diagnostics: PosteriorDiagnostics;
  seconds: number;
}

export interface GalaxyPosteriorProducts {
  summary: GalaxyPosteriorSummary;
  hdus: HduSpec[];
  mean: Float32Array;
  std: Float32Array;
  side: number;
  /** The z draws (n × L) — for checks. */
  z: Float64Array;
  latent: number;
}

export async function runGalaxyPosterior(prep: PreparedStamp, o: PosteriorRunOptions): Promise<GalaxyPosteriorProducts> {
  const t0 = performance.now();
  const { card, weights, density } = readFlowVaeModel(o.model);
  const cfg = card.config, S = cfg.size, D = decoderSide(cfg), L = cfg.latent;
  // initial point: the encoder's q(z | x, σ) (onnxruntime), with the stamp's median σ as its noise input
  const coder = await createVaeCoder(cfg, weights, { threads: o.threads ?? 1 });
  let mu: Float32Array, logvar: Float32Array;
  try {
    ({ mu, logvar } = await coder.encode(Float32Array.from(prep.obs.x), Float32Array.of(Math.log(prep.noise.sigma / cfg.fluxScale))));
  } finally {
    await coder.dispose();
  }
  const net = makeDecoderNet(cfg, weights);
  const post = galaxyPosteriorDensity(net, density, prep.obs);
  const r = sampleGalaxyPosterior(post, {
    method: o.method, samples: o.samples, chains: o.chains, warmup: o.warmup, seed: o.seed,
    init: Float64Array.from(mu), initSd: Float64Array.from(logvar, (l) => Math.exp(0.5 * l)), signal: o.signal, onProgress: o.onProgress,
  });
  // decoder units → stamp units per decoded pixel: × fluxScale × (stamp pixel / decoded pixel)² ⁻¹
  const toStamp = cfg.fluxScale * (S / D) ** 2;
  const img = posteriorImages(post, r.z, r.n, L, toStamp);
  // posterior-mean model of the stamp and its χ²; flux per draw
  const mModel = new Float64Array(S * S), fluxes = new Float64Array(r.n);
  for (let i = 0; i < r.n; i++) {
    const m = post.model(r.z.subarray(i * L, (i + 1) * L));
    for (let p = 0; p < S * S; p++) mModel[p] += (m[p]! * cfg.fluxScale) / r.n;
    let f = 0;
    for (let p = 0; p < D * D; p++) f += img.cube[i * D * D + p]!;
    fluxes[i] = f;
  }
  let chi2 = 0, pixels = 0;
  for (let p = 0; p < S * S; p++) {
    const w = prep.obs.w[p]!;
    if (w === 0) continue;
    chi2 += w * (prep.obs.x[p]! - mModel[p]! / cfg.fluxScale) ** 2;
    pixels++;
  }
  const misfit = checkMisfit(chi2, pixels, misfitHints(prep, card));
  const fMean = fluxes.reduce((a, b) => a + b, 0) / r.n;
  const fSd = Math.sqrt(fluxes.reduce((a, b) => a + (b - fMean) ** 2, 0) / Math.max(1, r.n - 1));
  const summary: GalaxyPosteriorSummary = {
    model: o.model, method: o.method, band: prep.band, samples: r.n, decoderSide: D, decoderPixelScale: card.decoderPixelScale, psf: prep.psfSource, noise: prep.noise,
    chi2, pixels, misfit, flux: { mean: fMean, sd: fSd }, diagnostics: r.diagnostics, seconds: (performance.now() - t0) / 1000,
  };
  const d = r.diagnostics;
  const fin = (v: number) => (Number.isFinite(v) ? v : undefined);
  const cards: CardInput[] = [
    { keyword: 'PRODUCT', value: 'galaxy-posterior', comment: 'Flow-VAE galaxy posterior p(z|x)' },
    { keyword: 'PIXSCALE', value: card.decoderPixelScale, type: 'float', comment: '[arcsec/pixel] decoder grid' },
    { keyword: 'BUNIT', value: 'stamp units per decoded pixel' },
    { keyword: 'BAND', value: prep.band },
    { keyword: 'METHOD', value: o.method.toUpperCase(), comment: 'NUTS (Laplace-preconditioned) or ADVI' },
    { keyword: 'NCHAINS', value: d.chains },
    { keyword: 'NWARMUP', value: d.warmup, comment: 'warm-up iterations per chain (ADVI: steps)' },
    { keyword: 'NDRAWS', value: r.n, comment: 'posterior draws in all' },
    { keyword: 'SEED', value: o.seed },
    ...(fin(d.rhatMax) !== undefined ? [{ keyword: 'RHATMAX', value: d.rhatMax, type: 'float' as const, comment: 'max rank-normalised split R-hat over z' }] : []),
    ...(fin(d.essBulkMin) !== undefined ? [{ keyword: 'ESSBULK', value: d.essBulkMin, type: 'float' as const, comment: 'min bulk ESS over z' }] : []),
    ...(fin(d.essTailMin) !== undefined ? [{ keyword: 'ESSTAIL', value: d.essTailMin, type: 'float' as const, comment: 'min tail ESS over z' }] : []),
    { keyword: 'NDIVERG', value: d.divergences, comment: 'divergent transitions after warm-up' },
    ...(d.elbo !== undefined ? [{ keyword: 'ELBO', value: d.elbo, type: 'float' as const, comment: 'ADVI ELBO (nats, up to a constant)' }] : []),
    { keyword: 'CHI2', value: chi2, type: 'float', comment: 'chi2 of the stamp at the posterior-mean model' },
    { keyword: 'NPIX', value: pixels, comment: 'unmasked stamp pixels' },
    { keyword: 'CHI2PIX', value: misfit.chi2PerPixel, type: 'float', comment: 'chi2 per unmasked pixel' },
    { keyword: 'CHI2P', value: misfit.pValue, type: 'float', comment: 'P(chi2_NPIX >= CHI2) if the model fitted' },
    { keyword: 'CHI2LIM', value: misfit.threshold, type: 'float', comment: 'chi2/pixel above which MISFIT' },
    { keyword: 'MISFIT', value: misfit.misfit, comment: 'T: the model does not fit the stamp' },
    { keyword: 'SIGMA', value: prep.noise.sigma, type: 'float', comment: 'median noise sigma (stamp units)' },
    { keyword: 'NOISESRC', value: prep.noise.source.slice(0, 60) },
    { keyword: 'PSFSRC', value: prep.psfSource.replace(/[^\x20-\x7e]/g, '?').slice(0, 60) },
    { keyword: 'FLUX', value: fMean, type: 'float', comment: 'posterior mean total flux (stamp units)' },
    { keyword: 'FLUXSD', value: fSd, type: 'float' },
    { keyword: 'MODELDIR', value: o.model.replace(/[^\x20-\x7e]/g, '?').slice(-60) },
  ];
  const nrow = r.n, lp = new Float64Array(nrow), div: boolean[] = new Array<boolean>(nrow).fill(false), draw = new Int32Array(nrow);
  let row = 0;
  for (const c of r.chains)
    for (let i = 0; i < c.nSamples; i++, row++) {
      lp[row] = c.stats.logDensity[i]!;
      div[row] = c.stats.divergent[i] === 1;
      draw[row] = i;
    }
  if (!r.chains.length) for (let i = 0; i < nrow; i++) draw[i] = i;
  const zRows = Array.from({ length: nrow }, (_, i) => Array.from(r.z.subarray(i * L, (i + 1) * L)));
  const hdus: HduSpec[] = [
    { kind: 'image', shape: [D, D], data: img.mean, extname: 'MEAN', cards },
    { kind: 'image', shape: [D, D], data: img.std, extname: 'STD', cards: [{ keyword: 'BUNIT', value: 'stamp units per decoded pixel' }] },
    { kind: 'image', shape: [r.n, D, D], data: img.cube, extname: 'SAMPLES', cards: [{ keyword: 'BUNIT', value: 'stamp units per decoded pixel' }] },
    { kind: 'image', shape: [S, S], data: Float32Array.from(mModel), extname: 'MODEL', cards: [{ keyword: 'PIXSCALE', value: prep.pixelScale, type: 'float' }] },
    { kind: 'image', shape: [S, S], data: prep.data, extname: 'DATA', cards: [{ keyword: 'PIXSCALE', value: prep.pixelScale, type: 'float' }, { keyword: 'CROPX0', value: prep.crop.x0 }, { keyword: 'CROPY0', value: prep.crop.y0 }] },
    {
      kind: 'bintable', extname: 'ZSAMPLES', nrows: nrow,
      columns: [
        { name: 'CHAIN', format: 'J', values: r.chainOf },
        { name: 'DRAW', format: 'J', values: draw },
        { name: 'Z', format: `${L}D`, values: zRows, comment: 'latent code' },
        { name: 'LP', format: 'D', values: lp, comment: 'log posterior (NUTS; 0 for ADVI)' },
        { name: 'DIVERGENT', format: 'L', values: div },
      ],
    },
  ];
  return { summary, hdus, mean: img.mean, std: img.std, side: D, z: r.z, latent: L };
}

/**
 * What the stamp itself says about a misfit: its flux against the brightest galaxy of a simulated
 * training set (both in the training co-add's units, which the model assumes the stamp is in), and
 * the light in the outer 2-pixel ring of the fitted crop in units of its standard error.
 */
export function misfitHints(prep: PreparedStamp, card: FlowVaeModelCard): MisfitHints {
  const S = card.config.size, w = prep.obs.w, fs = card.config.fluxScale;
  let flux = 0, ring = 0, ringVar = 0, nRing = 0;
  for (let i = 0; i < S; i++)
    for (let j = 0; j < S; j++) {
      const p = i * S + j;
      if (!(w[p]! > 0)) continue;
      const v = prep.data[p]!;
      flux += v;
      if (i < 2 || j < 2 || i >= S - 2 || j >= S - 2) {
        ring += v;
        ringVar += (fs * fs) / w[p]!;
        nRing++;
      }
    }
  const hints: MisfitHints = {
    flux, edgeSnr: nRing > 0 ? ring / Math.sqrt(ringVar) : undefined, fieldArcsec: S * card.pixelScale,
    psfSource: prep.psfSource, noiseSource: prep.noise.source, pixelScale: prep.pixelScale,
  };
  const t = card.trainingSet as { source?: unknown; preset?: unknown; band?: unknown; galaxies?: { mag?: unknown } };
  const mag = Array.isArray(t.galaxies?.mag) ? Number(t.galaxies.mag[0]) : NaN;
  if (t.source === 'simulate' && typeof t.preset === 'string' && typeof t.band === 'string' && Number.isFinite(mag)) {
    try {
      const b = getPreset(t.preset).bands[t.band];
      if (b) Object.assign(hints, { trainingFluxMax: magToElectrons(mag, b), trainingFluxLabel: `mag ${mag} in ${t.preset} ${t.band}` });
    } catch {
      /* an unknown preset in an old card: no flux hint */
    }
  }
  return hints;
}

export function writeGalaxyPosterior(path: string, p: GalaxyPosteriorProducts): void {
  writeFileSync(path, writeFits(p.hdus));
}
