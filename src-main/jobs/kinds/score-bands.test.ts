// Issue 18, end to end: cutouts whose bands are named in a FILTERS keyword (written by astropy)
// ingest with those names and score with the bundled g,r,i,z model; a survey with more bands, in
// another order and with HSC filter names, scores the same as its g,r,i,z planes alone (planes are
// picked by name); cutouts with unnamed planes are refused with how to fix it, and score after
// `--bands`. The reference probability comes from scoring the simulated stamp directly through the
// scorer seam, not from the ingest or score jobs under test.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateRange } from '../../../src-core/lens/simulate';
import type { Stamp } from '../../../src-core/stamps/stamp';
import { ASTROPY_PYTHON, ASTROPY_SKIP_REASON, runPython } from '../../../test/astropy';
import { runIngest } from '../../../test/ingest-run';
import { jobContext } from '../../../test/job-context';
import { PROJECT_ROOT } from '../../../test/shared';
import { fileWorkspace, tempDir } from '../../../test/workspace-fixture';
import { loadScorer } from '../../scoring/scorer';
import { Repo } from '../../store/repo';
import { runScore, scoreKind } from './score';

const MODEL = join(PROJECT_ROOT, 'models', 'cmudeeplens-lsst');
const HAS_MODEL = existsSync(join(MODEL, 'card.json'));
const t = tempDir();
afterAll(() => t.cleanup());
const ws = fileWorkspace();
const repo = new Repo(ws.db);

// One simulated LSST lens (g,r,i,z, 45×45, 0.2″): its planes go to astropy as raw float32.
const batch = simulateRange({ preset: 'lsst', lensFraction: 1 }, 5, 0, 1);
const n = 45 * 45;
const stamp: Stamp = { width: 45, height: 45, bands: ['g', 'r', 'i', 'z'], planes: [0, 1, 2, 3].map((b) => batch.images.slice(b * n, (b + 1) * n)), pixelScale: 0.2 };

const WRITE = `
import sys, numpy as np
from astropy.io import fits
raw, out = sys.argv[1], sys.argv[2]
g, r, i, z = np.fromfile(raw, dtype='<f4').reshape(4, 45, 45)
y = np.full((45, 45), 7.0, dtype='f4')
h = fits.Header(); h['FILTERS'] = 'g,r,i,z'; h['PIXSCALE'] = 0.2
fits.PrimaryHDU(np.stack([g, r, i, z]), h).writeto(out + '/filters/griz.fits')
h = fits.Header(); h['FILTERS'] = 'HSC-Y,HSC-Z,HSC-I2,HSC-R2,HSC-G'; h['PIXSCALE'] = 0.2
fits.PrimaryHDU(np.stack([y, z, i, r, g]), h).writeto(out + '/filters/hsc-superset.fits')
fits.PrimaryHDU(np.stack([g, r, i, z])).writeto(out + '/unnamed/plain.fits')
print('ok')
`;

const scoresOf = (catalogId: number) =>
  ws.db.prepare('SELECT s.probability FROM scores s JOIN sources o ON o.id = s.source_id WHERE o.catalog_id = ? ORDER BY o.name').pluck().all(catalogId) as number[];

describe.skipIf(!ASTROPY_PYTHON || !HAS_MODEL)(`ingest → score with bands from FITS keywords ${ASTROPY_SKIP_REASON}${HAS_MODEL ? '' : ' (no bundled model)'}`, () => {
  let reference = NaN;
  beforeAll(async () => {
    for (const d of ['filters', 'unnamed']) mkdirSync(join(t.dir, d));
    const raw = join(t.dir, 'planes.f32');
    writeFileSync(raw, Buffer.from(Float32Array.from(stamp.planes.flatMap((p) => [...p])).buffer));
    expect(runPython(WRITE, [raw, t.dir]).trim()).toBe('ok');
    const scorer = await loadScorer({ modelPath: MODEL });
    try {
      reference = (await scorer.score([stamp]))[0]!;
    } finally {
      await scorer.dispose();
    }
  }, 120_000);

  it('a FILTERS-keyword folder ingests as g,r,i,z and scores with the bundled model; a superset is matched by name', { timeout: 120_000 }, async () => {
    const ing = await runIngest(ws, { folder: join(t.dir, 'filters'), catalog: 'filters' });
    expect(ing).toMatchObject({ added: 2, failed: 0, bandSources: { 'FILTERS keyword': 2 }, bands: { 'g,r,i,z': 1, 'y,z,i,r,g': 1 } });
    expect(ing.bandsNamedBy).toBe('FILTERS keyword ×2');
    expect(ing.scoreWith).toMatch(/^cmudeeplens-lsst \(lsst\) for cutouts with bands/);
    const res = await runScore(jobContext(repo, ws.dir, scoreKind.prepare({ catalogId: ing.catalogId }, ws.dir)));
    expect(res).toMatchObject({ written: 2, failed: 0, placeholder: false });
    expect(String(res.modelChoice)).toMatch(/^cmudeeplens-lsst \(lsst\) for cutouts with bands (g,r,i,z|y,z,i,r,g) at 0\.2″\/px/);
    const [p1, p2] = scoresOf(ing.catalogId as number);
    expect(p1).toBeCloseTo(reference, 5);
    expect(p2).toBeCloseTo(reference, 5);
  });

  it('unnamed planes are refused with what the stamp has, what the model needs and how to fix it; --bands fixes it', { timeout: 120_000 }, async () => {
    const ing = await runIngest(ws, { folder: join(t.dir, 'unnamed'), catalog: 'unnamed' });
    expect(ing).toMatchObject({ added: 1, bandsNamedBy: 'none (band1…band4) ×1' });
    expect(ing.scoreWith).toMatch(/^NO_MODEL_FITS: .*the workspace's active model cmudeeplens-lsst does not fit/);
    const catalogId = ing.catalogId as number;
    // The workspace now has an active model (the first test); it does not fit, and neither does any bundled one.
    await expect(runScore(jobContext(repo, ws.dir, scoreKind.prepare({ catalogId }, ws.dir)))).rejects.toThrow(
      /no model fits cutouts with bands band1,band2,band3,band4.*cmudeeplens-lsst needs bands g,r,i,z.*--bands g,r,i,z in plane order/,
    );
    // An explicit --model that does not fit says so, and what would.
    await expect(runScore(jobContext(repo, ws.dir, scoreKind.prepare({ catalogId, modelPath: MODEL }, ws.dir)))).rejects.toThrow(
      /--model cmudeeplens-lsst cannot score these cutouts: it needs bands g,r,i,z, the cutouts have band1,band2,band3,band4.*no bundled model fits/,
    );
    const res = await runScore(jobContext(repo, ws.dir, scoreKind.prepare({ catalogId, bands: 'g,r,i,z' }, ws.dir)));
    expect(res).toMatchObject({ written: 1, failed: 0 });
    expect(scoresOf(catalogId)[0]).toBeCloseTo(reference, 5);
  });

  it('ingest --bands names the planes at ingest, and disagreeing with a FILTERS keyword fails that file by name', { timeout: 60_000 }, async () => {
    const ok = await runIngest(ws, { folder: join(t.dir, 'unnamed'), catalog: 'unnamed-named', bands: 'g,r,i,z' });
    expect(ok).toMatchObject({ added: 1, failed: 0, bandsNamedBy: '--bands option ×1' });
    const bad = await runIngest(ws, { folder: join(t.dir, 'filters'), catalog: 'filters-conflict', bands: 'i,z,g,r' });
    expect(bad).toMatchObject({ added: 0, failed: 2 });
    const failures = bad.failures as { file: string; error: string }[];
    expect(failures.map((x) => x.file).sort()).toEqual(['griz.fits', 'hsc-superset.fits']);
    expect(failures.find((x) => x.file === 'griz.fits')!.error).toMatch(/BANDS_CONFLICT: .*griz\.fits: HDU 0 FILTERS keyword says g,r,i,z, --bands says i,z,g,r/);
    expect(failures.find((x) => x.file === 'hsc-superset.fits')!.error).toMatch(/BANDS_COUNT: .*--bands i,z,g,r names 4 band\(s\), HDU 0 has 5 plane\(s\)/);
  });
});
