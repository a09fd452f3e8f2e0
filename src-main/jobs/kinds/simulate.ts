// Simulate job: a simulated survey inside the workspace, one stamp file per cutout with its truth,
// opened in the grid like any catalog (so reviewers can practise on known lenses and non-lenses,
// Space Warps style). Training sets on disk are made by `lensdesk simulate` (FITS chunks).
// Resumable: rows already stored are skipped; every cutout is a pure function of (config, seed, i).
// Each set gets its own sky patch (src-core/lens/sky-patch.ts), the first free one in the workspace,
// recorded in the catalog's origin so a resumed job reuses it; each source is named after its set,
// seed and index, so no two simulated sources share a name or a position. When a model is at hand
// the job chains a score job for the new set (result.next), so it is scored as the demo is.
import { existsSync, mkdirSync } from 'node:fs';
import { freePatchIndex, positionInPatch, skyPatch } from '../../../src-core/lens/sky-patch';
import { join, relative, resolve } from 'node:path';
import { simulateJobParams } from '../../../src-core/api/contract';
import { InputError } from '../../../src-core/errors';
import { resolveConfig } from '../../../src-core/lens/config';
import { getPreset } from '../../../src-core/lens/presets';
import { simulateCutout, type SimulationConfig } from '../../../src-core/lens/simulate';
import { parsePsfArgs, type PixelPsf } from '../../lens/psf-file';
import { readStampLibrary } from '../../lens/stamp-files';
import { bundledFlowVae } from '../../generative/posterior';
import { flowVaeSourceDir, flowVaeStampLibrary } from '../../generative/stamp-library';
import { writeStampFile } from '../../stamps/stamp-file';
import type { JobContext, JobKind } from '../types';
import { slug } from './ingest';

export interface SimulateParams {
  name: string;
  count: number;
  seed: number;
  config: SimulationConfig;
  /** Unused since issue 19 (each set gets its own patch at run time); kept so queued jobs still parse. */
  field?: { ra: number; dec: number; radiusDeg: number };
  /**
   * Pixelised PSFs: absolute path per band (or '*' for one file / cube for all bands) and the
   * files' SHA-256 at queue time (a resumed job refuses changed files).
   */
  psfFiles?: { band: string; path: string; sha256: string }[];
  /** Real galaxy stamps as sources (read when the job runs). */
  sourceStamps?: { path: string; scale?: number; fraction: number };
  /** Flow-VAE galaxies as sources (`sources: 'flowvae[:MODEL]'`): `count` decoded once when the job runs (issue 16). */
  flowvae?: { path: string; count: number; fraction: number };
}

/** `sources` param → the Flow-VAE model folder, null for the default profiles; throws naming params.sources. */
export function flowVaeSourcesParam(sources: string | undefined): string | null {
  if (sources === undefined || sources === 'profiles') return null;
  const dir = sources === 'flowvae' ? bundledFlowVae() : flowVaeSourceDir(sources);
  if (sources !== 'flowvae' && dir === null)
    throw new InputError('INVALID_PARAMS', `simulate: sources must be 'profiles', 'flowvae' or 'flowvae:MODEL_DIR', got '${sources}'`, { field: 'params.sources' });
  if (!dir || !existsSync(join(dir, 'card.json')))
    throw new InputError('FLOWVAE_MODEL_MISSING', `simulate: no Flow-VAE model at ${dir ?? 'models/generative/flowvae-lsst-32 (not installed)'} (card.json missing)`, { field: 'params.sources', path: dir ?? '' });
  return dir;
}

/** The PSF args of parsePsfArgs from the job's `psf` param (a path, or {band: path}), absolute. */
function psfArgs(psf: string | Record<string, string> | undefined): string[] {
  if (psf === undefined) return [];
  if (typeof psf === 'string') return [resolve(psf)];
  return Object.entries(psf).map(([b, f]) => `${b}=${resolve(f)}`);
}

/** Reads the PSF files into psfOverride kernels (src-main only), checking they did not change. */
export function loadPsfOverride(p: SimulateParams): Record<string, PixelPsf> | undefined {
  if (!p.psfFiles?.length) return undefined;
  const bands = resolveConfig(p.config).bands;
  const args = p.psfFiles.map((f) => (f.band === '*' ? f.path : `${f.band}=${f.path}`));
  const r = parsePsfArgs(args, bands, p.config.preset);
  for (const f of p.psfFiles) {
    const spec = f.band === '*' ? r.override[bands[0]!] : r.override[f.band];
    if (spec?.origin?.sha256 !== f.sha256) {
      throw new InputError('PSF_CHANGED', `PSF file ${f.path} changed since the job was queued; start a new job`, { file: f.path, band: f.band });
    }
  }
  return r.override;
}

export function prepareSimulate(p: Record<string, unknown>, defaults: { name: string; count: number }): SimulateParams {
  const count = p.count === undefined ? defaults.count : Number(p.count);
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000) {
    throw new InputError('INVALID_PARAMS', 'simulate: count must be an integer in [1, 1000000]', { field: 'params.count' });
  }
  const parsed = simulateJobParams.safeParse(p);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = ['params', ...issue.path.map(String)].join('.');
    throw new InputError('INVALID_PARAMS', `simulate: ${field}: ${issue.message}`, { field });
  }
  const q = parsed.data;
  const config: SimulationConfig = {
    preset: typeof p.preset === 'string' ? p.preset : 'lsst',
    lensFraction: typeof p.lensFraction === 'number' ? p.lensFraction : 0.25,
    ...(typeof p.hardness === 'number' ? { hardness: p.hardness } : {}),
    ...(typeof p.quasarFraction === 'number' ? { quasarFraction: p.quasarFraction } : {}),
  };
  const resolved = resolveConfig(config); // throws InputError naming a bad preset, fraction or hardness
  const out: SimulateParams = {
    name: typeof p.name === 'string' && p.name.trim() ? p.name.trim().slice(0, 100) : defaults.name,
    count,
    seed: Number.isInteger(p.seed) ? (p.seed as number) : 20261125,
    config,
  };
  if (q.psf !== undefined) {
    // Read and check the PSFs now, so a bad file or band is refused before the job is queued.
    const args = psfArgs(q.psf);
    const r = parsePsfArgs(args, resolved.bands, resolved.preset);
    out.psfFiles = args.map((a) => {
      const eq = typeof q.psf === 'string' ? -1 : a.indexOf('=');
      const band = eq < 0 ? '*' : a.slice(0, eq);
      const spec = r.override[band === '*' ? resolved.bands[0]! : band]!;
      return { band, path: eq < 0 ? a : a.slice(eq + 1), sha256: spec.origin!.sha256 };
    });
  }
  const flowvaeDir = flowVaeSourcesParam(q.sources);
  if (flowvaeDir && q.sourceStamps !== undefined)
    throw new InputError('INVALID_PARAMS', 'simulate: give galaxy stamps (sourceStamps) or a Flow-VAE model (sources), not both', { field: 'params.sources' });
  if (flowvaeDir) {
    if (q.sourceStampScale !== undefined) throw new InputError('INVALID_PARAMS', 'simulate: sourceStampScale is for sourceStamps (a Flow-VAE model knows its pixel)', { field: 'params.sourceStampScale' });
    out.flowvae = { path: flowvaeDir, count: q.flowvaeCount ?? 1000, fraction: q.sourceStampFraction ?? 1 };
  } else if (q.sourceStamps !== undefined) {
    const path = resolve(q.sourceStamps);
    if (!existsSync(path)) throw new InputError('STAMP_PATH', `simulate: ${path} does not exist`, { field: 'params.sourceStamps', path });
    out.sourceStamps = { path, fraction: q.sourceStampFraction ?? 1, ...(q.sourceStampScale !== undefined ? { scale: q.sourceStampScale } : {}) };
  } else if (q.sourceStampScale !== undefined || q.sourceStampFraction !== undefined) {
    throw new InputError('INVALID_PARAMS', 'simulate: sourceStampScale / sourceStampFraction need sourceStamps', { field: 'params.sourceStamps' });
  }
  return out;
}

/** The full simulator configuration of a job: files read here, in src-main (kernels, stamps). */
export function loadSimulationConfig(p: SimulateParams): SimulationConfig {
  const psfOverride = loadPsfOverride(p);
  const stamps = p.sourceStamps ? readStampLibrary(p.sourceStamps.path, { scale: p.sourceStamps.scale, fraction: p.sourceStamps.fraction }) : undefined;
  return { ...p.config, ...(psfOverride ? { psfOverride } : {}), ...(stamps ? { sourceStamps: stamps.library } : {}) };
}

/** Writes the cutouts into the workspace; progress covers [0, count) of `total`. */
export async function simulateIntoWorkspace(ctx: JobContext<unknown>, p: SimulateParams, total = p.count): Promise<{ catalogId: number; added: number }> {
  const { repo } = ctx;
  const config = loadSimulationConfig(p);
  // Flow-VAE sources: decoded once per run, the same galaxies on a resume (the library id holds the model's hashes, seed and count)
  if (p.flowvae) config.sourceStamps = (await flowVaeStampLibrary(p.flowvae.path, { count: p.flowvae.count, seed: p.seed, fraction: p.flowvae.fraction, threads: 1 })).library;
  const resolved = resolveConfig(config);
  const bands = resolved.bands;
  const size = resolved.size;
  const pixelScale = getPreset(resolved.preset).pixelScale;
  const surveyId = repo.ensureSurvey(`sim-${resolved.preset}`, pixelScale, bands);
  const files = { ...(p.psfFiles ? { psfFiles: p.psfFiles } : {}), ...(config.sourceStamps ? { sourceStamps: { ...p.sourceStamps, id: config.sourceStamps.id } } : {}) };
  const settings = `simulator ${JSON.stringify(p.config)} seed ${p.seed}${Object.keys(files).length ? ' files ' + JSON.stringify(files) : ''}`;
  // Same name and same settings = this job resuming (rows already there are skipped). Same name, other
  // settings would mix two sets under one catalog and silently skip the new rows: refuse.
  const catalogs = repo.catalogs();
  const existing = catalogs.find((c) => c.name === p.name);
  if (existing && originSettings(existing.origin) !== settings)
    throw new InputError('INVALID_PARAMS', `a catalog named '${p.name}' already exists (${existing.n} cutouts, made with other settings); choose another name`, { field: 'params.name', catalog: p.name });
  const patchIndex = existing ? originPatch(existing.origin) : freePatchIndex(catalogs.filter((c) => c.kind === 'simulated').map((c) => originPatch(c.origin)));
  const patch = skyPatch(patchIndex);
  const origin = `${settings} patch ${patchIndex}`;
  const catalogId = repo.ensureCatalog(p.name, origin, 'simulated', surveyId);
  const dir = join(ctx.workspaceDir, 'cutouts', slug(p.name));
  mkdirSync(dir, { recursive: true });
  const done = repo.catalogRowsDone(catalogId);
  const batch: Parameters<typeof repo.insertSources>[1] = [];
  let added = 0;
  for (let i = 0; i < p.count; i++) {
    if (i % 8 === 0) ctx.checkCancelled();
    if (done.has(i)) continue;
    const sim = simulateCutout(config, p.seed, i);
    const { ra, dec } = positionInPatch(patch, i); // deterministic, so a re-made set matches
    const name = simulatedName(p.name, p.seed, i);
    const file = join(dir, `${i}.fits`);
    writeStampFile(file, { width: size, height: size, bands, planes: sim.bands, variance: sim.variance, ra, dec, pixelScale });
    batch.push({ row: i, name, ra, dec, truth: sim.truth, cutout: { path: relative(ctx.workspaceDir, file), width: size, height: size, bands } });
    if (batch.length >= 32) added += repo.insertSources(catalogId, batch.splice(0));
    ctx.progress(i + 1, total, `simulating ${i + 1}/${p.count} (${resolved.preset})`);
  }
  added += repo.insertSources(catalogId, batch.splice(0));
  return { catalogId, added };
}

/** Unique within a workspace: catalog names are (a taken name with other settings is refused above). */
export const simulatedName = (set: string, seed: number, i: number) => `${set} s${seed} #${i}`;

/** A simulated catalog's origin is "<settings> patch <k>"; sets made before patches existed used patch 0. */
function originSettings(origin: string): string {
  return origin.replace(/ patch \d+$/, '');
}
function originPatch(origin: string): number {
  const m = / patch (\d+)$/.exec(origin);
  return m ? Number(m[1]) : 0;
}

/**
 * The score job a new set chains (JobManager starts result.next): with the active model, else the
 * bundled one, which then becomes active; none at hand, no scoring.
 */
export async function scoreJobFor(ctx: JobContext<unknown>, catalogId: number): Promise<{ kind: 'score'; params: Record<string, unknown> } | null> {
  const hadActive = ctx.repo.activeModelId() !== null;
  // Loaded here, in the job's worker: network-scorer brings tfjs with it.
  if (!hadActive && !(await import('../../classify/network-scorer')).findModelDir()) return null;
  return { kind: 'score', params: { catalogId, activate: !hadActive } };
}

export const simulateKind: JobKind<SimulateParams> = {
  kind: 'simulate',
  prepare: (p) => prepareSimulate(p, { name: `Simulated ${typeof p.preset === 'string' ? p.preset : 'lsst'}`, count: 1000 }),
  async run(ctx) {
    const r = await simulateIntoWorkspace(ctx, ctx.params);
    const next = await scoreJobFor(ctx, r.catalogId);
    return { ...r, count: ctx.params.count, preset: ctx.params.config.preset, ...(next ? { next } : {}) };
  },
};
