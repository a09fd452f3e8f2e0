// `lensdesk fit CUTOUT.fits`: posterior of the SIE + shear + Sérsic lens model for one multi-band cutout.
// MAP by multi-start Levenberg–Marquardt, then NUTS chains (Laplace-preconditioned, Stan warm-up) in
// worker threads; prints posterior summaries, R̂, ESS, sampler checks and wall time. Documented in docs/infer.md.
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { applyBandsOption, cubeBands } from '../../../src-core/stamps/band-keywords';
import { isPlaceholderBand, parseBandList } from '../../../src-core/stamps/band-names';
import { InputError } from '../../../src-core/errors';
import { isImageHdu, readImage } from '../../../src-core/fits/image';
import type { FitsFile } from '../../../src-core/fits/file';
import type { LensFitInput } from '../../../src-core/infer/lens-fit';
import { LENS_PARAM_NAMES } from '../../../src-core/infer/lens-model';
import { encodeSamplesFits } from '../../../src-core/infer/samples-table';
import { getPreset } from '../../../src-core/lens/presets';
import type { PsfSpec } from '../../../src-core/lens/psf';
import { openFitsFile } from '../../fits/file-source';
import { readPsf } from '../../lens/psf-file';
import { DEFAULT_FIT_SETTINGS, fitLens } from '../../fit/fit-lens';
import { checkOutputPath, lensDeskSoftware, writeOutputFile } from '../../fit/samples-file';
import type { CliCommand } from '../command';

const USAGE = `Usage:
  lensdesk fit CUTOUT.fits [--psf PSF.fits] [--index I] [--grid simulator|uniform] [--chains 4] [--warmup 75] [--draws 200]
               [--max-draws 1000] [--max-depth 10] [--no-inflate] [--samples OUT.fits [--force]] [--workers 2] [--seed S] [--json]

Fits SIE + external shear (centre fixed at the stamp centre), a Sérsic source and a de Vaucouleurs lens
light (sharing the mass q and φ) to a multi-band cutout; per-band source and lens amplitudes are solved
by non-negative least squares at every step. Uniform priors as the emcee peer. MAP by multi-start
Levenberg–Marquardt, then NUTS (one chain per worker thread, from overdispersed starts), continued in rounds
of --draws until every R̂ < 1.01 and θE's bulk ESS ≥ 400 (or --max-draws per chain). When a posterior draw has a
lower χ² than the MAP, the fit re-optimises from it and samples again (at most twice); a fit that does not
settle reports converged: false and a reason. When χ²/pixel at the MAP exceeds 1.5 the model
misses structure in the cutout: the variances are scaled by that χ²/pixel before sampling (reported as
varianceInflation) so that the widths include the model error; --no-inflate keeps the cutout's variances.

Input: primary HDU bands × H × W (or N × bands × H × W from \`lensdesk simulate\`, pick one with --index),
e⁻, sky subtracted; a VARIANCE extension (e⁻²); PIXSCALE (arcsec) and the band names (BANDS, FILTERS, BAND1… or --bands);
PRESET names the survey whose per-band seeing gives Gaussian PSFs unless --psf is given.

Options:
  --psf FILE        PSF image (H × W, one for all bands) or cube (bands × H × W), odd sizes, centred
  --preset NAME     survey preset for the default PSFs (default: PRESET keyword, else lsst)
  --index I         cutout index in a 4-D cube (default 0)
  --bands g,r,i,z   band of each plane (file order) where the file does not name them (docs/fits.md)
  --grid G          pixel integration: simulator (default; LensDesk's simulate grid) or uniform (3 × 3 sub-pixels
                    everywhere, as the numpy peer lens_sim_numpy.py: use it for the peer's cutouts)
  --chains C        NUTS chains (default 4)
  --warmup W        warm-up iterations per chain (default 75; the Laplace preconditioning makes short warm-ups enough)
  --draws N         draws per chain after warm-up, and per continuation round (default 200)
  --max-draws N     stop continuing at N draws per chain even if R̂ or ESS miss their targets (default 1000)
  --max-depth D     NUTS maximum tree depth (default 10, Stan's; each draw costs up to 2^D − 1 gradients)
  --no-inflate      sample with the cutout's own variances even when the model does not fit it
  --samples FILE    also write every posterior draw to FILE as a FITS BINTABLE (EXTNAME SAMPLES): one row per
                    draw, columns CHAIN, DRAW, the 12 parameters (arcsec for theta_E, src_x, src_y, src_r_e,
                    lens_r_e), LP, ACCEPT_STAT, N_LEAPFROG, DIVERGENT, TREEDEPTH, ENERGY; header FITFILE, BANDS,
                    SAMPLER, NCHAINS, NWARMUP, NDRAWS, SEED, RHATMAX, CREATOR, DATE. Written atomically
  --force           overwrite an existing --samples FILE
  --workers K       worker threads (default 2; 0 = in this thread)
  --seed S          seed of the MAP starts and chains (default 0)
  --json            one JSON object (format in docs/infer.md)`;

function int(v: string | undefined, name: string, dflt: number, lo = 0): number {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (!Number.isInteger(x) || x < lo) throw new InputError('INPUT_INVALID', `--${name} must be an integer ≥ ${lo}, got '${v}'`, { option: name });
  return x;
}

function bandNames(file: FitsFile, nb: number, option?: string[]): string[] {
  // BANDS / FILTERS / BAND1… / FILTER1… with survey names normalised, and --bands (issue 18).
  const at = { file: file.name, hdu: 0 };
  const d = applyBandsOption(cubeBands(file.hdu(0).header, nb, at), option, at);
  if (d.bands.every(isPlaceholderBand)) throw new InputError('FIT_BANDS', `${file.name}: cannot name the ${nb} bands (no BANDS, FILTERS, BAND1… or FILTER1… keyword); name them with --bands g,r,i,z (plane order)`, { file: file.name });
  return d.bands;
}

/** Reads image + variance (+ band names, pixel scale, preset) of one cutout. */
function readCutoutFile(path: string, index: number, bandsOption?: string[]) {
  const f = openFitsFile(path);
  const prim = f.hdu(0);
  if (!isImageHdu(prim)) throw new InputError('FIT_INPUT', `${f.name}: primary HDU is not an image`, { file: f.name });
  const img = readImage(f, prim);
  const vhdu = f.find('VARIANCE');
  if (!vhdu) throw new InputError('FIT_INPUT', `${f.name}: no VARIANCE extension`, { file: f.name });
  const v = readImage(f, vhdu);
  const shape = img.shape;
  if (shape.length !== 3 && shape.length !== 4)
    throw new InputError('FIT_INPUT', `${f.name}: expected bands × H × W or N × bands × H × W, got [${shape.join(', ')}]`, { file: f.name });
  if (shape.join() !== v.shape.join()) throw new InputError('FIT_INPUT', `${f.name}: VARIANCE shape differs from the image`, { file: f.name });
  const [nb, ny, nx] = shape.slice(-3) as [number, number, number];
  if (ny !== nx) throw new InputError('FIT_INPUT', `${f.name}: stamp must be square, got ${ny} × ${nx}`, { file: f.name });
  const n = shape.length === 4 ? shape[0]! : 1;
  if (index >= n) throw new InputError('FIT_INPUT', `${f.name}: --index ${index} but the file holds ${n} cutout(s)`, { file: f.name });
  const per = nb * ny * nx;
  const image = Float64Array.from(img.data.subarray(index * per, (index + 1) * per) as ArrayLike<number>);
  const variance = Float64Array.from(v.data.subarray(index * per, (index + 1) * per) as ArrayLike<number>);
  const h = prim.header;
  const pixelScale = h.getNumber('PIXSCALE');
  if (!(pixelScale! > 0)) throw new InputError('FIT_INPUT', `${f.name}: PIXSCALE (arcsec/pixel) missing`, { file: f.name, keyword: 'PIXSCALE' });
  return { name: f.name, bands: bandNames(f, nb, bandsOption), size: nx, pixelScale: pixelScale!, image, variance, preset: h.getString('PRESET') };
}

const r6 = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : null);

export const fitCommand: CliCommand = {
  name: 'fit',
  summary: 'lens-model posterior (SIE + shear, Sérsic) of one cutout by NUTS',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        bands: { type: 'string' },
        psf: { type: 'string' }, preset: { type: 'string' }, index: { type: 'string' }, chains: { type: 'string' }, grid: { type: 'string' },
        warmup: { type: 'string' }, samples: { type: 'string' }, draws: { type: 'string' }, workers: { type: 'string' }, seed: { type: 'string' },
        'max-draws': { type: 'string' }, 'max-depth': { type: 'string' }, 'no-inflate': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false }, force: { type: 'boolean', default: false },
      },
    });
    if (positionals.length !== 1) throw new InputError('INPUT_INVALID', 'give exactly one CUTOUT.fits', { given: positionals.length });
    const chains = int(values.chains, 'chains', 4, 1);
    const nWarmup = int(values.warmup, 'warmup', DEFAULT_FIT_SETTINGS.warmup, 0);
    const nSamples = int(values.draws, 'draws', DEFAULT_FIT_SETTINGS.samples, 10);
    const maxDraws = Math.max(nSamples, int(values['max-draws'], 'max-draws', DEFAULT_FIT_SETTINGS.maxSamples, 10));
    // Check the output path before the minutes-long fit, not after it.
    const samplesOut = values.samples !== undefined ? checkOutputPath(values.samples, { force: values.force }) : null;
    const workers = int(values.workers, 'workers', 2, 0);
    const seed = int(values.seed, 'seed', 0);
    const t0 = performance.now();
    const c = readCutoutFile(positionals[0]!, int(values.index, 'index', 0), values.bands ? parseBandList(values.bands) : undefined);
    let psf: PsfSpec[];
    let psfFrom: string;
    if (values.psf) {
      psf = readPsf(values.psf, c.bands);
      psfFrom = values.psf;
    } else {
      const preset = getPreset(values.preset ?? c.preset ?? 'lsst');
      psf = c.bands.map((b) => {
        const spec = preset.bands[b];
        if (!spec) throw new InputError('FIT_PSF', `preset ${preset.name} has no band '${b}'; give --psf`, { band: b });
        return { type: 'gaussian' as const, fwhm: spec.seeing };
      });
      psfFrom = `gaussian seeing of preset ${preset.name}`;
    }
    const grid = values.grid ?? 'simulator';
    if (grid !== 'simulator' && grid !== 'uniform') throw new InputError('INPUT_INVALID', `--grid must be simulator or uniform, got '${grid}'`, { option: 'grid' });
    const input: LensFitInput = { bands: c.bands, size: c.size, pixelScale: c.pixelScale, image: c.image, variance: c.variance, psf, grid };
    io.err(`fit ${c.name}: ${c.bands.join('')} ${c.size}×${c.size}, PSF: ${psfFrom}; MAP…`);
    const maxDepth = int(values['max-depth'], 'max-depth', DEFAULT_FIT_SETTINGS.maxDepth, 1);
    const settings = {
      ...DEFAULT_FIT_SETTINGS, chains, warmup: nWarmup, samples: nSamples, seed, maxSamples: maxDraws, maxDepth,
      inflateAbove: values['no-inflate'] ? 0 : DEFAULT_FIT_SETTINGS.inflateAbove,
    };
    const fit = await fitLens(input, settings, { workers, signal: io.signal, onProgress: (d, n, phase) => io.progress(d, n, phase) });
    const { plan, report: rep } = fit;
    const mapS = fit.mapSeconds;
    const wall = fit.wallSeconds;
    const npix = c.size * c.size * c.bands.length;
    io.err(`MAP χ² ${plan.mapChi2.toFixed(1)} for ${npix} pixels (${plan.mapEvaluations} evaluations, ${mapS.toFixed(1)} s)`
      + (fit.varianceInflation > 1 ? `; the model misses structure in this cutout: variances × ${fit.varianceInflation.toFixed(2)} while sampling` : '')
      + (fit.modeRounds ? `; re-optimised ${fit.modeRounds}× from posterior draws below the MAP` : '')
      + `; NUTS ${chains} × (${nWarmup} + ${fit.physical[0]!.nSamples}) in ${fit.rounds} round(s), ${fit.converged ? 'converged' : `NOT converged: ${fit.reason}`}`);
    if (samplesOut) {
      const bytes = encodeSamplesFits(fit.physical, LENS_PARAM_NAMES, {
        file: basename(c.name), index: int(values.index, 'index', 0), bands: c.bands, sampler: 'NUTS', warmup: nWarmup, seed,
        rhatMax: rep.rhatMax, grid, psf: psfFrom, pixelScale: c.pixelScale, size: c.size, mapChi2: plan.mapChi2,
        maxDepth: fit.physical[0]!.maxDepth, software: lensDeskSoftware(), date: new Date().toISOString().slice(0, 19),
      });
      writeOutputFile(samplesOut, bytes, { force: values.force });
      io.err(`wrote ${fit.physical.reduce((a, r) => a + r.nSamples, 0)} draws to ${samplesOut}`);
    }
    const out = {
      file: c.name, bands: c.bands, size: c.size, pixelScale: c.pixelScale, psf: psfFrom, grid,
      chains, warmup: nWarmup, draws: fit.physical[0]!.nSamples, rounds: fit.rounds, converged: fit.converged, reason: fit.reason,
      modeRounds: fit.modeRounds, startModes: fit.startModes, bestDrawChi2: r6(fit.modeCheck.bestDrawChi2),
      chi2Expected: { mean: fit.chi2Expected.mean, sd: r6(fit.chi2Expected.sd) }, mapChi2Z: r6(fit.mapChi2Z),
      varianceInflation: r6(fit.varianceInflation), mapChi2PerPixel: r6(fit.mapChi2PerPixel), workers, seed,
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
    io.out(`R̂ max ${rep.rhatMax.toFixed(3)}, ESS bulk min ${rep.essBulkMin.toFixed(0)}, tail min ${rep.essTailMin.toFixed(0)}; divergences ${rep.sampler.divergences} (+${rep.sampler.warmupDivergences} in warm-up), tree depth saturated ${rep.sampler.treeDepthSaturated}, E-BFMI ${rep.sampler.ebfmi.map((e) => e.toFixed(2)).join(' ')}; ${wall.toFixed(1)} s`);
    return 0;
  },
};
