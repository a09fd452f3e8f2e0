// `lensdesk simulate`: a training / test set of simulated strong-lens cutouts as FITS chunks
// (cube + VARIANCE + TRUTH each), in worker threads. Resumable: chunk files are written atomically
// and skipped when present; simulate.json pins the configuration so a resumed run cannot mix sets.
// Documented in docs/simulate.md.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InputError } from '../../../src-core/errors';
import { configRecord, resolveConfig, type SimulationConfig } from '../../../src-core/lens/config';
import { NEGATIVE_KINDS } from '../../../src-core/lens/negatives';
import { hardSetConfig } from '../../../src-core/lens/hard-set';
import { getPreset, PRESETS } from '../../../src-core/lens/presets';
import { parsePsfArgs } from '../../lens/psf-file';
import { readStampLibrary } from '../../lens/stamp-files';
import { flowVaeSourceDir, flowVaeStampLibrary } from '../../generative/stamp-library';
import { runSimulationChunks } from '../../workers/simulate-pool';
import type { CliCommand } from '../command';

const USAGE = `Usage:
  lensdesk simulate --preset lsst --n 20000 --out DIR [--seed S] [--lens-fraction F] [--workers 2]

Simulated strong-lens cutouts (SIE + shear, clumpy Sérsic sources, hard negatives, PSF, Poisson +
read noise) written as FITS chunks DIR/cutouts-<first>-<last>.fits: primary cube N×bands×H×W
(float32, e⁻, sky subtracted, TAN WCS), VARIANCE, and a TRUTH table with every drawn parameter.
Cutout i is a pure function of (configuration, seed, i). Re-running the same command resumes.

Options:
  --preset NAME         ${Object.keys(PRESETS).join(' | ')} (default lsst)
  --n N                 number of cutouts (required)
  --out DIR             output directory (required)
  --seed S              integer seed (default 0)
  --lens-fraction F     fraction of lenses, 0–1 (default 0.5)
  --hardness H          0 easy … 1 hard (default 0.5): fainter sources, more lens-like negatives
  --source-mag A,B      unlensed source r magnitude range (default 21.5,23.5+1.5·hardness)
  --negatives K=W,...   weights of negative kinds (${NEGATIVE_KINDS.join(', ')})
  --bands g,r,i,z       subset of the preset's bands (default: preset default)
  --size N              stamp size in pixels, odd (default: preset)
  --psf gaussian|moffat PSF model (default gaussian; Moffat β 3.5)
  --psf FILE            PSF FITS image for all bands (odd, square, centred) or cube bands × H × W in
                        the simulated band order
  --psf BAND=FILE       PSF FITS image for one band (repeatable; other bands keep the model PSF);
                        file names and SHA-256 are recorded in simulate.json and the chunk headers
  --source-stamps PATH  real galaxy stamps as lensed sources: a folder of FITS files (each H × W or
                        N × H × W) or one such file; sky-subtracted, negative pixels count as 0
  --sources flowvae:MODEL      lensed sources drawn from a Flow-VAE galaxy model (lensdesk galaxy train;
                        e.g. flowvae:models/generative/flowvae-lsst-32): --flowvae-count N galaxies
                        (default 1000) are decoded once, PSF-free, and lensed, convolved with the
                        preset's PSF and pixelised like real stamps; --source-stamp-fraction applies
  --source-stamp-scale ARCSEC  arcsec per stamp pixel (default: the stamps' WCS CD/CDELT or PIXSCALE)
  --source-stamp-fraction F    fraction of lenses with a stamp source, 0–1 (default 1; the rest
                        are clumpy Sérsic sources)
  --quasar-fraction F   fraction of lenses whose source is a lensed quasar: doubles and quads from
                        the SIE + shear lens equation, each image a PSF of flux |μ|·F_qso, with a
                        host galaxy in 60 % (default 0)
  --theta-e A,B         Einstein radius range, arcsec (default 0.8,2.5)
  --hard-set            the held-out hard evaluation set (hardness 1, θE 0.5–2.5″, quasar fraction
                        0.25, rings/mergers/spirals/edge-on discs/blends/artefacts; see
                        docs/classify.md); other options override it
  --no-detectable       keep lenses that fail μ > 3, S/N > 20, resolved (default: re-draw them)
  --workers W           worker threads (default 2)
  --chunk C             cutouts per file (default 500)
  --ra DEG --dec DEG    nominal WCS position of the cutout centres (default 150, 2)
  --json                print {out, preset, seed, n, chunks, written, skipped, seconds, cutoutsPerSecond}`;

const MANIFEST = 'simulate.json';

function int(v: string | undefined, name: string, dflt: number, lo = 0): number {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (!Number.isInteger(x) || x < lo) throw new InputError('INPUT_INVALID', `--${name} must be an integer ≥ ${lo}, got '${v}'`, { option: name });
  return x;
}

function float(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new InputError('INPUT_INVALID', `--${name} must be a number, got '${v}'`, { option: name });
  return x;
}

export const simulateCommand: CliCommand = {
  name: 'simulate',
  summary: 'simulate strong-lens training cutouts (FITS chunks with variance and truth)',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        preset: { type: 'string', default: 'lsst' }, n: { type: 'string' }, out: { type: 'string' },
        seed: { type: 'string' }, 'lens-fraction': { type: 'string' }, hardness: { type: 'string' },
        negatives: { type: 'string' }, 'source-mag': { type: 'string' }, bands: { type: 'string' }, size: { type: 'string' },
        psf: { type: 'string', multiple: true }, 'source-stamps': { type: 'string' }, sources: { type: 'string' }, 'flowvae-count': { type: 'string' },
        'source-stamp-scale': { type: 'string' }, 'source-stamp-fraction': { type: 'string' }, 'no-detectable': { type: 'boolean', default: false },
        'quasar-fraction': { type: 'string' }, 'theta-e': { type: 'string' }, 'hard-set': { type: 'boolean', default: false },
        workers: { type: 'string' }, chunk: { type: 'string' }, ra: { type: 'string' }, dec: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    if (!values.n) throw new InputError('INPUT_INVALID', '--n is required', { option: 'n' });
    if (!values.out) throw new InputError('INPUT_INVALID', '--out is required', { option: 'out' });
    const n = int(values.n, 'n', 0, 1);
    const seed = int(values.seed, 'seed', 0);
    const workers = int(values.workers, 'workers', 2, 1);
    const chunk = int(values.chunk, 'chunk', 500, 1);
    let negativeMix: Record<string, number> | undefined;
    if (values.negatives) {
      negativeMix = Object.fromEntries(NEGATIVE_KINDS.map((k) => [k, 0]));
      for (const part of values.negatives.split(',')) {
        const [k, w] = part.split('=');
        negativeMix[k.trim()] = float(w, 'negatives') ?? 1;
      }
    }
    const base = resolveConfig({ preset: values.preset!, bands: values.bands?.split(',').map((s) => s.trim()) });
    const psf = parsePsfArgs(values.psf ?? [], base.bands, getPreset(base.preset).name);
    for (const w of psf.warnings) io.err(`warning: ${w}`);
    const stampFraction = float(values['source-stamp-fraction'], 'source-stamp-fraction');
    if (values.sources !== undefined && (!flowVaeSourceDir(values.sources) || values['source-stamps'] !== undefined)) {
      throw new InputError('INPUT_INVALID', `--sources takes flowvae:MODEL_DIR (not with --source-stamps), got '${values.sources}'`, { option: 'sources' });
    }
    if (values['source-stamps'] === undefined && values.sources === undefined && (values['source-stamp-scale'] !== undefined || stampFraction !== undefined)) {
      throw new InputError('INPUT_INVALID', '--source-stamp-scale and --source-stamp-fraction need --source-stamps or --sources', { option: 'source-stamps' });
    }
    if (stampFraction !== undefined && !(stampFraction >= 0 && stampFraction <= 1)) {
      throw new InputError('INPUT_INVALID', `--source-stamp-fraction must be in [0, 1], got ${stampFraction}`, { option: 'source-stamp-fraction' });
    }
    const stamps = values.sources !== undefined
      ? await flowVaeStampLibrary(flowVaeSourceDir(values.sources)!, { count: int(values['flowvae-count'], 'flowvae-count', 1000, 1), seed, fraction: stampFraction })
      : values['source-stamps'] === undefined ? undefined
      : readStampLibrary(values['source-stamps'], { scale: float(values['source-stamp-scale'], 'source-stamp-scale'), fraction: stampFraction });
    if (stamps) io.err(`source stamps: ${stamps.library.stamps.length} from ${stamps.files.length} file(s) in ${stamps.path}`);
    const hard: Partial<SimulationConfig> = values['hard-set'] ? hardSetConfig({ preset: values.preset! }) : {};
    const te = values['theta-e']?.split(',').map((x) => float(x, 'theta-e'));
    const config = resolveConfig({
      ...hard,
      ...(te ? { thetaEMin: te[0], thetaEMax: te[1] } : {}),
      ...(values['quasar-fraction'] !== undefined ? { quasarFraction: float(values['quasar-fraction'], 'quasar-fraction') } : {}),
      preset: values.preset!, bands: values.bands?.split(',').map((s) => s.trim()),
      size: values.size === undefined ? undefined : int(values.size, 'size', 0, 9),
      lensFraction: float(values['lens-fraction'], 'lens-fraction') ?? hard.lensFraction, hardness: float(values.hardness, 'hardness') ?? hard.hardness,
      sourceRMin: values['source-mag'] ? float(values['source-mag'].split(',')[0], 'source-mag') : undefined,
      sourceRMax: values['source-mag'] ? float(values['source-mag'].split(',')[1], 'source-mag') : undefined,
      negativeMix: negativeMix ?? hard.negativeMix, requireDetectable: !values['no-detectable'], psf: psf.model as SimulationConfig['psf'],
      ...(Object.keys(psf.override).length ? { psfOverride: psf.override } : {}),
      ...(stamps ? { sourceStamps: stamps.library } : {}),
    });
    const dir = values.out;
    mkdirSync(dir, { recursive: true });
    // Pixel data never go into the manifest: PSFs by file name + SHA-256 (in config.psfOverride),
    // stamps by library id + every file's name, SHA-256, stamp count and pixel scale.
    const manifest = { format: 'lensdesk-simulate/1', seed, n, chunk, config: configRecord(config),
      ...(stamps ? { sourceStamps: { path: stamps.path, id: stamps.library.id, fraction: stamps.library.fraction, files: stamps.files } } : {}) };
    const mPath = join(dir, MANIFEST);
    if (existsSync(mPath)) {
      const old = JSON.parse(readFileSync(mPath, 'utf8'));
      if (JSON.stringify({ ...old, created: undefined }) !== JSON.stringify({ ...manifest, created: undefined })) {
        throw new InputError('SIM_MANIFEST_MISMATCH', `${mPath} was written with other settings (seed, n, chunk or configuration); use a new --out directory`, { file: mPath });
      }
    } else {
      const tmp = `${mPath}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ ...manifest, created: new Date().toISOString() }, null, 2) + '\n');
      renameSync(tmp, mPath);
    }
    // Temp files of an interrupted run are incomplete by construction: remove them.
    for (const f of readdirSync(dir)) if (/^cutouts-\d+-\d+\.fits\..*\.tmp$/.test(f)) rmSync(join(dir, f));
    const pad = (v: number) => String(v).padStart(String(n - 1).length, '0');
    const jobs = [];
    let skipped = 0;
    for (let start = 0; start < n; start += chunk) {
      const count = Math.min(chunk, n - start);
      const file = join(dir, `cutouts-${pad(start)}-${pad(start + count - 1)}.fits`);
      if (existsSync(file)) { skipped += count; continue; }
      jobs.push({ config, seed, start, count, outFile: file, ra: float(values.ra, 'ra'), dec: float(values.dec, 'dec') });
    }
    if (skipped) io.err(`resuming: ${skipped} of ${n} cutouts already in ${dir}`);
    const t0 = performance.now();
    let done = skipped;
    io.progress(done, n, 'simulate');
    await runSimulationChunks(jobs, {
      workers, signal: io.signal,
      onChunk: (r) => { done += r.count; io.progress(done, n, 'simulate'); },
    });
    const seconds = (performance.now() - t0) / 1000;
    const written = n - skipped;
    const summary = { out: dir, preset: config.preset, seed, n, chunks: Math.ceil(n / chunk), written, skipped,
      seconds: Math.round(seconds * 100) / 100, cutoutsPerSecond: written ? Math.round(written / seconds) : 0 };
    if (values.json) io.out(JSON.stringify(summary));
    else io.out(`${written} cutouts written (${skipped} already there) to ${dir} in ${summary.seconds} s (${summary.cutoutsPerSecond}/s)`);
    return 0;
  },
};
