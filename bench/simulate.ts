// Simulator throughput: cutouts/s for LSST 45×45×4 and challenge 101×101×4, in the main thread
// and with 1 and 2 worker threads, next to the numpy peer (shared/peers/lens_sim_numpy.py --bench)
// measured in the same run; prints absolute figures, ratios and where the time goes.
//   npx tsx bench/simulate.ts [--n 400] [--no-peer]
// With a built app (npx electron-vite build) it also runs the built worker writing FITS chunks,
// which is what `lensdesk simulate` does.
// Also reports cutouts per CPU-second (process CPU time, all threads), which a busy shared machine
// disturbs less than wall time. Machine load (1-min load average) is printed before and after.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Rng } from '../src-core/rng';
import { addNoise } from '../src-core/lens/noise';
import { massProfile, lightProfile } from '../src-core/lens/profiles/registry';
import { convolveValid } from '../src-core/lens/psf';
import { engineFor, simulateRange, type SimulationConfig } from '../src-core/lens/simulate';
import { SimulationPool } from '../src-main/workers/simulate-pool';
import { SHARED_DIR } from '../test/shared';

const args = process.argv.slice(2);
const N = Number(args[args.indexOf('--n') + 1] || 400);
const noPeer = args.includes('--no-peer');
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const cpuS = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

// The built worker (out/main/simulate-worker.js, what `node out/main/cli.js simulate` runs), writing
// FITS chunks to a temporary directory as the CLI does (skipped when the app has not been built).
const BUILT_WORKER = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main', 'simulate-worker.js');

/** Chunks on the built worker with FITS output, like `lensdesk simulate` (files deleted after each run). */
async function runBuilt(ws: Worker[], jobs: { config: SimulationConfig; seed: number; start: number; count: number }[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lensdesk-bench-'));
  let next = 0, done = 0;
  await new Promise<void>((resolve, reject) => {
    for (const w of ws) {
      const feed = () => { if (next < jobs.length) { const id = next++; w.postMessage({ ...jobs[id], id, outFile: join(dir, `c${id}.fits`) }); } };
      w.removeAllListeners('message');
      w.on('message', (m: { type: string; error?: { message: string } }) => {
        if (m.type === 'error') return reject(new Error(m.error?.message));
        if (++done === jobs.length) resolve(); else feed();
      });
      feed();
    }
  });
  rmSync(dir, { recursive: true, force: true });
}

async function measure(cfg: SimulationConfig, n: number, workers: number, built = false): Promise<{ wall: number; cpu: number }> {
  const walls: number[] = [], cpuRates: number[] = [];
  const chunk = Math.ceil(n / Math.max(workers, 1) / 4);
  const jobs = (seed: number) => Array.from({ length: Math.ceil(n / chunk) }, (_, k) =>
    ({ config: cfg, seed, start: k * chunk, count: Math.min(chunk, n - k * chunk) }));
  const pool = workers > 0 && !built ? new SimulationPool(workers) : null;
  const builtWs = built ? Array.from({ length: workers }, () => new Worker(BUILT_WORKER)) : [];
  const once = async (seed: number, m: number) => {
    if (built) await runBuilt(builtWs, jobs(seed).filter((j) => j.start < m));
    else if (!pool) simulateRange(cfg, seed, 0, m);
    else await pool.run(jobs(seed).filter((j) => j.start < m));
  };
  await once(99, Math.min(n, 60)); // warm-up (JIT, engine caches, worker start)
  for (let r = 1; r <= 3; r++) {
    const t0 = performance.now(), c0 = cpuS();
    await once(r, n);
    const dt = (performance.now() - t0) / 1000;
    walls.push(n / dt);
    cpuRates.push(n / (cpuS() - c0));
  }
  pool?.close();
  for (const w of builtWs) await w.terminate();
  return { wall: median(walls), cpu: median(cpuRates) };
}

function stages(preset: string): Record<string, number> {
  // ms per cutout for each stage on the preset's grid (one representative lens system).
  const e = engineFor({ preset });
  const g = e.ins.grid;
  const reps = 40;
  const time = (f: () => void) => { f(); const t0 = performance.now(); for (let i = 0; i < reps; i++) f(); return (performance.now() - t0) / reps; };
  const sie = massProfile('SIE'), shear = massProfile('SHEAR'), sersic = lightProfile('SERSIC');
  const out = new Float64Array(g.side * g.side);
  const noiseImg = new Float32Array(e.ins.size ** 2), noiseVar = new Float32Array(e.ins.size ** 2);
  const rng = new Rng(1, 2);
  return {
    subpixels: g.n,
    sie_shear_ms: time(() => { e.ws.ax.fill(0); e.ws.ay.fill(0);
      sie.addDeflections(g.x, g.y, g.n, { theta_E: 1.4, q: 0.7, phi: 0.5, center_x: 0, center_y: 0 }, e.ws.ax, e.ws.ay);
      shear.addDeflections(g.x, g.y, g.n, { gamma1: 0.02, gamma2: 0.01, center_x: 0, center_y: 0 }, e.ws.ax, e.ws.ay); }),
    sersic_n1_7_ms: time(() => sersic.addToPixels(g.x, g.y, g.n, g.pix, g.wt, { flux: 1, r_e: 0.3, n: 1.7, q: 0.8, phi: 1, center_x: 0.2, center_y: 0 }, out)),
    sersic_n4_ms: time(() => sersic.addToPixels(g.x, g.y, g.n, g.pix, g.wt, { flux: 1, r_e: 1, n: 4, q: 0.8, phi: 1, center_x: 0, center_y: 0 }, out)),
    psf_all_bands_ms: time(() => e.ins.kernels.forEach((k, b) => convolveValid(out, g.side, g.margin, k, e.ws.models[b], e.ws.tmp))),
    noise_all_bands_ms: time(() => e.ins.bands.forEach((_, b) => addNoise(e.ws.models[b], e.ins.size ** 2,
      { sky: e.ins.sky[b], readVar: e.ins.readVar[b], gaussianAbove: e.cfg.gaussianNoiseAbove }, rng, noiseImg, noiseVar))),
  };
}

async function main() {
  const load0 = loadavg()[0];
  const result: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, load1_before: load0 };
  const presets: [string, string, number][] = [['lsst', 'lsst_45x45x4', N], ['challenge', 'challenge_101x101x4', Math.max(40, Math.round(N / 4))]];
  const ours: Record<string, Record<string, number>> = {};
  for (const [preset, key, n] of presets) {
    const cfg = { preset };
    const main = await measure(cfg, n, 0);
    const w1 = await measure(cfg, n, 1);
    const w2 = await measure(cfg, n, 2);
    // Per CPU-second (process CPU time of all threads): with 2 workers it shows whether the pool
    // scales; 2 × that rate is the throughput on two otherwise idle cores.
    ours[key] = { main_thread: main.wall, '1_worker': w1.wall, '2_workers': w2.wall,
      per_cpu_second_main: main.cpu, per_cpu_second_2_workers: w2.cpu, two_idle_cores_estimate: 2 * w2.cpu, cutouts_per_run: n };
    // What users run: the built worker bundle writing FITS chunks (`node out/main/cli.js simulate`).
    if (existsSync(BUILT_WORKER)) {
      const b2 = await measure(cfg, n, 2, true);
      Object.assign(ours[key], { built_2_workers_fits: b2.wall, per_cpu_second_built_2_workers_fits: b2.cpu });
    }
    console.error(`${key}: main ${main.wall.toFixed(0)}/s (${main.cpu.toFixed(0)} per CPU-s), 1 worker ${w1.wall.toFixed(0)}/s, 2 workers ${w2.wall.toFixed(0)}/s (${w2.cpu.toFixed(0)} per CPU-s)` +
      (ours[key].built_2_workers_fits ? `, built 2 workers + FITS ${ours[key].built_2_workers_fits.toFixed(0)}/s (${ours[key].per_cpu_second_built_2_workers_fits.toFixed(0)} per CPU-s)` : ', built worker absent (npx electron-vite build)'));
  }
  result.lensdesk = ours;
  result.stages_ms = { lsst: stages('lsst'), challenge: stages('challenge') };
  const peerFile = join(SHARED_DIR, 'peers', 'lens_sim_numpy.py');
  if (!noPeer && existsSync(peerFile)) {
    try {
      const out = execFileSync('/usr/bin/python3', [peerFile, '--bench', '--n', '100'], { cwd: join(SHARED_DIR, 'peers'), encoding: 'utf8', timeout: 600_000 });
      const peer = JSON.parse(out.trim().split('\n').pop()!);
      result.peer = peer;
      const ratios: Record<string, Record<string, number>> = {};
      for (const [, key] of presets) {
        const p = peer[key];
        if (!p) continue;
        ratios[key] = {
          '1_worker_vs_1_process': +(ours[key]['1_worker'] / p['1_process']).toFixed(2),
          '2_workers_vs_2_processes': +(ours[key]['2_workers'] / p['2_processes']).toFixed(2),
        };
      }
      result.ratio_vs_peer = ratios;
    } catch (e) {
      result.peer = { error: String((e as Error).message).split('\n')[0] };
    }
  } else result.peer = { skipped: noPeer ? '--no-peer' : `${peerFile} absent` };
  result.load1_after = loadavg()[0];
  result.goal = 'lsst 45x45x4 ≥ 1000 cutouts/s on 2 cores (compare 2_workers, and two_idle_cores_estimate on a busy machine)';
  for (const [k, v] of Object.entries(ours)) for (const [m, x] of Object.entries(v)) if (m !== 'cutouts_per_run') v[m] = Math.round(x);
  console.log(JSON.stringify(result, null, 1));
}

void main();
