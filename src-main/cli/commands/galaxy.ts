// `lensdesk galaxy train|sample`: the Flow-VAE generative galaxy model (Lanusse et al. 2020; issue 16).
// Documented in docs/flowvae.md.
import { parseArgs } from 'node:util';
import { InputError } from '../../../src-core/errors';
import { simulatedTrainingData } from '../../generative/data';
import { rgcData, stampFolderData } from '../../generative/stamp-data';
import { refitLatent, trainFlowVae, type LatentKind } from '../../generative/train';
import { evaluateFlowVae } from '../../generative/evaluate';
import { sampleGalaxies } from '../../generative/sample';
import { reobserve } from '../../generative/reobserve';
import { galaxyPosteriorCli, POSTERIOR_USAGE } from './galaxy-posterior';
import type { CliCommand, CliIO } from '../command';

const USAGE = `Usage:
  lensdesk galaxy train (--simulate PRESET | --stamps DIR | --rgc CATALOG.fits) --out MODEL_DIR
                        [--likelihood psf|plain] [--beta B] [--steps N] [--lr R] [--latent L] [--batch B]
                        [--n-train N] [--n-truth N] [--band B] [--psf FILE | --psf-preset PRESET]
                        [--size S] [--pixel-scale ARCSEC]
                        [--seed S] [--threads T] [--checkpoint-every K] [--resume] [--density realnvp|gaussian] [--json]
                        [--dec W1,W2,W3[,W4]] [--output linear|softplus]
  lensdesk galaxy latent MODEL_DIR --simulate PRESET [--n-train N] [--n-truth N] [--seed S]
                        [--density realnvp|gaussian] [--json]

Trains a convolutional VAE whose likelihood is the stamp's observation model (psf: decoder at half the
stamp pixel, convolved with the stamp's PSF and averaged 2×2, Gaussian noise of the stamp's σ; plain:
decoder at the stamp pixel, no PSF), maximising the β-ELBO on onnxruntime (CPU), then fits a
latent density to the encoder means: --density realnvp (default; the 'Flow' of Flow-VAE, src-core/flows)
or gaussian. 'galaxy latent' refits a trained model's latent density on the same simulated training
set (same --seed and --n-train as its training) and re-runs the moments test; the old density was a
full-covariance Gaussian to the encoder means (the latent density). Writes MODEL_DIR/encoder.onnx,
decoder.onnx, weights.bin, latent.json, card.json (ELBO per epoch; for --simulate the moments test of
samples against the noiseless truth), README.md. Ctrl-C saves a checkpoint (also every K steps);
re-run with --resume and the same options to continue.

Options:
  --simulate PRESET     Sérsic galaxies observed at a survey preset (lsst, des, hsc, euclid, …; band r or
                        the first default band), 32×32 stamps; the truth set is kept for the moments test
  --stamps DIR          FITS stamps (folder or file; H×W or N×H×W in the first image HDU), centre-cropped
                        or zero-padded to --size (default 32; padding is masked). Per file, an HDU PSF
                        (image at the stamp pixel) and an HDU VARIANCE are used when present; otherwise
                        --psf FILE or --psf-preset PRESET (its band's Gaussian), and σ from the border
                        pixels (1.4826 × MAD). Pixel scale from the WCS or --pixel-scale.
  --rgc CATALOG.fits    a GalSim real-galaxy catalog (GAL_FILENAME/GAL_HDU, PSF_FILENAME/PSF_HDU,
                        PIXEL_SCALE, NOISE_VARIANCE per row; files beside the catalog), e.g. COSMOS
  --likelihood L        psf (default) or plain
  --beta B              KL weight (default 1)
  --steps N             training steps (default 3000)
  --lr R                Adam learning rate (default 1e-3)
  --latent L            latent dimension (default 16)
  --batch B             stamps per step (default 32)
  --dec W1,W2,W3,W4     decoder widths from S/8 upward (default 32,16,8,4 for psf; 32,16,8 for plain)
  --output O            decoder output: linear (default) or softplus (positive light)
  --n-train N           simulated training stamps (default 6000)
  --n-truth N           simulated truth galaxies for the moments test (default 2000)
  --threads T           onnxruntime threads (default: all cores)
  --checkpoint-every K  steps between checkpoints (default 200)
  --json                print the card as JSON on stdout

  lensdesk galaxy sample MODEL_DIR --n N --preset PRESET --out FILE.fits [--band B] [--size PIX]
                        [--no-noise] [--png FILE.png] [--seed S] [--threads T] [--json]

Draws N galaxies from the model's latent density, decodes them and observes them at the preset's pixel
scale, Gaussian PSF and co-add noise (sky + read + Poisson; fluxes converted from the training co-add
when the model was trained on --simulate). FILE.fits: primary N×PIX×PIX noisy images (e⁻), VARIANCE,
MODEL (noiseless). --png: a montage of the first 64.

  lensdesk galaxy evaluate MODEL_DIR [--n 2000] [--seed S] [--png FILE.png] [--threads T] [--json]

The moments test for a model trained on --simulate: adaptive-moment size and ellipticity of N model
samples against N noiseless truth galaxies re-made from the card, deconvolved (decoder images vs the
PSF-free truth) and observed (both through the training PSF and pixels); KS p-values and mean biases.
--png: 16 training stamps above 16 model samples observed with the training PSF and noise.

  lensdesk galaxy reobserve MODEL_DIR STAMP.fits --preset PRESET --out FILE.fits [--band B] [--sigma S] [--seed S]

Re-observes a galaxy: the stamp (at the model's pixel scale) is encoded (posterior mean of z), decoded
to the PSF-free galaxy and observed at the preset (FILE.fits: noisy image, MODEL, DECONVOLVED).

${POSTERIOR_USAGE}`;

export const num = (v: string | undefined, name: string, dflt: number, integer = false, lo = 0): number => {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (!Number.isFinite(x) || x < lo || (integer && !Number.isInteger(x))) throw new InputError('INPUT_INVALID', `--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${lo}, got '${v}'`, { option: name });
  return x;
};

async function train(rest: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: rest,
    options: {
      simulate: { type: 'string' }, stamps: { type: 'string' }, rgc: { type: 'string' }, out: { type: 'string' }, likelihood: { type: 'string' }, beta: { type: 'string' },
      steps: { type: 'string' }, lr: { type: 'string' }, latent: { type: 'string' }, batch: { type: 'string' }, 'n-train': { type: 'string' }, 'n-truth': { type: 'string' },
      band: { type: 'string' }, psf: { type: 'string' }, 'psf-preset': { type: 'string' }, size: { type: 'string' }, 'pixel-scale': { type: 'string' }, seed: { type: 'string' }, threads: { type: 'string' },
      'checkpoint-every': { type: 'string' }, resume: { type: 'boolean' }, json: { type: 'boolean' }, density: { type: 'string' },
      dec: { type: 'string' }, output: { type: 'string' },
    },
  });
  if (!values.out) throw new InputError('INPUT_INVALID', '--out MODEL_DIR is required', { option: 'out' });
  if ([values.simulate, values.stamps, values.rgc].filter((v) => v !== undefined).length !== 1) throw new InputError('INPUT_INVALID', 'give exactly one of --simulate PRESET, --stamps DIR and --rgc CATALOG.fits', {});
  const likelihood = values.likelihood ?? 'psf';
  if (likelihood !== 'psf' && likelihood !== 'plain') throw new InputError('INPUT_INVALID', `--likelihood must be psf or plain, got '${likelihood}'`, { option: 'likelihood' });
  const seed = num(values.seed, 'seed', 0, true);
  const psfSize = 19;
  let data;
  if (values.simulate) data = simulatedTrainingData({ preset: values.simulate, band: values.band, size: 32, count: num(values['n-train'], 'n-train', 6000, true, 2), psfSize, seed, truthCount: num(values['n-truth'], 'n-truth', 2000, true) });
  else if (values.stamps) {
    if (values.psf && values['psf-preset']) throw new InputError('INPUT_INVALID', 'give at most one of --psf FILE and --psf-preset PRESET', {});
    data = stampFolderData(values.stamps, { size: num(values.size, 'size', 32, true, 8), psfSize, psfFile: values.psf, psfPreset: values['psf-preset'], band: values.band, pixelScale: values['pixel-scale'] ? num(values['pixel-scale'], 'pixel-scale', 0.2) : undefined });
  } else data = rgcData(values.rgc!, { size: num(values.size, 'size', 32, true, 8), psfSize });
  if (data.size % 8) throw new InputError('INPUT_INVALID', `--size must be a multiple of 8, got ${data.size}`, { option: 'size' });
  io.err(`galaxy train: ${data.count} stamps ${data.size}×${data.size} at ${data.pixelScale}″, likelihood ${likelihood}`);
  const dec = values.dec === undefined ? undefined : values.dec.split(',').map((w) => num(w.trim(), 'dec', 0, true, 1));
  if (dec && dec.length !== (likelihood === 'psf' ? 4 : 3)) throw new InputError('INPUT_INVALID', `--dec needs ${likelihood === 'psf' ? 4 : 3} comma-separated widths for --likelihood ${likelihood}, got '${values.dec}'`, { option: 'dec' });
  const output = values.output ?? 'linear';
  if (output !== 'linear' && output !== 'softplus') throw new InputError('INPUT_INVALID', `--output must be linear or softplus, got '${output}'`, { option: 'output' });
  const card = await trainFlowVae({
    data, likelihood, dec, output, beta: num(values.beta, 'beta', 1), latent: values.latent ? num(values.latent, 'latent', 16, true, 1) : undefined,
    batch: values.batch ? num(values.batch, 'batch', 32, true, 1) : undefined, out: values.out, steps: num(values.steps, 'steps', 3000, true, 1),
    learningRate: num(values.lr, 'lr', 1e-3), seed, threads: values.threads ? num(values.threads, 'threads', 2, true, 1) : undefined,
    resume: !!values.resume, checkpointEvery: num(values['checkpoint-every'], 'checkpoint-every', 200, true, 1), signal: io.signal,
    onProgress: (s, n, loss) => io.progress(s, n, `loss ${loss.toFixed(2)}`), log: (l) => io.err(l), density: densityOption(values.density),
  });
  if (values.json) io.out(JSON.stringify(card));
  else {
    const last = card.elboPerEpoch.at(-1);
    io.out(`wrote ${values.out}: ${card.steps} steps, ${card.imagesPerSecond} images/s, final ELBO ${last?.elbo ?? 'n/a'}`);
  }
  return 0;
}

function densityOption(v: string | undefined): LatentKind {
  const d = v ?? 'realnvp';
  if (d !== 'realnvp' && d !== 'gaussian') throw new InputError('INPUT_INVALID', `--density must be realnvp or gaussian, got '${d}'`, { option: 'density' });
  return d;
}

async function latent(rest: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: rest, allowPositionals: true,
    options: { simulate: { type: 'string' }, band: { type: 'string' }, 'n-train': { type: 'string' }, 'n-truth': { type: 'string' }, seed: { type: 'string' }, density: { type: 'string' }, threads: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new InputError('INPUT_INVALID', 'give one MODEL_DIR', {});
  if (!values.simulate) throw new InputError('INPUT_INVALID', '--simulate PRESET is required (the preset the model was trained on)', { option: 'simulate' });
  const seed = num(values.seed, 'seed', 0, true);
  const data = simulatedTrainingData({ preset: values.simulate, band: values.band, size: 32, count: num(values['n-train'], 'n-train', 6000, true, 2), psfSize: 19, seed, truthCount: num(values['n-truth'], 'n-truth', 2000, true) });
  const card = await refitLatent(positionals[0]!, data, { seed, density: densityOption(values.density), threads: values.threads ? num(values.threads, 'threads', 2, true, 1) : undefined, log: (l) => io.err(l) });
  io.out(values.json ? JSON.stringify({ latentDensity: card.latentDensity, momentsTest: card.momentsTest ?? null }) : `refitted ${positionals[0]}: ${card.latentDensity}`);
  return 0;
}

async function sample(rest: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: rest, allowPositionals: true,
    options: { n: { type: 'string' }, preset: { type: 'string' }, band: { type: 'string' }, size: { type: 'string' }, out: { type: 'string' }, png: { type: 'string' }, 'no-noise': { type: 'boolean' }, seed: { type: 'string' }, threads: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new InputError('INPUT_INVALID', 'give one MODEL_DIR', {});
  if (!values.out) throw new InputError('INPUT_INVALID', '--out FILE.fits is required', { option: 'out' });
  if (!values.preset) throw new InputError('INPUT_INVALID', '--preset PRESET is required (lsst, des, hsc, euclid, …)', { option: 'preset' });
  const r = await sampleGalaxies({
    model: positionals[0]!, n: num(values.n, 'n', 100, true, 1), preset: values.preset, band: values.band, size: values.size ? num(values.size, 'size', 33, true, 3) : undefined,
    seed: num(values.seed, 'seed', 0, true), noise: !values['no-noise'], threads: values.threads ? num(values.threads, 'threads', 2, true, 1) : undefined, out: values.out, png: values.png,
  });
  const summary = { out: values.out, n: r.n, preset: r.target.preset, band: r.target.band, size: r.target.size, pixelScale: r.target.pixelScale, psfFwhm: r.target.spec.seeing, seconds: Math.round(r.seconds * 100) / 100 };
  io.out(values.json ? JSON.stringify(summary) : `wrote ${values.out}: ${r.n} galaxies ${r.target.size}×${r.target.size} at ${r.target.pixelScale}″ (${r.target.preset} ${r.target.band}, PSF ${r.target.spec.seeing}″) in ${summary.seconds} s`);
  return 0;
}

async function evaluate(rest: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { n: { type: 'string' }, seed: { type: 'string' }, png: { type: 'string' }, threads: { type: 'string' }, json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new InputError('INPUT_INVALID', 'give one MODEL_DIR', {});
  const r = await evaluateFlowVae({ model: positionals[0]!, n: num(values.n, 'n', 2000, true, 10), seed: num(values.seed, 'seed', 1, true), png: values.png, threads: values.threads ? num(values.threads, 'threads', 2, true, 1) : undefined });
  if (values.json) io.out(JSON.stringify(r));
  else
    for (const kind of ['deconvolved', 'observed'] as const) {
      const c = r[kind];
      io.out(`${kind} (${c.n.model} samples, ${c.n.truth} truth; ${c.n.modelFailed}/${c.n.truthFailed} not converged):`);
      for (const [k, s] of Object.entries(c.stats)) io.out(`  ${k.padEnd(5)} mean model ${s.meanModel.toFixed(4)} truth ${s.meanTruth.toFixed(4)} bias ${s.bias.toFixed(4)}  KS D ${s.ksD.toFixed(3)} p ${s.ksP.toPrecision(3)}`);
    }
  return 0;
}

export const galaxyCommand: CliCommand = {
  name: 'galaxy',
  summary: 'Flow-VAE generative galaxy model: train, sample, evaluate, reobserve, posterior',
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'train') return train(rest, io);
    if (sub === 'sample') return sample(rest, io);
    if (sub === 'latent') return latent(rest, io);
    if (sub === 'evaluate') return evaluate(rest, io);
    if (sub === 'posterior') return galaxyPosteriorCli(rest, io);
    if (sub === 'reobserve') {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { preset: { type: 'string' }, band: { type: 'string' }, out: { type: 'string' }, sigma: { type: 'string' }, seed: { type: 'string' }, threads: { type: 'string' } } });
      if (positionals.length !== 2) throw new InputError('INPUT_INVALID', 'give MODEL_DIR and STAMP.fits', {});
      if (!values.out || !values.preset) throw new InputError('INPUT_INVALID', '--preset PRESET and --out FILE.fits are required', { option: values.out ? 'preset' : 'out' });
      const r = await reobserve({ model: positionals[0]!, stamp: positionals[1]!, preset: values.preset, band: values.band, out: values.out, sigma: values.sigma ? num(values.sigma, 'sigma', 1) : undefined, seed: num(values.seed, 'seed', 0, true), threads: values.threads ? num(values.threads, 'threads', 2, true, 1) : undefined });
      io.out(`wrote ${values.out}: ${r.size}×${r.size} at ${r.pixelScale}″ (input σ ${r.sigma.toPrecision(3)})`);
      return 0;
    }
    throw new InputError('INPUT_INVALID', `lensdesk galaxy: unknown subcommand '${sub ?? ''}' (available: train, sample, latent, evaluate, reobserve, posterior)`, {});
  },
};
