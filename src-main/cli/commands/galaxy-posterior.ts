// `lensdesk galaxy posterior STAMP.fits`: the Flow-VAE galaxy posterior p(z | x) (issue 16 "Galaxy
// posterior"; docs/flowvae.md). Parsed here, run by src-main/generative/posterior.ts.
import { parseArgs } from 'node:util';
import { InputError } from '../../../src-core/errors';
import { readFlowVaeModel } from '../../generative/model-files';
import { BUNDLED_FLOWVAE, bundledFlowVae, runGalaxyPosterior, writeGalaxyPosterior } from '../../generative/posterior';
import { readPosteriorStamp } from '../../generative/posterior-stamp';
import type { CliIO } from '../command';

export const POSTERIOR_USAGE = `  lensdesk galaxy posterior STAMP.fits --out POST.fits [--model DIR] [--psf P.fits] [--band B]
                        [--samples N] [--method nuts|vi] [--chains C] [--warmup W] [--seed S]
                        [--sigma S] [--pixel-scale ARCSEC] [--threads T] [--json]

The posterior p(z | x) of the Flow-VAE's latent code for one stamp: likelihood x ~ N(P(Π ∗ g(z)), Σ) (the
model's own), prior the model's latent density. The mode is found from the encoder mean (L-BFGS), the
sampler is preconditioned by the Laplace covariance there, then NUTS (default; --chains 2, --warmup 150
per chain) or mean-field ADVI (--method vi; --warmup = optimisation steps, default 400). The stamp must be
at the model's pixel scale (PIXSCALE / CD / CDELT, or --pixel-scale) and at least its size (centre crop);
noise from a VARIANCE HDU, else --sigma, else the border (1.4826 × MAD); PSF from --psf (image at the
stamp pixel), else a PSF HDU in the stamp file, else the model's training PSF. POST.fits: MEAN, STD (the
noiseless, PSF-free galaxy on the decoder grid), SAMPLES (every draw decoded), MODEL, DATA, ZSAMPLES;
R-hat, ESS and divergences in the header and in --json. Misfit check: when χ²/pixel of the posterior-mean
model exceeds both the χ²_N upper 10⁻³ quantile / N and 1.5, a WARNING says that the posterior is conditional
on a model that does not fit the stamp, with the likely reasons (header MISFIT = T, CHI2PIX, CHI2P, CHI2LIM;
--json: misfit { misfit, chi2PerPixel, pValue, threshold, reasons, warning } and warnings [...]).
Default model: models/generative/${BUNDLED_FLOWVAE}.`;

const int = (v: string | undefined, name: string, d: number, lo: number, hi: number): number => {
  if (v === undefined) return d;
  const x = Number(v);
  if (!Number.isInteger(x) || x < lo || x > hi) throw new InputError('INPUT_INVALID', `--${name} must be an integer in [${lo}, ${hi}], got '${v}'`, { option: name });
  return x;
};
const pos = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!(x > 0) || !Number.isFinite(x)) throw new InputError('INPUT_INVALID', `--${name} must be a positive number, got '${v}'`, { option: name });
  return x;
};

export async function galaxyPosteriorCli(rest: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: rest, allowPositionals: true,
    options: {
      model: { type: 'string' }, psf: { type: 'string' }, band: { type: 'string' }, samples: { type: 'string' }, method: { type: 'string' }, chains: { type: 'string' },
      warmup: { type: 'string' }, seed: { type: 'string' }, sigma: { type: 'string' }, 'pixel-scale': { type: 'string' }, threads: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new InputError('INPUT_INVALID', 'give one STAMP.fits', {});
  if (!values.out) throw new InputError('INPUT_INVALID', '--out POST.fits is required', { option: 'out' });
  const method = values.method ?? 'nuts';
  if (method !== 'nuts' && method !== 'vi') throw new InputError('INPUT_INVALID', `--method must be nuts or vi, got '${method}'`, { option: 'method' });
  const model = values.model ?? bundledFlowVae();
  if (!model) throw new InputError('FLOWVAE_MODEL_MISSING', `no --model and the bundled models/generative/${BUNDLED_FLOWVAE} is not installed`, { option: 'model' });
  const { card } = readFlowVaeModel(model);
  const prep = readPosteriorStamp(positionals[0]!, card, { band: values.band, psfFile: values.psf, sigma: pos(values.sigma, 'sigma'), pixelScale: pos(values['pixel-scale'], 'pixel-scale') });
  io.err(`galaxy posterior: ${positionals[0]} band ${prep.band}, σ ${prep.noise.sigma.toPrecision(3)} (${prep.noise.source}), PSF ${prep.psfSource}, ${method}`);
  const signal = { get aborted() { return io.signal.aborted; } };
  const p = await runGalaxyPosterior(prep, {
    model, method, samples: int(values.samples, 'samples', 200, 1, 100000), chains: int(values.chains, 'chains', method === 'vi' ? 1 : 2, 1, 64),
    warmup: int(values.warmup, 'warmup', method === 'vi' ? 400 : 150, method === 'vi' ? 1 : 0, 100000), seed: int(values.seed, 'seed', 0, 0, 2 ** 31 - 1),
    threads: values.threads ? int(values.threads, 'threads', 1, 1, 64) : undefined, signal, onProgress: (d, n) => io.progress(d, n, method),
  });
  writeGalaxyPosterior(values.out, p);
  const d = p.summary.diagnostics;
  const m = p.summary.misfit;
  // with --json the misfit warning also goes to stderr, so that whoever runs it sees it
  if (m.warning && values.json) io.err(`WARNING: ${m.warning}`);
  if (values.json) io.out(JSON.stringify({ out: values.out, ...p.summary, warnings: m.warning ? [m.warning] : [] }));
  else {
    io.out(`wrote ${values.out}: ${p.summary.samples} draws (${method}), R-hat max ${d.rhatMax.toFixed(3)}, ESS bulk min ${d.essBulkMin.toFixed(0)}, ${d.divergences} divergences, χ² ${p.summary.chi2.toFixed(1)} / ${p.summary.pixels} px (${m.chi2PerPixel.toFixed(2)} per pixel${m.misfit ? `, MISFIT: above ${m.threshold.toFixed(2)}` : ''}), flux ${p.summary.flux.mean.toPrecision(4)} ± ${p.summary.flux.sd.toPrecision(2)}, ${p.summary.seconds.toFixed(1)} s`);
    if (m.warning) io.out(`WARNING: ${m.warning}`);
  }
  return 0;
}
