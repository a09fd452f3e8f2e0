// `lensdesk source`: the unlensed source behind a modelled lens, as a posterior (MEAN, STD, SAMPLES on a
// source-plane grid) with the image-plane MODEL and RESIDUAL. Method: docs/learned-priors.md ("Source
// reconstruction"); wiring: src-main/source/.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InputError } from '../../../src-core/errors';
import { writeFits } from '../../../src-core/fits/writer';
import type { LensFitInput } from '../../../src-core/infer/lens-fit';
import { applyBandsOption, cubeBands } from '../../../src-core/stamps/band-keywords';
import { isPlaceholderBand } from '../../../src-core/stamps/band-names';
import { fitPsf } from '../../fit/fit-psf';
import { readFitObservation } from '../../fit/read-observation';
import { checkOutputPath, writeOutputFile } from '../../fit/samples-file';
import { bundledScorePrior } from '../../score/bundled-prior';
import { explicitLens, readDrawsFile, workspaceDraws, type LensDraws } from '../../source/lens-draws';
import { runSourceReconstruction, sourceHdus } from '../../source/run';
import { workspaceStampInput } from '../../source/workspace-input';
import { openWorkspace } from '../../store/workspace';
import type { CliCommand } from '../command';

const USAGE = `Usage:
  lensdesk source CUTOUT.fits --fit SAMPLES.fits|FIT.json [options] --out OUT.fits
  lensdesk source CUTOUT.fits --theta-e ARCSEC --q Q [--phi RAD] [--gamma1 G1 --gamma2 G2] [options] --out OUT.fits
  lensdesk source --workspace DIR (--source-id N | --posterior-id N) [CUTOUT.fits] [options] --out OUT.fits

Reconstructs the unlensed source of one band on an n × n source-plane grid: y = B·S·L x + n, with L the
ray shooting through the SIE + external shear of the lens model (bilinear interpolation on the source grid,
3 × 3 rays per image pixel), S the pixel average and B the PSF (the fit's PSF for that band, FFT, zero
boundary). The fitted de Vaucouleurs lens light of each lens draw is subtracted first (an explicit lens
subtracts nothing: give a lens-subtracted cutout). Lens-model uncertainty: --lens-draws draws of the NUTS
posterior (the median first), so STD includes it.
Lens model:
  --fit FILE          the SAMPLES table of 'lensdesk fit CUTOUT.fits --samples FILE', or its --json output (medians)
  --workspace DIR     with --source-id N (its latest posterior, and its stamp unless CUTOUT.fits is given) or
                      --posterior-id N
  --theta-e, --q, --phi, --gamma1, --gamma2   an explicit SIE + shear (arcsec, axis ratio, radians CCW from +x)
Priors:
  wiener (default)    stationary Gaussian, c_k ∝ (|k|² + k0²)^(−3/2), k0 = 4/n, amplitude by moments
                      (--evidence: by maximum evidence); exact posterior mean, std and draws
  learned             the bundled galaxy score prior (models/priors/score-galaxies-64, or LENSDESK_SCORE_PRIOR)
  DIR                 a score U-Net folder from 'lensdesk prior train': annealed Langevin, one chain per sample
                      (chain c uses lens draw c mod N), its σ ladder × --steps, final Tweedie step
Input: as 'lensdesk fit' (image or bands × H × W cube, VARIANCE/IVAR/WEIGHT/ERR HDU or border noise, PSF from
--psf, --psf-fwhm or the survey preset).
Output FITS: primary (PRODUCT, PRIOR, BAND, NLENS, NSAMPLES, LENSSUB, SRCSCALE), MEAN, STD, SAMPLES
(N × n × n; axes SRC-X/SRC-Y in arcsec from the lens centre, PIXSCALE = source pixel side), MODEL
(image plane: lensed mean + lens light) and RESIDUAL (data − MODEL).

Options:
  --grid N            source grid side (default 64; a score prior needs its training size)
  --source-scale A    source pixel side in arcsec (default: the fit's median source R_e / 4, else pixel / 4)
  --band NAME         band to reconstruct (default: the one where the fitted source has the highest S/N)
  --lens-draws K      lens-model draws (default 8; 1 = the median lens only)
  --samples N         posterior samples (default 16)
  --steps T           Langevin steps per σ level (score prior; default 10)
  --threads T         onnxruntime threads (score prior)
  --seed S            seed (default 0)
  --psf FILE | --psf-fwhm ARCSEC | --preset NAME    PSF as 'lensdesk fit'
  --index I, --hdu NAME|N, --pixel-scale A, --bands g,r,…    input selection as 'lensdesk fit'
  --force             overwrite OUT
  --json              print a JSON summary`;

function num(v: string | undefined, option: string, o: { positive?: boolean; int?: boolean } = {}): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x) || (o.positive && !(x > 0)) || (o.int && !Number.isInteger(x))) {
    throw new InputError('INPUT_INVALID', `--${option} must be a${o.positive ? ' positive' : ''} ${o.int ? 'integer' : 'number'}, got '${v}'`, { option });
  }
  return x;
}

function cutoutInput(file: string, v: Record<string, string | boolean | undefined>): LensFitInput {
  const c = readFitObservation(file, { hdu: v.hdu as string | undefined, index: num(v.index as string | undefined, 'index', { int: true }) ?? 0, pixelScale: num(v['pixel-scale'] as string | undefined, 'pixel-scale', { positive: true }) });
  const at = { file: c.name, hdu: 0 };
  const found = c.headers.map((h) => cubeBands(h, c.nBands, at)).find((d) => !d.bands.every(isPlaceholderBand));
  const bands = applyBandsOption(found ?? cubeBands(c.headers[0]!, c.nBands, at), v.bands ? String(v.bands).split(',') : undefined, at).bands;
  const presetHint = c.headers.map((h) => h.getString('PRESET')).find((x) => x);
  const psf = fitPsf({ file: v.psf as string | undefined, fwhm: num(v['psf-fwhm'] as string | undefined, 'psf-fwhm', { positive: true }), preset: v.preset as string | undefined }, bands, c.pixelScale, presetHint);
  return { bands, size: c.size, pixelScale: c.pixelScale, image: c.image, variance: c.variance, psf: psf.specs };
}

export const sourceCommand: CliCommand = {
  name: 'source',
  summary: 'reconstruct the unlensed source behind a modelled lens (Gaussian or learned prior) → MEAN, STD, SAMPLES FITS',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: {
        fit: { type: 'string' }, 'posterior-id': { type: 'string' }, workspace: { type: 'string' }, 'source-id': { type: 'string' },
        'theta-e': { type: 'string' }, q: { type: 'string' }, phi: { type: 'string' }, gamma1: { type: 'string' }, gamma2: { type: 'string' },
        prior: { type: 'string', default: 'wiener' }, grid: { type: 'string' }, 'source-scale': { type: 'string' }, band: { type: 'string' },
        'lens-draws': { type: 'string' }, samples: { type: 'string' }, steps: { type: 'string' }, threads: { type: 'string' }, seed: { type: 'string' },
        evidence: { type: 'boolean', default: false }, psf: { type: 'string' }, 'psf-fwhm': { type: 'string' }, preset: { type: 'string' },
        index: { type: 'string' }, hdu: { type: 'string' }, 'pixel-scale': { type: 'string' }, bands: { type: 'string' },
        out: { type: 'string' }, force: { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
      },
    });
    if (!values.out) throw new InputError('INPUT_INVALID', 'source needs --out OUT.fits', { option: 'out' });
    const out = checkOutputPath(values.out, { force: values.force, option: 'out' });
    if (positionals.length > 1) throw new InputError('INPUT_INVALID', `give at most one CUTOUT.fits, got ${positionals.length}`, { given: positionals.length });
    const explicit = values['theta-e'] !== undefined || values.q !== undefined;
    const modes = [values.fit !== undefined, values.workspace !== undefined, explicit].filter(Boolean).length;
    if (modes !== 1) throw new InputError('INPUT_INVALID', 'give the lens model one way: --fit FILE, --workspace DIR with --source-id/--posterior-id, or --theta-e and --q', { option: 'fit' });
    let draws: LensDraws, input: LensFitInput;
    if (values.workspace !== undefined) {
      const ws = openWorkspace(values.workspace);
      try {
        const d = workspaceDraws(ws.db, { posteriorId: num(values['posterior-id'], 'posterior-id', { int: true, positive: true }), sourceId: num(values['source-id'], 'source-id', { int: true, positive: true }) });
        draws = d;
        input = positionals[0] ? cutoutInput(positionals[0], values) : workspaceStampInput(ws.db, ws.dir, d.sourceId, values.preset).input;
      } finally {
        ws.close();
      }
    } else {
      if (!positionals[0]) throw new InputError('INPUT_INVALID', 'source needs a CUTOUT.fits', {});
      if (values.fit !== undefined) draws = readDrawsFile(values.fit);
      else {
        if (values['theta-e'] === undefined || values.q === undefined) throw new InputError('INPUT_INVALID', 'an explicit lens needs both --theta-e and --q', { option: 'theta-e' });
        draws = explicitLens({
          thetaE: num(values['theta-e'], 'theta-e')!, q: num(values.q, 'q')!, phi: num(values.phi, 'phi') ?? 0,
          gamma1: num(values.gamma1, 'gamma1') ?? 0, gamma2: num(values.gamma2, 'gamma2') ?? 0,
        });
      }
      input = cutoutInput(positionals[0], values);
    }
    const priorArg = values.prior!;
    let prior: 'wiener' | { dir: string };
    if (priorArg === 'wiener') prior = 'wiener';
    else if (priorArg === 'learned') {
      const dir = bundledScorePrior();
      if (!dir) throw new InputError('NO_SCORE_PRIOR', 'no bundled score prior is installed (models/priors/score-galaxies-64); train one with \'lensdesk prior train\' and pass --prior DIR, set LENSDESK_SCORE_PRIOR, or use --prior wiener', { option: 'prior' });
      prior = { dir };
    } else if (existsSync(join(priorArg, 'card.json')) && existsSync(join(priorArg, 'model.onnx'))) prior = { dir: priorArg };
    else throw new InputError('INPUT_INVALID', `unknown --prior '${priorArg}': use wiener, learned or a model folder from 'lensdesk prior train' (card.json + model.onnx)`, { option: 'prior' });
    const samples = num(values.samples, 'samples', { int: true }) ?? 16;
    if (samples < 0) throw new InputError('INPUT_INVALID', `--samples must be ≥ 0, got ${samples}`, { option: 'samples' });
    const r = await runSourceReconstruction({
      input, draws, prior, samples, seed: num(values.seed, 'seed', { int: true }) ?? 0,
      lensDraws: num(values['lens-draws'], 'lens-draws', { int: true, positive: true }), band: values.band,
      grid: num(values.grid, 'grid', { int: true, positive: true }), sourceScale: num(values['source-scale'], 'source-scale', { positive: true }),
      stepsPerLevel: num(values.steps, 'steps', { int: true, positive: true }), threads: num(values.threads, 'threads', { int: true, positive: true }),
      evidence: values.evidence, signal: io.signal, progress: (d, t, l) => io.progress(d, t, l),
    });
    writeOutputFile(out, writeFits(sourceHdus(r, input.pixelScale, input.size, prior === 'wiener' ? 'wiener' : prior.dir)), { force: true, option: 'out' });
    const summary = { out, ...r.summary };
    if (values.json) io.out(JSON.stringify(summary));
    else io.out(`${out}: source of band ${r.band} on ${r.grid.rows} × ${r.grid.cols} at ${r.grid.pixelScale.toPrecision(3)}″/pixel, ${String(r.summary.lensDraws)} lens draw(s), ${r.samples.length} samples, χ²/pixel ${Number(r.summary.chi2PerPixel).toFixed(3)}, ${Number(r.summary.seconds).toFixed(1)} s`);
    return 0;
  },
};
