// Catalog-plan figures (issue 17): one shard-worker cutting stamps from survey images AND scoring
// them (`lensdesk score --plan P --shard 0` on a catalog plan: stamps/s from its "N cutouts with"
// line to exit, so model loading is excluded; peak RSS from /proc VmHWM), against the single-machine
// path on the same rows in the same run: `lensdesk ingest --catalog-file … --images …` then
// `lensdesk score` (spawn to exit, both). Survey: g/r/i/z float32 images of SIDE² px (r on a shifted
// grid, so resampled), a CSV catalog of N random positions on them.
//
//   npm run build && npx tsx bench/catalog-shard-throughput.ts      (env: CAT_BENCH_N=1024, CAT_BENCH_SIDE=2048)
//
// Prints a table to stderr and one JSON line to stdout.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Rng } from '../src-core/rng';
import { CLI, timedCli } from './lib/timed-cli';
import { SURVEY_CENTRE, SURVEY_SCALE, writeSurveyImage } from '../test/survey-images';

const N = Number(process.env.CAT_BENCH_N ?? 1024);
const SIDE = Number(process.env.CAT_BENCH_SIDE ?? 2048);
const log = (...a: unknown[]) => console.error(new Date().toISOString().slice(11, 19), ...a);
const r2 = (v: number) => Math.round(v * 100) / 100;


const dir = mkdtempSync(join(tmpdir(), 'lensdesk-catbench-'));
try {
  const rng = new Rng(5);
  const pos = Array.from({ length: N }, () => ({ x: 40 + rng.uniform() * (SIDE - 80), y: 40 + rng.uniform() * (SIDE - 80), amp: 200 + 3000 * rng.uniform() }));
  // Sky: a Gaussian blob at each catalog position (binned on a coarse grid so filling stays O(pixels)).
  const cell = 64, nc = Math.ceil(SIDE / cell);
  const grid: (typeof pos)[] = Array.from({ length: nc * nc }, () => []);
  for (const p of pos) grid[Math.floor(p.y / cell) * nc + Math.floor(p.x / cell)]!.push(p);
  const sky = (x: number, y: number) => {
    let v = 0;
    const cx = Math.floor(x / cell), cy = Math.floor(y / cell);
    for (let j = Math.max(0, cy - 1); j <= Math.min(nc - 1, cy + 1); j++) for (let i = Math.max(0, cx - 1); i <= Math.min(nc - 1, cx + 1); i++) {
      for (const p of grid[j * nc + i]!) v += p.amp * Math.exp(-((x - p.x) ** 2 + (y - p.y) ** 2) / 8);
    }
    return v + 10 * (((x * 7919 + y * 104729) % 101) / 101 - 0.5);
  };
  log(`writing ${SIDE}² g/r/i/z images and a ${N}-row catalog`);
  for (const b of ['g', 'r', 'i', 'z']) writeSurveyImage(join(dir, `${b}.fits`), 0, b === 'r' ? 3.5 : 0, b === 'r' ? (x, y) => sky(x - 3.5, y) : sky, SIDE);
  const c = SIDE / 2 - 1;
  const lines = ['name,RA,DEC', ...pos.map((p, k) => `s${k},${SURVEY_CENTRE.ra - ((p.x - c) * SURVEY_SCALE) / Math.cos((SURVEY_CENTRE.dec * Math.PI) / 180)},${SURVEY_CENTRE.dec + (p.y - c) * SURVEY_SCALE}`)];
  writeFileSync(join(dir, 'cat.csv'), lines.join('\n') + '\n');
  const images = ['g', 'r', 'i', 'z'].map((b) => `${b}=${join(dir, `${b}.fits`)}`).join(',');

  const plan = join(dir, 'plan');
  const tp = await timedCli(['shard', 'plan', join(dir, 'cat.csv'), '--images', images, '--size', '45', '--shards', '1', '--out', plan], null);
  log(`plan: ${r2(tp.wallSeconds)} s`);
  const sh = await timedCli(['score', '--plan', plan, '--shard', '0', '--json'], /shard 0: \d+ cutouts with/);
  const shr = JSON.parse(sh.stdout) as { rows: number; failed: number; runtime: string };
  log(`shard worker (cut + score): ${shr.rows} rows, ${shr.failed} failed, ${r2(shr.rows / sh.seconds)} stamps/s after model load, ${r2(shr.rows / sh.wallSeconds)} spawn to exit, peak ${r2(sh.peakRssMiB)} MiB (${shr.runtime})`);
  const ws = join(dir, 'ws');
  const ti = await timedCli(['ingest', '--catalog-file', join(dir, 'cat.csv'), '--images', images, '--size', '45', '--context-size', '0', '--workspace', ws, '--json'], null);
  const ts = await timedCli(['score', '--workspace', ws, '--json'], null);
  const single = ti.wallSeconds + ts.wallSeconds;
  log(`single machine: ingest ${r2(ti.wallSeconds)} s (peak ${r2(ti.peakRssMiB)} MiB) + score ${r2(ts.wallSeconds)} s (peak ${r2(ts.peakRssMiB)} MiB) = ${r2(N / single)} stamps/s spawn to exit`);
  console.log(JSON.stringify({ n: N, side: SIDE, planSeconds: r2(tp.wallSeconds), shard: { rows: shr.rows, failed: shr.failed, stampsPerSecond: r2(shr.rows / sh.seconds), stampsPerSecondWall: r2(shr.rows / sh.wallSeconds), peakRssMiB: r2(sh.peakRssMiB), runtime: shr.runtime }, single: { ingestSeconds: r2(ti.wallSeconds), scoreSeconds: r2(ts.wallSeconds), stampsPerSecondWall: r2(N / single) } }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
