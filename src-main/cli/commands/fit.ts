// `lensdesk fit CUTOUT.fits`: posterior of the SIE + shear + Sérsic lens model for one multi-band cutout.
// MAP by multi-start Levenberg–Marquardt, then NUTS chains (Laplace-preconditioned, Stan warm-up) in
// worker threads; prints posterior summaries, R̂, ESS, sampler checks and wall time. Documented in docs/infer.md.
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { applyBandsOption, cubeBands } from '../../../src-core/stamps/band-keywords';
import { isPlaceholderBand, parseBandList } from '../../../src-core/stamps/band-names';
import { InputError } from '../../../src-core/errors';
import type { FitsHeader } from '../../../src-core/fits/header';
import { lensModelFromInput, type LensFitInput } from '../../../src-core/infer/lens-fit';
import { makeKernel } from '../../../src-core/lens/psf';
import { detectPointImages } from '../../../src-core/infer/image-positions';
import { cropInput, stampSideFor, truncatePixelPsf } from '../../../src-core/infer/stamp-crop';
import { encodeSamplesFits } from '../../../src-core/infer/samples-table';
import { DEFAULT_FIT_SETTINGS, fitLens } from '../../fit/fit-lens';
import { fitPsf } from '../../fit/fit-psf';
import { readFitObservation } from '../../fit/read-observation';
import { checkOutputPath, lensDeskSoftware, writeOutputFile } from '../../fit/samples-file';
import { numberOption, numberOptionOr } from '../args';
import type { CliCommand } from '../command';

const USAGE = `Usage:
  lensdesk fit IMAGE.fits [--hdu NAME|N] [--ra DEG --dec DEG --size ARCSEC] [--pixel-scale ARCSEC] [--mask MASK.fits]
               [--psf PSF.fits | --psf-fwhm ARCSEC [--psf-profile gaussian|moffat] [--moffat-beta 3]] [--max-seconds S]
               [--model auto|sie|ext|sie+ps] [--source sersic|sersic+shapelets[:NMAX]] [--no-crop] [--ps-error-floor F|fit] [--psf-flux F]
  lensdesk fit CUTOUT.fits [--psf PSF.fits] [--index I] [--grid simulator|uniform] [--chains 4] [--warmup 75] [--draws 200]
               [--max-draws 1000] [--max-depth 10] [--no-inflate] [--no-replan] [--samples OUT.fits [--force]] [--workers 2] [--seed S] [--json]

Fits SIE + external shear (centre fixed at the stamp centre), a Sérsic source and a de Vaucouleurs lens
light (sharing the mass q and φ) to a multi-band cutout; per-band source and lens amplitudes are solved
by non-negative least squares at every step. Uniform priors as the emcee peer. MAP by multi-start
Levenberg–Marquardt, then NUTS (one chain per worker thread, from overdispersed starts), continued in rounds
(100 draws per chain for sie, --draws for ext and sie+ps) until every R̂ < 1.01 and θE's bulk ESS ≥ 400 (or
--max-draws per chain); when the first round has not converged, the chains are re-preconditioned with its draws'
mean and covariance, warmed up again (sie: 50 iterations, else --warmup) and the first round's draws discarded
(--no-replan keeps the MAP's metric, in rounds of --draws). When a posterior draw has a lower χ² than the MAP,
the fit re-optimises from it and samples again (at most twice); a fit that does not settle reports converged:
false and a reason. When χ²/pixel at the MAP exceeds 1.5 the model misses structure in the cutout: the variances
are scaled by that χ²/pixel before sampling (reported as varianceInflation) so that the widths include the model
error; --no-inflate keeps the cutout's variances.

Input: a 2-D image (H × W) or a cube (bands × H × W, or N × bands × H × W from \`lensdesk simulate\`, pick one with
--index) in the primary HDU, else SCI, else the first image HDU (or --hdu); sky subtracted. A stamp that is not an
odd square is cut to its central odd square; a large image needs --ra --dec --size. Unit from BUNIT: electrons,
electrons/s (× EXPTIME), counts/ADU (× GAIN), or calibrated fluxes (nanomaggies, nJy, MJy/sr: need a noise HDU).
Noise from a VARIANCE, IVAR, WEIGHT/WHT (inverse variance, as HST drizzle writes), or ERR/SIGMA HDU; else
estimated from the stamp border (sigma-clipped) plus the Poisson variance of the MAP model where the gain is known;
the output says which. Bad pixels: a MASK/DQ/BPM HDU or --mask (nonzero = bad) and NaN pixels carry no weight.
Pixel scale from the WCS, else PIXSCALE, else --pixel-scale. Band names from BANDS, FILTERS, BAND1…, FILTER1… (2-D: FILTER, BAND,
EXTNAME) or --bands (docs/fits.md);
PRESET names the survey whose per-band seeing gives Gaussian PSFs unless --psf or --psf-fwhm is given.
The MAP, its χ² and χ²/pixel are printed (stderr) before sampling starts.

Models (--model, default sie): sie = the 12-parameter model above; ext = SIE + shear with a free centre (uniform
within 0.6″ of the stamp centre), Sérsic lens light with its own n, q, φ, Sérsic source (17 parameters);
sie+ps = ext plus a quasar at the source centre whose images sit where the lens equation puts them, each the
PSF with its own free amplitude per band (profiled by NNLS). auto = sie+ps when the cutout has at least two
compact (PSF-like, S/N ≥ 30) peaks away from the centre, else sie. sie+ps starts its MAP from a lens fitted to
those peaks' positions, cuts the stamp to 0.8″ beyond the outermost peak (--no-crop keeps it), adds the quasar
images' PSF-model error to their pixels' variances (--ps-error-floor) and preconditions the chains with the
Hessian of the analytic gradient; ext and sie+ps have analytic gradients (point images through the lens equation).

Options:
  --hdu NAME|N      science HDU (EXTNAME or 0-based index)
  --ra, --dec DEG   cut a stamp centred on this sky position through the image's WCS (error when outside the image)
  --size ARCSEC     side of that stamp (rounded to an odd number of pixels)
  --pixel-scale S   arcsec/pixel when the file has no WCS or PIXSCALE (given, it overrides the file, with a warning)
  --mask FILE       FITS image, the science image's shape or one 2-D plane; nonzero = bad pixel
  --psf FILE        PSF image (H × W, one for all bands) or cube (bands × H × W), odd sizes, centred; resampled to the
                    cutout's pixel scale when its header (WCS, PIXSCALE or PIXELSCL) states another
  --psf-fwhm F      PSF FWHM in arcsec for every band (instead of a file or the preset)
  --psf-profile P   gaussian (default) or moffat, with --moffat-beta B (default 3)
  --model M         auto, sie (default), ext or sie+ps (see Models above)
  --source S        the source's light: sersic (default) or sersic+shapelets[:NMAX] = the Sérsic plus Cartesian
                    shapelets (Refregier 2003) of orders n1 + n2 ≤ NMAX (default 4, at most 12) on its centre with
                    scale β = its r_e, through the same lens and PSF, with signed amplitudes per band solved with the
                    others at every step ((NMAX+1)(NMAX+2)/2 per band; no new non-linear parameter). Needs ext or
                    sie+ps: without --model it selects ext (auto: sie+ps or ext). Reported as 'source' (χ² at the MAP
                    with the shapelets and with them removed and the other amplitudes re-solved)
  --no-crop         sie+ps: keep the whole stamp and PSF
  --max-seconds S   wall-clock budget: the MAP search (before every LM step) and sampling (before every leapfrog step,
                    inside NUTS trajectories) stop when it is spent and the fit returns what it has, flagged
                    (converged: false, partial, reason 'time budget … not converged (R̂ …, bulk-ESS(θE) …)'; the MAP
                    only when no draws exist yet)
  --preset NAME     survey preset for the default PSFs (default: PRESET keyword, else lsst)
  --index I         cutout index in a 4-D cube (default 0)
  --bands g,r,i,z   band of each plane (file order) where the file does not name them (docs/fits.md)
  --grid G          pixel integration: simulator (default; LensDesk's simulate grid) or uniform (3 × 3 sub-pixels
                    everywhere, as the numpy peer lens_sim_numpy.py: use it for the peer's cutouts)
  --chains C        NUTS chains (default 4)
  --warmup W        warm-up iterations per chain (default 75; the Laplace preconditioning makes short warm-ups enough)
  --draws N         draws per chain per round (default 200; sie with the re-preconditioning on: min(N, 100))
  --max-draws N     stop continuing at N draws per chain even if R̂ or ESS miss their targets (default 1000)
  --max-depth D     NUTS maximum tree depth (default 10, Stan's, for sie; 6 for ext and sie+ps; each draw costs up to
                    2^D − 1 gradients)
  --no-inflate      sample with the cutout's own variances even when the model does not fit it
  --no-replan       keep the MAP's metric (Laplace or Hessian) in every round; by default a first round that has
                    not converged re-preconditions the chains with its draws' covariance (Stan's dense metric)
  --ps-error-floor F|fit
                    sie+ps: PSF-model error of the quasar images, σ² += (F × their model image)² before any rescaling
                    (lenstronomy's point-source error map); default 1 (the quasar pixels constrain the images'
                    positions, not the extended light); 'fit': F by maximum likelihood on the MAP residuals; 0: none.
                    Reported as pointErrorFloor
  --psf-flux F      sie+ps: cut a pixelised PSF to the central square holding F of its flux (default 1: whole)
  --samples FILE    also write every posterior draw to FILE as a FITS BINTABLE (EXTNAME SAMPLES): one row per
                    draw, columns CHAIN, DRAW, the 12 parameters (arcsec for theta_E, src_x, src_y, src_r_e,
                    lens_r_e), LP, ACCEPT_STAT, N_LEAPFROG, DIVERGENT, TREEDEPTH, ENERGY; header FITFILE, BANDS,
                    SAMPLER, NCHAINS, NWARMUP, NDRAWS, SEED, RHATMAX, CREATOR, DATE. Written atomically
  --force           overwrite an existing --samples FILE
  --workers K       worker threads (default 2; 0 = in this thread)
  --seed S          seed of the MAP starts and chains (default 0)
  --json            one JSON object (format in docs/infer.md)`;

/**
 * Band names (issue 18, docs/fits.md): BANDS / FILTERS / BAND1… / FILTER1… (a 2-D image: FILTER, BAND, HST's
 * FILTER1/2, EXTNAME) with survey names normalised, from the science HDU then the primary; --bands names planes the
 * file leaves unnamed and must agree with it otherwise. `band1…` when nothing names them (no preset PSF then).
 */
function bandNames(file: string, headers: FitsHeader[], nb: number, option?: string[]): { bands: string[]; named: boolean } {
  const at = { file, hdu: 0 };
  const found = headers.map((h) => cubeBands(h, nb, at)).find((d) => !d.bands.every(isPlaceholderBand));
  const d = applyBandsOption(found ?? cubeBands(headers[0]!, nb, at), option, at);
  return { bands: d.bands, named: !d.bands.every(isPlaceholderBand) };
}

/** --source: undefined for 'sersic' (the default), else the shapelets' n_max (integer 0–12; 4 when not given). */
export function parseSourceOption(v: string | undefined): number | undefined {
  if (v === undefined || v === 'sersic') return undefined;
  const m = /^sersic\+shapelets(?::(\d+))?$/.exec(v);
  const nMax = m ? (m[1] === undefined ? 4 : Number(m[1])) : NaN;
  if (!(nMax >= 0 && nMax <= 12))
    throw new InputError('INPUT_INVALID', `--source must be sersic or sersic+shapelets[:NMAX] with NMAX an integer 0–12, got '${v}'`, { option: 'source' });
  return nMax;
}

/** The source model of a fit and, with shapelets, χ² at the MAP with them and with them removed (the same lens and
 * variances, the other amplitudes re-solved): how much of the fit the shapelets carry. */
function sourceReport(input: LensFitInput, variance: Float64Array, theta: number[], chi2: number) {
  if (input.shapelets === undefined) return { kind: 'sersic' as const };
  const nMax = input.shapelets;
  const without = lensModelFromInput({ ...input, variance, shapelets: undefined }).solve(theta).chi2;
  return {
    kind: 'sersic+shapelets' as const, nMax, shapeletAmplitudes: (((nMax + 1) * (nMax + 2)) / 2) * input.bands.length,
    mapChi2: r6(chi2), mapChi2WithoutShapelets: r6(without),
  };
}

const r6 = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : null);

export const fitCommand: CliCommand = {
  name: 'fit',
  summary: 'lens-model posterior (SIE + shear, Sérsic) of one cutout by NUTS',
  usage: USAGE,
  async run(argv, io) {
    // A southern declination (or a negative RA) after --dec / --ra is a value, not an option: '--dec -4.75' → '--dec=-4.75'.
    const args = argv.map((a, i) => (/^--(ra|dec)$/.test(a) && /^-\d/.test(argv[i + 1] ?? '') ? `${a}=${argv[i + 1]}` : a))
      .filter((a, i) => !(/^-\d/.test(a) && /^--(ra|dec)$/.test(argv[i - 1] ?? '')));
    const { values, positionals } = parseArgs({
      args, allowPositionals: true, strict: true,
      options: {
        bands: { type: 'string' },
        psf: { type: 'string' }, preset: { type: 'string' }, index: { type: 'string' }, chains: { type: 'string' }, grid: { type: 'string' },
        warmup: { type: 'string' }, samples: { type: 'string' }, draws: { type: 'string' }, workers: { type: 'string' }, seed: { type: 'string' },
        'max-draws': { type: 'string' }, 'max-depth': { type: 'string' }, 'no-inflate': { type: 'boolean', default: false }, 'no-replan': { type: 'boolean', default: false }, 'ps-error-floor': { type: 'string' }, 'psf-flux': { type: 'string' },
        json: { type: 'boolean', default: false }, force: { type: 'boolean', default: false },
        hdu: { type: 'string' }, 'pixel-scale': { type: 'string' }, ra: { type: 'string' }, dec: { type: 'string' }, size: { type: 'string' },
        mask: { type: 'string' }, 'psf-fwhm': { type: 'string' }, 'psf-profile': { type: 'string' }, 'moffat-beta': { type: 'string' },
        'max-seconds': { type: 'string' }, model: { type: 'string' }, 'no-crop': { type: 'boolean', default: false }, source: { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new InputError('INPUT_INVALID', 'give exactly one CUTOUT.fits', { given: positionals.length });
    const chains = numberOptionOr(values, 'chains', 4, { integer: true, min: 1 });
    const nWarmup = numberOptionOr(values, 'warmup', DEFAULT_FIT_SETTINGS.warmup, { integer: true, min: 0 });
    const nSamples = numberOptionOr(values, 'draws', DEFAULT_FIT_SETTINGS.samples, { integer: true, min: 10 });
    const maxDraws = Math.max(nSamples, numberOptionOr(values, 'max-draws', DEFAULT_FIT_SETTINGS.maxSamples, { integer: true, min: 10 }));
    // Check the output path before the minutes-long fit, not after it.
    const samplesOut = values.samples !== undefined ? checkOutputPath(values.samples, { force: values.force }) : null;
    const workers = numberOptionOr(values, 'workers', 2, { integer: true, min: 0 });
    const seed = numberOptionOr(values, 'seed', 0, { integer: true, min: 0 });
    const t0 = performance.now();
    const index = numberOptionOr(values, 'index', 0, { integer: true, min: 0 });
    const c = readFitObservation(positionals[0]!, {
      hdu: values.hdu, index, pixelScale: numberOption(values, 'pixel-scale', { above: 0 }),
      ra: numberOption(values, 'ra'), dec: numberOption(values, 'dec'), size: numberOption(values, 'size', { above: 0 }), maskFile: values.mask,
    });
    const { bands } = bandNames(c.name, c.headers, c.nBands, values.bands ? parseBandList(values.bands) : undefined);
    const presetHint = c.headers.map((h) => h.getString('PRESET')).find((x) => x);
    const profile = values['psf-profile'];
    if (profile !== undefined && profile !== 'gaussian' && profile !== 'moffat') throw new InputError('INPUT_INVALID', `--psf-profile must be gaussian or moffat, got '${profile}'`, { option: 'psf-profile' });
    const psfChoice = fitPsf({ file: values.psf, fwhm: numberOption(values, 'psf-fwhm', { above: 0 }), profile, beta: numberOption(values, 'moffat-beta', { above: 0 }), preset: values.preset }, bands, c.pixelScale, presetHint);
    const psf = psfChoice.specs;
    const psfFrom = psfChoice.from;
    const warnings = [...c.warnings, ...psfChoice.warnings];
    const noise = { ...c.noise, background: c.noise.background?.map((e, b) => ({ ...e, band: bands[b]! })) };
    const maxSeconds = numberOption(values, 'max-seconds', { min: 0 }); // 0: the MAP only
    if (maxSeconds! < 0) throw new InputError('INPUT_INVALID', `--max-seconds must be ≥ 0, got '${values['max-seconds']}'`, { option: 'max-seconds' });
    const grid = values.grid ?? 'simulator';
    if (grid !== 'simulator' && grid !== 'uniform') throw new InputError('INPUT_INVALID', `--grid must be simulator or uniform, got '${grid}'`, { option: 'grid' });
    const shapelets = parseSourceOption(values.source);
    if (shapelets !== undefined && values.model === 'sie')
      throw new InputError('INPUT_INVALID', `--source ${values.source} needs --model ext, sie+ps or auto: the 12-parameter sie model has a Sérsic source only`, { option: 'source' });
    const modelOpt = values.model ?? (shapelets !== undefined ? 'ext' : 'sie');
    if (!['auto', 'sie', 'ext', 'sie+ps'].includes(modelOpt)) throw new InputError('INPUT_INVALID', `--model must be auto, sie, ext or sie+ps, got '${modelOpt}'`, { option: 'model' });
    let input: LensFitInput = {
      bands, size: c.size, pixelScale: c.pixelScale, image: c.image, variance: c.variance, psf, grid,
      ...(c.noise.poissonFromModel ? { poissonFromModel: true } : {}),
    };
    // Point sources: detect the compact peaks (auto decides on them; sie+ps crops to them).
    let modelNote = '';
    if (modelOpt === 'auto' || modelOpt === 'sie+ps') {
      const kernels = psf.map((p) => makeKernel(p, c.pixelScale));
      const det = detectPointImages({ bands: bands.length, size: c.size, pixelScale: c.pixelScale, image: c.image, variance: c.variance, psf: kernels });
      const chosen = modelOpt === 'sie+ps' || det.peaks.length >= 2 ? 'sie+ps' : shapelets !== undefined ? 'ext' : 'sie';
      modelNote = `${det.peaks.length} compact peak(s) in ${bands[det.band]}${det.peaks.length ? ` at r = ${det.peaks.map((p) => Math.hypot(p.x, p.y).toFixed(2)).join(', ')}″` : ''}`
        + (modelOpt === 'auto' ? ` → model ${chosen}` : '');
      input = { ...input, model: chosen };
      if (chosen === 'sie+ps' && !values['no-crop']) {
        const rMax = Math.max(0, ...det.peaks.map((p) => Math.hypot(p.x, p.y)));
        const side = det.peaks.length ? stampSideFor(rMax, 0.8, c.pixelScale) : c.size;
        if (side < c.size) {
          input = cropInput(input, side);
          modelNote += `; stamp cut to the central ${side}×${side}`;
        }
        // The PSF is kept whole (it was cut to 97 % of its flux for speed): the missing 3 % of quasar images of
        // ~10⁶ e⁻ are ~3 × 10⁴ e⁻ of wings that the Sérsic source and lens light then absorb by running to their
        // prior bounds (r_e = 2″, n = 8 on HE0435-1223), where the posterior's curvature breaks NUTS
        // (docs/real-skies.md "HE0435-1223 with a point-source error floor"). --psf-flux F cuts it to F of its flux again.
        const psfFlux = numberOption(values, 'psf-flux', { above: 0 }) ?? 1;
        const cut = psfFlux < 1 ? input.psf.map((p) => truncatePixelPsf(p, psfFlux)) : input.psf;
        if (cut.some((p, b) => p !== input.psf[b])) {
          modelNote += `; PSF cut to ${cut.map((p) => (p.type === 'pixel' ? `${p.width}×${p.width}` : p.type)).join(', ')} (${(100 * psfFlux).toPrecision(3)} % of its flux)`;
          input = { ...input, psf: cut };
        }
      }
    } else input = { ...input, model: modelOpt as 'sie' | 'ext' };
    if (shapelets !== undefined) input = { ...input, shapelets };
    // HST-like pixels (< 0.08″, PSF FWHM ≥ 2 pixels): one ray per pixel resolves every profile the PSF leaves;
    // the simulator's 3 × 3 (12 × 12 at the centre) grid would cost 2.5× per evaluation for nothing measurable.
    if (input.model !== 'sie' && values.grid === undefined && c.pixelScale < 0.08) {
      input = { ...input, grid: 'uniform', supersample: 1 };
      modelNote += `${modelNote ? '; ' : ''}one ray per pixel (HST-like pixels)`;
    }
    for (const w of warnings) io.err(`warning: ${w}`);
    io.err(`fit ${c.name} [${c.hduName}]: ${bands.join(',')} ${c.size}×${c.size} at ${c.pixelScale.toPrecision(4)}″/pixel (${c.pixelScaleFrom})`
      + (c.window.x0 || c.window.y0 || c.targetPixel ? `, stamp from pixel (${c.window.x0}, ${c.window.y0})` : '')
      + `; unit ${c.unit}${c.units.bunit ? ` (BUNIT ${c.units.bunit}: ${c.units.via})` : ` (${c.units.via})`}; noise: ${noise.text}`
      + `; masked ${c.masked.total} pixel(s)${c.maskFrom ? ` (mask: ${c.maskFrom})` : ''}; PSF: ${psfFrom}`
      + `; model ${input.model}${modelNote ? ` (${modelNote})` : ''}${shapelets !== undefined ? `; source Sérsic + shapelets n_max ${shapelets}` : ''}; MAP…`);
    // The extended models' evaluations cost more (free centre, point images): a depth-6 cap (≤ 63 leapfrog steps) bounds
    // what an early warm-up draw with a badly adapted step size can cost; the Laplace-preconditioned posterior needs far fewer.
    const maxDepth = numberOptionOr(values, 'max-depth', input.model === 'sie' ? DEFAULT_FIT_SETTINGS.maxDepth : 6, { integer: true, min: 1 });
    const floorOpt = values['ps-error-floor'];
    const pointErrorFloor = floorOpt === 'fit' ? 'fit' as const : floorOpt === undefined ? 1 : Number(floorOpt);
    if (typeof pointErrorFloor === 'number' && !(pointErrorFloor >= 0 && pointErrorFloor <= 1))
      throw new InputError('INPUT_INVALID', `--ps-error-floor must be 'fit' or a fraction in [0, 1], got '${floorOpt}'`, { option: 'ps-error-floor' });
    const settings = {
      ...DEFAULT_FIT_SETTINGS, chains, warmup: nWarmup, samples: nSamples, seed, maxSamples: maxDraws, maxDepth, pointErrorFloor,
      inflateAbove: values['no-inflate'] ? 0 : DEFAULT_FIT_SETTINGS.inflateAbove,
      replan: !values['no-replan'],
    };
    const fit = await fitLens(input, settings, {
      workers, signal: io.signal, onProgress: (d, n, phase) => io.progress(d, n, phase), ...(maxSeconds !== undefined ? { maxSeconds } : {}),
      // Printed before sampling starts, so that a long (or interrupted) fit has shown its best fit already.
      onMap: (m) => {
        io.err(`MAP χ² ${m.chi2.toFixed(1)} for ${m.nPixels} pixels (χ²/pixel ${m.chi2PerPixel.toFixed(3)}${m.poissonAdded ? ', Poisson variance of the MAP model added' : ''}), `
          + (m.pointErrorFloor ? `point-source error floor f = ${m.pointErrorFloor.f.toPrecision(3)} (${m.pointErrorFloor.fitted ? 'fitted' : 'given'}; χ² ${m.pointErrorFloor.chi2Before.toFixed(1)} before it), ` : '')
          + `θE ${m.theta[0]!.toFixed(4)}″ (${m.evaluations} evaluations, ${m.seconds.toFixed(1)} s); sampling…`);
      },
    });
    const { plan, report: rep } = fit;
    const source = sourceReport(input, fit.variance, plan.mapTheta, plan.mapChi2);
    const mapS = fit.mapSeconds;
    const wall = fit.wallSeconds;
    const npix = fit.nPixels;
    io.err(`MAP χ² ${plan.mapChi2.toFixed(1)} for ${npix} pixels (${plan.mapEvaluations} evaluations, ${mapS.toFixed(1)} s)`
      + (fit.varianceInflation > 1 ? `; the model misses structure in this cutout: variances × ${fit.varianceInflation.toFixed(2)} while sampling` : '')
      + (fit.modeRounds ? `; re-optimised ${fit.modeRounds}× from posterior draws below the MAP` : '')
      + (fit.replanned ? `; metric re-estimated from the first ${fit.replanned.discardedPerChain} draws per chain (R̂ ${fit.replanned.rhatBefore.toFixed(3)} with the ${fit.replanned.from} metric; those draws discarded as warm-up)` : '')
      + `; NUTS ${fit.physical.length} × (${nWarmup} + ${fit.physical[0]?.nSamples ?? 0}) in ${fit.rounds} round(s), ${fit.converged ? 'converged' : `NOT converged: ${fit.reason}`}`);
    if (samplesOut && fit.physical.length) {
      const bytes = encodeSamplesFits(fit.physical, fit.paramNames, {
        file: basename(c.name), index, bands, sampler: 'NUTS', warmup: nWarmup, seed,
        rhatMax: rep.rhatMax, grid, psf: psfFrom, pixelScale: c.pixelScale, size: c.size, mapChi2: plan.mapChi2,
        maxDepth: fit.physical[0]!.maxDepth, software: lensDeskSoftware(), date: new Date().toISOString().slice(0, 19),
      });
      writeOutputFile(samplesOut, bytes, { force: values.force });
      io.err(`wrote ${fit.physical.reduce((a, r) => a + r.nSamples, 0)} draws to ${samplesOut}`);
    } else if (samplesOut) io.err(`no draws to write to ${samplesOut} (the time budget ended the fit before sampling)`);
    const out = {
      file: c.name, bands, size: input.size, pixelScale: c.pixelScale, psf: psfFrom, grid, model: input.model,
      ...(fit.points ? { points: {
        peaks: fit.points.peaks.map((p) => ({ x: r6(p.x), y: r6(p.y), snr: r6(p.snr) })),
        positionFit: fit.points.positionFit ? { theta_E: r6(fit.points.positionFit.params[0]!), rms: r6(fit.points.positionFit.rms), nPredicted: fit.points.positionFit.nPredicted } : null,
        images: fit.points.images.map((im) => ({ x: r6(im.x), y: r6(im.y), mu: r6(im.mu), amplitudes: im.amplitudes.map(r6) })),
      } } : {}),
      input: {
        hdu: c.hduName, pixelScaleFrom: c.pixelScaleFrom, unit: c.unit,
        units: { bunit: c.units.bunit || null, kind: c.units.kind, toElectrons: c.units.toElectrons, via: c.units.via },
        noise: { source: noise.source, text: noise.text, poissonFromModel: noise.poissonFromModel, poissonAdded: fit.poissonAdded, ...(noise.background ? { background: noise.background.map((e) => ({ ...e, level: r6(e.level), sigma: r6(e.sigma) })) } : {}) },
        masked: c.masked, mask: c.maskFrom, stamp: { x0: c.window.x0, y0: c.window.y0, side: c.window.side, partial: c.window.partial, ...(c.targetPixel ? { target: { x: r6(c.targetPixel.x), y: r6(c.targetPixel.y) } } : {}) },
        warnings,
      },
      nPixels: fit.nPixels, maxSeconds: maxSeconds ?? null, partial: fit.partial,
      chains, warmup: nWarmup, draws: fit.physical[0]?.nSamples ?? 0, rounds: fit.rounds, converged: fit.converged, reason: fit.reason,
      modeRounds: fit.modeRounds, startModes: fit.startModes, bestDrawChi2: r6(fit.modeCheck.bestDrawChi2),
      chi2Expected: { mean: fit.chi2Expected.mean, sd: r6(fit.chi2Expected.sd) }, mapChi2Z: r6(fit.mapChi2Z),
      varianceInflation: r6(fit.varianceInflation), mapChi2PerPixel: r6(fit.mapChi2PerPixel), workers, seed,
      pointErrorFloor: fit.pointErrorFloor ? { ...fit.pointErrorFloor, f: r6(fit.pointErrorFloor.f), chi2Before: r6(fit.pointErrorFloor.chi2Before), chi2After: r6(fit.pointErrorFloor.chi2After) } : null,
      metric: plan.metric ?? 'gauss-newton',
      replanned: fit.replanned ? { ...fit.replanned, rhatBefore: r6(fit.replanned.rhatBefore) } : null,
      source,
      map: { theta: Object.fromEntries(rep.params.map((p, i) => [p.name, r6(plan.mapTheta[i]!)])), chi2: r6(plan.mapChi2), startChi2: plan.startChi2.map(r6), evaluations: plan.mapEvaluations, seconds: r6(mapS) },
      params: Object.fromEntries(rep.params.map((p) => [p.name, {
        mean: r6(p.mean), sd: r6(p.sd), q2_5: r6(p.q2_5), q16: r6(p.q16), q50: r6(p.q50), q84: r6(p.q84), q97_5: r6(p.q97_5),
        rhat: r6(p.rhat), essBulk: r6(p.essBulk), essTail: r6(p.essTail),
      }])),
      rhatMax: r6(rep.rhatMax), essBulkMin: r6(rep.essBulkMin), essTailMin: r6(rep.essTailMin),
      divergences: rep.sampler.divergences, warmupDivergences: rep.sampler.warmupDivergences,
      treeDepthSaturated: rep.sampler.treeDepthSaturated, ebfmi: rep.sampler.ebfmi.map(r6),
      stepSize: rep.sampler.stepSize.map(r6), meanAcceptProb: r6(rep.sampler.meanAcceptProb),
      gradientEvaluations: rep.sampler.gradientEvals, wallSeconds: r6(wall),
      ...(samplesOut ? { samplesFile: samplesOut } : {}),
    };
    if (values.json) {
      io.out(JSON.stringify(out));
      return 0;
    }
    io.out(`${'param'.padEnd(9)} ${'mean'.padStart(10)} ${'sd'.padStart(9)} ${'2.5%'.padStart(10)} ${'16%'.padStart(10)} ${'50%'.padStart(10)} ${'84%'.padStart(10)} ${'97.5%'.padStart(10)}  R̂      ESSbulk ESStail`);
    for (const p of rep.params)
      io.out(`${p.name.padEnd(9)} ${[p.mean, p.sd, p.q2_5, p.q16, p.q50, p.q84, p.q97_5].map((v) => v.toPrecision(5).padStart(10)).join(' ')}  ${p.rhat.toFixed(3)}  ${p.essBulk.toFixed(0).padStart(6)}  ${p.essTail.toFixed(0).padStart(6)}`);
    if (fit.partial) io.out(`PARTIAL RESULT (converged: false): ${fit.reason}${fit.partial === 'map' ? '; the values above are the MAP, no posterior draws' : ''}`);
    if (source.kind !== 'sersic')
      io.out(`source: Sérsic + shapelets n_max ${source.nMax} (${source.shapeletAmplitudes} signed amplitudes); χ² at the MAP ${source.mapChi2} with them, ${source.mapChi2WithoutShapelets} with them removed (other amplitudes re-solved, same lens)`);
    io.out(`noise: ${noise.text}; χ²/pixel at the MAP ${fit.mapChi2PerPixel.toFixed(3)} over ${fit.nPixels} pixels`);
    io.out(`R̂ max ${rep.rhatMax.toFixed(3)}, ESS bulk min ${rep.essBulkMin.toFixed(0)}, tail min ${rep.essTailMin.toFixed(0)}; divergences ${rep.sampler.divergences} (+${rep.sampler.warmupDivergences} in warm-up), tree depth saturated ${rep.sampler.treeDepthSaturated}, E-BFMI ${rep.sampler.ebfmi.map((e) => e.toFixed(2)).join(' ')}; ${wall.toFixed(1)} s`);
    return 0;
  },
};
