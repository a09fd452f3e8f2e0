// `lensdesk restore`: deconvolve / denoise / inpaint a cutout with a Wiener (exact Gaussian posterior),
// TV or ℓ1-starlet prior; MEAN, STD and SAMPLES HDUs with the cutout's WCS. Method: docs/learned-priors.md
// ("Restoring a cutout"); the wiring is src-main/restore/.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InputError } from '../../../src-core/errors';
import { runRestore } from '../../restore/run';
import type { ClassicPrior, RestoreOp } from '../../restore/solve';
import type { CliCommand } from '../command';

const USAGE = `Usage:
  lensdesk restore CUTOUT.fits --op deconvolve|denoise|inpaint|fourier [--psf P.fits | --psf-fwhm ARCSEC]
                   [--prior wiener|tv|l1|DIR] [--samples N] --out OUT.fits

Restores each band of a 2-D image or bands × H × W cube independently.
  deconvolve  y = h ⊛ x + n (periodic boundary); needs --psf FILE (odd square image, one plane or one per
              band), --psf-fwhm ARCSEC (Gaussian; pixel scale from the WCS or --pixel-scale) or a PSF HDU
  denoise     y = x + n
  inpaint     y = M x + n; bad pixels are NaNs and the nonzero pixels of a MASK / DQ / BPM HDU
Noise: the median of a VARIANCE HDU, else 1.4826 × MAD of the outer 4 border pixels (white noise assumed).
Priors:
  wiener  exact Gaussian posterior; prior spectrum from the data: ring-averaged periodogram minus the noise
          level, divided by the PSF power. MEAN, STD (per pixel) and SAMPLES (exact posterior draws)
  tv|l1   MAP by FISTA (total variation, weight --lambda, default 1/σ; ℓ1 starlet, thresholds --lambda
          (default 3) × the per-scale noise). No STD (the header says so), no SAMPLES
  DIR     a score U-Net folder from 'lensdesk prior train': annealed Langevin samples started from
          exact Wiener posterior draws (--levels × --steps); MEAN and STD from the samples (--samples
          ≥ 2, default 16). The cutout must be the model's size; each band is divided by its estimated
          intrinsic peak (Wiener mean, refined by short pre-passes; the training images have peak 1)
Fourier (--op fourier): y = M F x + n, F the unitary 2-D DFT (MRI k-space, gridded visibilities). Input
  HDUs REAL and IMAG (image-sized, centred: zero frequency at pixel (rows/2, cols/2), i.e.
  fftshift(fft2(x, norm='ortho'))), MASK (nonzero = measured) and the keyword NOISESIG (σ of Re and of
  Im of each bin) on REAL or the primary header; WCS cards on the primary are copied. Keep one bin of
  each conjugate pair (k, −k) of a Hermitian plane, or it is counted twice. wiener: exact posterior
  (spectrum from the measured bins); tv|l1: MAP; DIR: annealed Langevin
Output FITS: primary (WCS cards copied, PRIOR/OP/NSAMPLES/METHOD), MEAN, STD, SAMPLES (N × H × W or
N × bands × H × W), each with the input's WCS cards.

Options:
  --samples N        posterior samples (wiener, DIR; default 16)
  --steps T          Langevin steps per σ level (DIR; default 2)
  --levels L         σ levels from --sigma-max down to 0.1 σ_n (DIR; default 16)
  --sigma-max S      largest σ in the model's peak-1 units (DIR; default 0.3: chains start from exact
                     Wiener posterior draws, so higher levels are not needed)
  --seed S           sampler seed (default 0)
  --lambda L         tv/l1 weight (see above)
  --max-iter N       FISTA iterations (default 200)
  --pixel-scale A    arcsec/pixel for --psf-fwhm when the header has none
  --json             print a JSON summary`;

function num(v: string | undefined, option: string, positive = true): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x) || (positive && !(x > 0))) throw new InputError('INPUT_INVALID', `--${option} must be a ${positive ? 'positive ' : ''}number, got '${v}'`, { option });
  return x;
}

const OPS = ['deconvolve', 'denoise', 'inpaint', 'fourier'];
const PRIORS = ['wiener', 'tv', 'l1'];

export const restoreCommand: CliCommand = {
  name: 'restore',
  summary: 'deconvolve / denoise / inpaint a cutout (Wiener posterior, TV, l1) → MEAN, STD, SAMPLES FITS',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: {
        op: { type: 'string' }, psf: { type: 'string' }, 'psf-fwhm': { type: 'string' }, 'pixel-scale': { type: 'string' },
        prior: { type: 'string', default: 'wiener' }, samples: { type: 'string' }, seed: { type: 'string' },
        lambda: { type: 'string' }, steps: { type: 'string' }, levels: { type: 'string' }, 'sigma-max': { type: 'string' }, 'max-iter': { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean', default: false },
      },
    });
    const input = positionals[0];
    if (!input) throw new InputError('INPUT_INVALID', 'restore needs a CUTOUT.fits', {});
    if (!values.out) throw new InputError('INPUT_INVALID', 'restore needs --out OUT.fits', { option: 'out' });
    const op = values.op;
    if (!op || !OPS.includes(op)) throw new InputError('INPUT_INVALID', `--op must be one of ${OPS.join(', ')}, got '${op ?? ''}'`, { option: 'op' });
    const prior = values.prior!;
    const isModel = !PRIORS.includes(prior) && existsSync(join(prior, 'card.json'));
    if (!PRIORS.includes(prior) && !isModel) {
      throw new InputError('INPUT_INVALID', `unknown --prior '${prior}': use wiener, tv, l1 or a model folder from 'lensdesk prior train' (with card.json)`, { option: 'prior' });
    }
    if (values.psf && values['psf-fwhm']) throw new InputError('INPUT_INVALID', 'give --psf or --psf-fwhm, not both', { option: 'psf' });
    const samples = values.samples === undefined ? (prior === 'wiener' || isModel ? 16 : 0) : Number(values.samples);
    if (!Number.isInteger(samples) || samples < 0) throw new InputError('INPUT_INVALID', `--samples must be an integer ≥ 0, got '${values.samples}'`, { option: 'samples' });
    if (samples > 0 && (prior === 'tv' || prior === 'l1')) io.err(`warning: --prior ${prior} gives a MAP estimate only; --samples ignored`);
    const summary = await runRestore({
      input, out: values.out, op: op as RestoreOp, prior: isModel ? 'score' : (prior as ClassicPrior), modelDir: isModel ? prior : undefined, psf: values.psf, psfFwhm: num(values['psf-fwhm'], 'psf-fwhm'),
      pixelScale: num(values['pixel-scale'], 'pixel-scale'), samples: prior === 'tv' || prior === 'l1' ? 0 : samples, stepsPerLevel: num(values.steps, 'steps'), levels: num(values.levels, 'levels'), sigmaMax: num(values['sigma-max'], 'sigma-max'), signal: io.signal, seed: num(values.seed, 'seed', false) ?? 0,
      lambda: num(values.lambda, 'lambda'), maxIter: num(values['max-iter'], 'max-iter'),
    }, (m) => io.err(m), (d, t, l) => io.progress(d, t, l));
    if (values.json) io.out(JSON.stringify(summary));
    else io.out(`${values.out}: ${op} with ${prior}, ${String(summary.bands)} band(s) ${String(summary.rows)} × ${String(summary.cols)}, ${String(summary.samples)} samples, std ${summary.std ? 'yes' : 'no (MAP only)'}`);
    return 0;
  },
};
