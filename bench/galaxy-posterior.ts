// Posterior checks of the Flow-VAE galaxy posterior (issue 16 "Quality: z-scores of moments of posterior
// samples against the truth on held-out simulations; coverage reported"; Lanusse et al. 2020 §5 validate
// with the same second-order moments, deblending-and-generative.md §B6).
//
// Two sets, each stamp observed with the model's training PSF and noise (LSST r for the bundled model):
//   model    galaxies drawn from the model itself (z_true from the latent density, decoded): the model is
//            exactly right, so this row checks the sampler and the likelihood (z-scores ~ N(0, 1)).
//   held-out Sérsic galaxies from the training simulator with a seed the training never used
//            (sim-stamps.ts; noiseless truth kept on the decoder grid): this row adds the model's own
//            misfit (an under-trained VAE whose samples are too round and too large, docs/flowvae.md).
// Per galaxy: NUTS draws of z → g_θ(z) → adaptive moments (size σ in arcsec, e1, e2) of every draw; the
// truth's moments; z = (truth − posterior mean) / posterior sd, and whether the central 68 % / 95 %
// intervals of the draws contain the truth. Prints per-galaxy lines and a markdown table.
//
//   npx tsx bench/galaxy-posterior.ts [--model DIR] [--n 8] [--warmup 60] [--samples 100] [--chains 2] [--seed 77] [--method nuts|vi] [--sets model,heldout]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decoderForward, makeDecoderCache, makeDecoderNet } from '../src-core/generative/decoder-net';
import { galaxyPosteriorDensity } from '../src-core/generative/galaxy-likelihood';
import { sampleGalaxyPosterior, type PosteriorMethod } from '../src-core/generative/galaxy-posterior';
import { adaptiveMoments } from '../src-core/generative/moments';
import { gaussianPsf, observe } from '../src-core/generative/observe';
import { simulateStamps } from '../src-core/generative/sim-stamps';
import { Rng } from '../src-core/rng';
import { readFlowVaeModel } from '../src-main/generative/model-files';
import { createVaeCoder } from '../src-main/generative/vae-engine';

const { values } = parseArgs({
  options: {
    model: { type: 'string' }, n: { type: 'string' }, warmup: { type: 'string' }, samples: { type: 'string' }, chains: { type: 'string' },
    seed: { type: 'string' }, method: { type: 'string' }, sets: { type: 'string' },
  },
});
const MODEL = values.model ?? join(import.meta.dirname, '..', 'models', 'generative', 'flowvae-lsst-32');
const N = Number(values.n ?? 8), WARMUP = Number(values.warmup ?? 60), SAMPLES = Number(values.samples ?? 100), CHAINS = Number(values.chains ?? 2);
const SEED = Number(values.seed ?? 77), METHOD = (values.method ?? 'nuts') as PosteriorMethod, SETS = (values.sets ?? 'model,heldout').split(',');

const { card, weights, density } = readFlowVaeModel(MODEL);
const cfg = card.config, S = cfg.size, D = 2 * S, K = cfg.psfSize, fs = cfg.fluxScale;
const ts = card.trainingSet as { preset: string; band: string; noiseSigma: number; psf: { fwhmArcsec: number } };
const sigma = ts.noiseSigma / fs; // model units
const psf = gaussianPsf(ts.psf.fwhmArcsec / card.decoderPixelScale, K);
const net = makeDecoderNet(cfg, weights);
const coder = await createVaeCoder(cfg, weights, { threads: 1 });
const MOM = { pixelScale: card.decoderPixelScale, sigma0: D / 10 };

interface Galaxy { x: Float64Array; truth: Float64Array }

function modelSet(n: number): Galaxy[] {
  const rng = new Rng(SEED, 1601), cache = makeDecoderCache(net), out: Galaxy[] = [];
  while (out.length < n) {
    const g = Float64Array.from(decoderForward(net, density.sample(rng), cache));
    if (!adaptiveMoments(g, D, D, MOM).converged) continue; // a decoded draw without moments cannot be scored
    out.push({ x: Float64Array.from(observe(g, D, psf, K), (v) => v + sigma * rng.normal()), truth: g });
  }
  return out;
}

function heldOutSet(n: number): Galaxy[] {
  const set = simulateStamps({ preset: ts.preset, band: ts.band, size: S, count: n, psfSize: K, rng: new Rng(SEED, 1602), keepTruth: true });
  return Array.from({ length: n }, (_, k) => ({
    x: Float64Array.from(set.stamps.subarray(k * S * S, (k + 1) * S * S), (v) => v / fs),
    truth: Float64Array.from(set.truth!.subarray(k * D * D, (k + 1) * D * D), (v) => v / fs),
  }));
}

const KEYS = ['sigma', 'e1', 'e2'] as const;
type Key = (typeof KEYS)[number];

async function run(name: string, gals: Galaxy[]) {
  const zs: Record<Key, number[]> = { sigma: [], e1: [], e2: [] }, c68: Record<Key, number> = { sigma: 0, e1: 0, e2: 0 }, c95: Record<Key, number> = { sigma: 0, e1: 0, e2: 0 };
  let scored = 0, noTruth = 0, rhatMax = 0, div = 0, secs = 0, failedDraws = 0, draws = 0;
  for (const [i, gal] of gals.entries()) {
    const truth = adaptiveMoments(gal.truth, D, D, MOM);
    if (!truth.converged) {
      noTruth++;
      continue;
    }
    const t0 = performance.now();
    const enc = await coder.encode(Float32Array.from(gal.x), Float32Array.of(Math.log(sigma)));
    const post = galaxyPosteriorDensity(net, density, { x: gal.x, w: new Float64Array(S * S).fill(1 / sigma ** 2), psf, psfSize: K });
    const r = sampleGalaxyPosterior(post, { method: METHOD, samples: SAMPLES, chains: CHAINS, warmup: WARMUP, seed: SEED + i, init: Float64Array.from(enc.mu), initSd: Float64Array.from(enc.logvar, (l) => Math.exp(0.5 * l)) });
    const dt = (performance.now() - t0) / 1000;
    secs += dt;
    if (Number.isFinite(r.diagnostics.rhatMax)) rhatMax = Math.max(rhatMax, r.diagnostics.rhatMax);
    div += r.diagnostics.divergences;
    const ms = [];
    for (let k = 0; k < r.n; k++) {
      const m = adaptiveMoments(post.decode(r.z.subarray(k * r.dim, (k + 1) * r.dim)), D, D, MOM);
      draws++;
      if (m.converged) ms.push(m);
      else failedDraws++;
    }
    if (ms.length < 10) continue;
    scored++;
    const line: string[] = [];
    for (const key of KEYS) {
      const xs = ms.map((m) => m[key]).sort((a, b) => a - b), mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
      const q = (p: number) => xs[Math.min(xs.length - 1, Math.max(0, Math.round(p * (xs.length - 1))))]!;
      const z = (truth[key] - mean) / sd;
      zs[key].push(z);
      if (truth[key] >= q(0.16) && truth[key] <= q(0.84)) c68[key]++;
      if (truth[key] >= q(0.025) && truth[key] <= q(0.975)) c95[key]++;
      line.push(`${key} ${truth[key].toFixed(3)} vs ${mean.toFixed(3)}±${sd.toFixed(3)} (z ${z.toFixed(2)})`);
    }
    console.log(`${name} #${i}: ${line.join(', ')}; R-hat ${r.diagnostics.rhatMax.toFixed(3)}, ${r.diagnostics.divergences} div, ${dt.toFixed(1)} s`);
  }
  return { name, zs, c68, c95, scored, noTruth, rhatMax, div, secs, failedDraws, draws };
}

const rows = [];
if (SETS.includes('model')) rows.push(await run('model', modelSet(N)));
if (SETS.includes('heldout')) rows.push(await run('held-out', heldOutSet(N)));
await coder.dispose();

const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
console.log(`\n${METHOD.toUpperCase()}, ${CHAINS} chains × (${WARMUP} warm-up + ${Math.ceil(SAMPLES / CHAINS)} draws), model ${MODEL}, seed ${SEED}\n`);
console.log('| set | galaxies scored | moment | mean z | sd z | median \\|z\\| | 68 % coverage | 95 % coverage | max R-hat | divergences | s / galaxy |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows)
  for (const key of KEYS) {
    const z = r.zs[key], n = z.length, mean = z.reduce((a, b) => a + b, 0) / n, sd = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1));
    const med = z.map(Math.abs).sort((a, b) => a - b)[n >> 1] ?? NaN;
    console.log(`| ${r.name} | ${r.scored} | ${key === 'sigma' ? 'size σ' : key} | ${f(mean)} | ${f(sd)} | ${f(med)} | ${r.c68[key]}/${n} | ${r.c95[key]}/${n} | ${f(r.rhatMax, 3)} | ${r.div} | ${f(r.secs / Math.max(1, r.scored + 0), 1)} |`);
  }
for (const r of rows) if (r.noTruth || r.failedDraws) console.log(`${r.name}: ${r.noTruth} truths without converged moments (skipped), ${r.failedDraws}/${r.draws} draws without converged moments (left out)`);
