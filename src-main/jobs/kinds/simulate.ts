// Simulate job: a simulated survey inside the workspace, one stamp file per cutout with its truth,
// opened in the grid like any catalog (so reviewers can practise on known lenses and non-lenses,
// Space Warps style). Training sets on disk are made by `lensdesk simulate` (FITS chunks).
// Resumable: rows already stored are skipped; every cutout is a pure function of (config, seed, i).
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError } from '../../../src-core/errors';
import { resolveConfig } from '../../../src-core/lens/config';
import { getPreset } from '../../../src-core/lens/presets';
import { simulateCutout, type SimulationConfig } from '../../../src-core/lens/simulate';
import { writeStampFile } from '../../stamps/stamp-file';
import type { JobContext, JobKind } from '../types';
import { slug } from './ingest';

export interface SimulateParams {
  name: string;
  count: number;
  seed: number;
  config: SimulationConfig;
  /** Centre of the nominal field the cutouts are spread over (degrees). */
  field: { ra: number; dec: number; radiusDeg: number };
}

export function prepareSimulate(p: Record<string, unknown>, defaults: { name: string; count: number }): SimulateParams {
  const count = p.count === undefined ? defaults.count : Number(p.count);
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000) {
    throw new InputError('INVALID_PARAMS', 'simulate: count must be an integer in [1, 1000000]', { field: 'params.count' });
  }
  const config: SimulationConfig = {
    preset: typeof p.preset === 'string' ? p.preset : 'lsst',
    lensFraction: typeof p.lensFraction === 'number' ? p.lensFraction : 0.25,
    ...(typeof p.hardness === 'number' ? { hardness: p.hardness } : {}),
  };
  resolveConfig(config); // throws InputError naming a bad preset, fraction or hardness
  return {
    name: typeof p.name === 'string' && p.name.trim() ? p.name.trim().slice(0, 100) : defaults.name,
    count,
    seed: Number.isInteger(p.seed) ? (p.seed as number) : 20261125,
    config,
    field: { ra: 150.1, dec: 2.2, radiusDeg: 0.5 }, // COSMOS, inside the LSST/DES/HSC footprints
  };
}

/** Writes the cutouts into the workspace; progress covers [0, count) of `total`. */
export async function simulateIntoWorkspace(ctx: JobContext<unknown>, p: SimulateParams, total = p.count): Promise<{ catalogId: number; added: number }> {
  const { repo } = ctx;
  const resolved = resolveConfig(p.config);
  const bands = resolved.bands;
  const size = resolved.size;
  const pixelScale = getPreset(resolved.preset).pixelScale;
  const surveyId = repo.ensureSurvey(`sim-${resolved.preset}`, pixelScale, bands);
  const catalogId = repo.ensureCatalog(p.name, `simulator ${JSON.stringify(p.config)} seed ${p.seed}`, 'simulated', surveyId);
  const dir = join(ctx.workspaceDir, 'cutouts', slug(p.name));
  mkdirSync(dir, { recursive: true });
  const done = repo.catalogRowsDone(catalogId);
  const batch: Parameters<typeof repo.insertSources>[1] = [];
  let added = 0;
  for (let i = 0; i < p.count; i++) {
    if (i % 8 === 0) ctx.checkCancelled();
    if (done.has(i)) continue;
    const sim = simulateCutout(p.config, p.seed, i);
    // A deterministic spread over the field (golden-ratio sequence), so a re-made set matches.
    const u = (i * 0.6180339887498949) % 1;
    const v = (i * 0.7548776662466927) % 1;
    const ra = p.field.ra + (u - 0.5) * 2 * p.field.radiusDeg;
    const dec = p.field.dec + (v - 0.5) * 2 * p.field.radiusDeg;
    const name = `SIM J${ra.toFixed(4)}${dec >= 0 ? '+' : ''}${dec.toFixed(4)}`;
    const file = join(dir, `${i}.fits`);
    writeStampFile(file, { width: size, height: size, bands, planes: sim.bands, variance: sim.variance, ra, dec, pixelScale });
    batch.push({ row: i, name, ra, dec, truth: sim.truth, cutout: { path: relative(ctx.workspaceDir, file), width: size, height: size, bands } });
    if (batch.length >= 32) added += repo.insertSources(catalogId, batch.splice(0));
    ctx.progress(i + 1, total, `simulating ${i + 1}/${p.count} (${resolved.preset})`);
  }
  added += repo.insertSources(catalogId, batch.splice(0));
  return { catalogId, added };
}

export const simulateKind: JobKind<SimulateParams> = {
  kind: 'simulate',
  prepare: (p) => prepareSimulate(p, { name: `Simulated ${typeof p.preset === 'string' ? p.preset : 'lsst'}`, count: 1000 }),
  async run(ctx) {
    const r = await simulateIntoWorkspace(ctx, ctx.params);
    return { ...r, count: ctx.params.count, preset: ctx.params.config.preset };
  },
};
