// Speed of one app Restore (issue #13: "one restore of a 45×45×4 stamp with 64 posterior samples: < 30 s on
// 2 cores"): a simulated LSST cutout (45 × 45 × g,r,i,z, the project's simulator) restored by the app's path
// (src-main/restore/stamp-restore.ts restoreStamp: mirror pad to the prior's grid, per band Wiener start,
// scale pre-passes, annealed Langevin with all chains in one network call per step) with a score prior.
// Prints wall seconds and this process's user + sys CPU seconds for the restore alone (model load included,
// tsx start excluded), the network evaluations, and the split between network and the rest.
// Run: npx tsx bench/restore-speed.ts [--model DIR] [--samples 64] [--threads 2] [--levels L] [--steps T] [--reps 1]
// Wrap it in /usr/bin/time -f '%e s wall %U user %S sys' for the whole process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { simulateCutout } from '../src-core/lens/simulate';
import { restoreStamp } from '../src-main/restore/stamp-restore';
import { bundledScorePrior, RESTORE_PRIOR } from '../src-main/score/bundled-prior';
import { readStampFile, writeStampFile } from '../src-main/stamps/stamp-file';

const { values: a } = parseArgs({ options: {
  model: { type: 'string' }, samples: { type: 'string', default: '64' }, threads: { type: 'string', default: '2' },
  levels: { type: 'string' }, steps: { type: 'string' }, reps: { type: 'string', default: '1' }, seed: { type: 'string', default: '3' },
} });
const model = a.model ?? bundledScorePrior(RESTORE_PRIOR) ?? bundledScorePrior();
if (!model) throw new Error('no score prior: pass --model DIR');
const dir = mkdtempSync(join(tmpdir(), 'restore-speed-'));
try {
  const c = simulateCutout('lsst', 11, Number(a.seed));
  const file = join(dir, 'stamp.fits');
  writeStampFile(file, { width: 45, height: 45, bands: ['g', 'r', 'i', 'z'], planes: c.bands, variance: c.variance, ra: 150, dec: 2, pixelScale: 0.2 });
  const stamp = readStampFile(file);
  for (let rep = 0; rep < Number(a.reps); rep++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    const r = await restoreStamp(stamp, file, {
      op: 'deconvolve', prior: 'learned', samples: Number(a.samples), seed: rep, preset: 'lsst', modelDir: model,
      threads: Number(a.threads), ...(a.steps ? { stepsPerLevel: Number(a.steps) } : {}), ...(a.levels ? { levels: Number(a.levels) } : {}),
    }, (d, t, m) => { if (d === t) console.error(`  ${m ?? ''} ${d}/${t}: ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${((process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1e6).toFixed(1)} s CPU`); });
    const wall = (performance.now() - t0) / 1000, cpu = process.cpuUsage(c0);
    console.log(`restore 45×45×4, ${r.summary.samples} samples, ${model}, threads ${a.threads}: ${wall.toFixed(1)} s wall, ${(cpu.user / 1e6).toFixed(1)} s user + ${(cpu.system / 1e6).toFixed(1)} s sys CPU; ${r.summary.method}`);
    console.log(`  notes: ${r.summary.notes.join(' | ')}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
