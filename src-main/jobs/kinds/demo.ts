// Demo job: on first start LensDesk makes a small simulated survey in the workspace (LSST-like
// g,r,i,z 45×45 stamps, a fraction of them lenses, the rest hard negatives) with the project's own
// simulator, then scores it, so there is something real to review with no download.
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError } from '../../../src-core/errors';
import { resolveConfig } from '../../../src-core/lens/config';
import { getPreset } from '../../../src-core/lens/presets';
import { simulateCutout, type SimulationConfig } from '../../../src-core/lens/simulate';
import { writeStampFile } from '../../stamps/stamp-file';
import type { JobKind } from '../types';
import { runScore } from './score';

export interface DemoParams {
  count: number;
  seed: number;
  preset: string;
  lensFraction: number;
}

/** A patch of sky for the demo, inside the DES/LSST footprint: RA 150°, Dec +2° (COSMOS field). */
const FIELD = { ra: 150.1, dec: 2.2, radiusDeg: 0.5 };

export const demoKind: JobKind<DemoParams> = {
  kind: 'demo',
  prepare(p) {
    const count = p.count === undefined ? 240 : Number(p.count);
    if (!Number.isInteger(count) || count < 1 || count > 100_000) {
      throw new InputError('INVALID_PARAMS', 'demo: count must be an integer in [1, 100000]', { field: 'params.count' });
    }
    return {
      count,
      seed: Number.isInteger(p.seed) ? (p.seed as number) : 20261125,
      preset: typeof p.preset === 'string' ? p.preset : 'lsst',
      lensFraction: typeof p.lensFraction === 'number' ? p.lensFraction : 0.25,
    };
  },
  async run(ctx) {
    const { repo, params } = ctx;
    const config: SimulationConfig = { preset: params.preset, lensFraction: params.lensFraction };
    const resolved = resolveConfig(config);
    const bands = resolved.bands;
    const size = resolved.size;
    const pixelScale = getPreset(params.preset).pixelScale;
    const surveyId = repo.ensureSurvey(`demo-${params.preset}`, pixelScale, bands);
    const catalogId = repo.ensureCatalog('Demo survey (simulated)', `simulator preset ${params.preset}, seed ${params.seed}`, 'simulated', surveyId);
    const dir = join(ctx.workspaceDir, 'cutouts', 'demo');
    mkdirSync(dir, { recursive: true });
    const done = repo.catalogRowsDone(catalogId);
    const total = params.count * 2; // simulate, then score
    const batch: Parameters<typeof repo.insertSources>[1] = [];
    for (let i = 0; i < params.count; i++) {
      if (i % 8 === 0) ctx.checkCancelled();
      if (done.has(i)) continue;
      const sim = simulateCutout(config, params.seed, i);
      // Deterministic position on the field (seeded by index) so re-made demos match.
      const u = ((i * 2654435761) % 4294967296) / 4294967296;
      const v = ((i * 40503 + 12345) % 65536) / 65536;
      const ra = FIELD.ra + (u - 0.5) * 2 * FIELD.radiusDeg;
      const dec = FIELD.dec + (v - 0.5) * 2 * FIELD.radiusDeg;
      const name = `DEMO J${ra.toFixed(4)}${dec >= 0 ? '+' : ''}${dec.toFixed(4)}`;
      const file = join(dir, `${i}.fits`);
      writeStampFile(file, { width: size, height: size, bands, planes: sim.bands, variance: sim.variance, ra, dec, pixelScale });
      batch.push({
        row: i,
        name,
        ra,
        dec,
        truth: sim.truth,
        cutout: { path: relative(ctx.workspaceDir, file), width: size, height: size, bands },
      });
      if (batch.length >= 32) repo.insertSources(catalogId, batch.splice(0));
      ctx.progress(i + 1, total, `simulating demo survey ${i + 1}/${params.count}`);
    }
    if (batch.length) repo.insertSources(catalogId, batch.splice(0));
    const scored = await runScore({ ...ctx, params: { catalogId } }, params.count, 1);
    return { catalogId, sources: params.count, ...scored };
  },
};
