// A workspace holding one tiny simulated lens (21 × 21 × 4, inside the fit's model family) as a stamp
// with its truth, as the simulate job stores it: the starting point of the fit and source job tests.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Repo } from '../../src-main/store/repo';
import { writeStampFile } from '../../src-main/stamps/stamp-file';
import { simulatedLens } from './lens-simulated';

export function addSimulatedLens(repo: Repo, db: Database.Database, dir: string): number {
  const sim = simulatedLens({ preset: 'lsst', size: 21, lensFraction: 1, thetaEMin: 0.9, thetaEMax: 1.2 }, 7, 0, 'well-specified');
  const n = 21 * 21;
  const planes = sim.input.bands.map((_, b) => Float32Array.from(sim.input.image.subarray(b * n, (b + 1) * n)));
  const variance = sim.input.bands.map((_, b) => Float32Array.from(sim.input.variance.subarray(b * n, (b + 1) * n)));
  mkdirSync(join(dir, 'cutouts', 'tiny'), { recursive: true });
  writeStampFile(join(dir, 'cutouts', 'tiny', '0.fits'), { width: 21, height: 21, bands: sim.input.bands, planes, variance, ra: 150, dec: 2, pixelScale: 0.2 });
  const catalogId = repo.ensureCatalog('tiny', 'test', 'simulated', repo.ensureSurvey('sim-lsst', 0.2, sim.input.bands));
  repo.insertSources(catalogId, [{ row: 0, name: 'SIM 0', ra: 150, dec: 2, truth: sim.record, cutout: { path: 'cutouts/tiny/0.fits', width: 21, height: 21, bands: sim.input.bands } }]);
  return db.prepare('SELECT id FROM sources WHERE catalog_id = ?').pluck().get(catalogId) as number;
}
