// Batch lens-light subtraction over a whole catalog (issue 14 "Speed": ≥ 10 stamps/s with constraints
// only), through the app's own 'deblend' job in mode 'lens-light' — stamps read from the workspace,
// deblended with the survey preset's PSFs, every product FITS, blink frame and SQLite row written.
// A temporary workspace with N simulated LSST lenses (45 × 45 × 4, sim-lsst survey) is made first; the
// job then runs with 1 worker thread and with `--workers W` (default 2), on the same stamps (force).
// Run: npx tsx bench/lens-light-batch.ts [--n 200] [--workers 2] [--keep DIR]
// --keep DIR: make the workspace there and keep it (then try `lensdesk deblend --catalog 1 --lens-light --force --workspace DIR`).
// Prints stamps/s (wall, the figure a user sees) and CPU-seconds per stamp of the whole process
// (the workers' CPU included). No peer: scarlet is not installed here.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { simulateCutout } from '../src-core/lens/simulate';
import { deblendKind, prepareDeblend } from '../src-main/jobs/kinds/deblend';
import { writeStampFile } from '../src-main/stamps/stamp-file';
import { Repo } from '../src-main/store/repo';
import { openWorkspace } from '../src-main/store/workspace';
import { jobContext } from '../test/job-context';

const { values } = parseArgs({ options: { n: { type: 'string', default: '200' }, workers: { type: 'string', default: '2' }, keep: { type: 'string' } } });
const n = Number(values.n), workers = Number(values.workers);
const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'lensdesk-lens-light-'));
const ws = openWorkspace(dir);
try {
  const repo = new Repo(ws.db);
  const catalogId = repo.ensureCatalog('lenses', 'bench', 'simulated', repo.ensureSurvey('sim-lsst', 0.2, ['g', 'r', 'i', 'z']));
  mkdirSync(join(dir, 'cutouts'), { recursive: true });
  const rows = [];
  for (let i = 0; i < n; i++) {
    const c = simulateCutout({ preset: 'lsst', lensFraction: 1 }, 11, i);
    const path = `cutouts/${i}.fits`;
    writeStampFile(join(dir, path), { width: 45, height: 45, bands: ['g', 'r', 'i', 'z'], planes: c.bands, variance: c.variance, ra: 150, dec: 2, pixelScale: 0.2 });
    rows.push({ row: i, name: `LENS ${i}`, ra: 150, dec: 2, cutout: { path, width: 45, height: 45, bands: ['g', 'r', 'i', 'z'] } });
  }
  repo.insertSources(catalogId, rows);
  console.log(`${n} simulated LSST lens stamps (45 × 45 × 4) in ${dir}; load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  for (const w of [1, workers]) {
    const params = prepareDeblend({ catalogId, mode: 'lens-light', workers: w, force: true });
    const jobId = repo.createJob('deblend', params as object).id;
    const t0 = performance.now(), c0 = process.cpuUsage();
    const r = await deblendKind.run({ ...jobContext(repo, dir, params), jobId });
    const wall = (performance.now() - t0) / 1000, u = process.cpuUsage(c0), cpu = (u.user + u.system) / 1e6;
    console.log(`mode lens-light, ${r.workers} worker thread(s): ${r.deblended} deblended, ${r.failed} failed in ${wall.toFixed(1)} s: ` +
      `**${(Number(r.deblended) / wall).toFixed(1)} stamps/s** wall (goal ≥ 10), ${(cpu / n * 1000).toFixed(0)} CPU-ms per stamp; load average now ${loadavg()[0]!.toFixed(2)}`);
  }
} finally {
  ws.close();
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
