// Mass-mapping speed: KS93 and the Wiener filter on 512 × 512 against the NumPy peer
// (shared/peers/mass_map_numpy.py, run here with Debian's python3 in the same run), and gridding 10⁷ galaxies.
//
//   npx tsx bench/massmap.ts [--n 512] [--galaxies 10000000] [--reps 5]
//
// The peer times its own KS93 (t_ks_s), closed-form Wiener (white noise) and messenger-field Wiener
// (--catalog: Poisson counts, empty pixels masked) on its simulated field; we time ours on a field with
// the same statistics (power-law C_ℓ of the peer, n_gal = 30/arcmin², σ_e = 0.26, 1′ pixels). For the
// messenger field the iteration counts differ with the noise draw, so the time per iteration is compared too.
// Prints a table to stderr and one JSON line to stdout.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../src-core/rng';
import { autoGrid, gridShear } from '../src-core/massmap/grid';
import { ARCMIN_RAD, ks93, ksKernel, shearFromKappa } from '../src-core/massmap/ks93';
import { powerLawModeVariance } from '../src-core/massmap/spectrum';
import { wienerFilter } from '../src-core/massmap/wiener';
import { fft2 } from '../src-core/math/fft';
import { SHARED_DIR } from '../test/shared';

const { values } = parseArgs({ options: { n: { type: 'string', default: '512' }, galaxies: { type: 'string', default: '10000000' }, reps: { type: 'string', default: '5' } } });
const n = Number(values.n), reps = Number(values.reps), nGal = Number(values.galaxies);
const log = (...a: unknown[]) => console.error(new Date().toISOString().slice(11, 19), ...a);
const res: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, n, reps };

function best(f: () => void): number {
  f(); // warm-up (plans, JIT)
  let t = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    f();
    t = Math.min(t, performance.now() - t0);
  }
  return t / 1000;
}

// --- peer -----------------------------------------------------------------------------------------
const PY = '/usr/bin/python3', PEER = join(SHARED_DIR, 'peers', 'mass_map_numpy.py');
type PeerOut = { t_ks_s: number; t_wiener_s: number; wiener: string };
function peer(extra: string[]): PeerOut | null {
  if (!existsSync(PY) || !existsSync(PEER)) return null;
  let bestRun: PeerOut | null = null;
  for (let r = 0; r < Math.max(1, Math.min(reps, 3)); r++) {
    const p = spawnSync(PY, [PEER, '--n', String(n), ...extra], { encoding: 'utf8', timeout: 600000 });
    if (p.status !== 0) { log('peer failed:', p.stderr.slice(-300)); return null; }
    const j = JSON.parse(p.stdout.trim().split('\n').pop()!) as PeerOut;
    if (!bestRun) bestRun = j;
    else {
      bestRun.t_ks_s = Math.min(bestRun.t_ks_s, j.t_ks_s);
      if (j.wiener === bestRun.wiener) bestRun.t_wiener_s = Math.min(bestRun.t_wiener_s, j.t_wiener_s);
    }
  }
  return bestRun;
}
const pw = peer([]), pc = peer(['--catalog']);
res.peer = { white: pw, catalog: pc };

// --- ours: the same kind of field -------------------------------------------------------------------
const k = ksKernel(n, n, ARCMIN_RAD), P = powerLawModeVariance(k), rng = new Rng(1, 512);
const re = new Float64Array(n * n), im = new Float64Array(n * n);
for (let i = 0; i < re.length; i++) re[i] = rng.normal();
fft2(re, im, n, n, false);
for (let i = 0; i < re.length; i++) { re[i] = re[i]! * Math.sqrt(P[i]!); im[i] = im[i]! * Math.sqrt(P[i]!); }
fft2(re, im, n, n, true);
const kappa = re.map((v) => v / (n * n));
const { g1, g2 } = shearFromKappa(k, kappa);
const white = new Float64Array(n * n).fill(0.26 ** 2 / 30), poisson = new Float64Array(n * n);
const c1 = Float64Array.from(g1), c2 = Float64Array.from(g2);
for (let i = 0; i < n * n; i++) {
  const c = rng.poisson(30);
  poisson[i] = c > 0 ? 0.26 ** 2 / c : Infinity;
  const sd = Math.sqrt(c > 0 ? poisson[i]! : 0);
  c1[i] = c > 0 ? c1[i]! + sd * rng.normal() : 0;
  c2[i] = c > 0 ? c2[i]! + sd * rng.normal() : 0;
  const s = Math.sqrt(white[i]!);
  g1[i] = g1[i]! + s * rng.normal();
  g2[i] = g2[i]! + s * rng.normal();
}
const tKs = best(() => ks93(k, g1, g2));
const tW = best(() => wienerFilter(k, g1, g2, { modeVariance: P, variance: white }));
let its = 0;
const tM = (() => {
  const t0 = performance.now();
  its = wienerFilter(k, c1, c2, { modeVariance: P, variance: poisson }).iterations;
  return (performance.now() - t0) / 1000;
})();
const peerIts = pc ? Number(/(\d+) iterations/.exec(pc.wiener)?.[1] ?? NaN) : NaN;
res.ours = { ks93_s: tKs, wienerClosed_s: tW, messenger_s: tM, messengerIterations: its };
const ratio = (a: number, b: number | undefined) => (b ? (a / b).toFixed(2) : 'n/a');
log(`${n}² KS93: ours ${(tKs * 1e3).toFixed(1)} ms, peer ${pw ? (pw.t_ks_s * 1e3).toFixed(1) : 'n/a'} ms → ratio ours/peer ${ratio(tKs, pw?.t_ks_s)}`);
log(`${n}² Wiener closed form: ours ${(tW * 1e3).toFixed(1)} ms, peer ${pw ? (pw.t_wiener_s * 1e3).toFixed(1) : 'n/a'} ms → ratio ${ratio(tW, pw?.t_wiener_s)}`);
log(`${n}² Wiener messenger: ours ${tM.toFixed(2)} s (${its} it, ${((tM / its) * 1e3).toFixed(1)} ms/it), peer ${pc ? pc.t_wiener_s.toFixed(2) : 'n/a'} s (${peerIts} it, ${pc ? ((pc.t_wiener_s / peerIts) * 1e3).toFixed(1) : 'n/a'} ms/it) → ratio ${ratio(tM, pc?.t_wiener_s)}, per iteration ${pc ? (tM / its / (pc.t_wiener_s / peerIts)).toFixed(2) : 'n/a'}`);
res.ratios = { ks93: pw ? tKs / pw.t_ks_s : null, wienerClosed: pw ? tW / pw.t_wiener_s : null, messenger: pc ? tM / pc.t_wiener_s : null, messengerPerIteration: pc ? tM / its / (pc.t_wiener_s / peerIts) : null };

// --- gridding 10⁷ galaxies --------------------------------------------------------------------------
{
  const ra = new Float64Array(nGal), dec = new Float64Array(nGal), e1 = new Float64Array(nGal), e2 = new Float64Array(nGal), w = new Float64Array(nGal);
  const r2 = new Rng(2, 7);
  for (let i = 0; i < nGal; i++) {
    ra[i] = 149 + 2 * r2.uniform();
    dec[i] = 1 + 2 * r2.uniform();
    e1[i] = 0.26 * r2.normal();
    e2[i] = 0.26 * r2.normal();
    w[i] = 0.5 + r2.uniform();
  }
  const t0 = performance.now(), c0 = process.cpuUsage();
  const grid = autoGrid(ra, dec, { pixArcmin: 0.25 });
  const gs = gridShear(grid, { ra, dec, e1, e2, weight: w });
  const tg = (performance.now() - t0) / 1000, cu = process.cpuUsage(c0), cpu = (cu.user + cu.system) / 1e6;
  res.gridding = { galaxies: nGal, seconds: tg, cpuSeconds: cpu, grid: `${grid.rows}×${grid.cols}`, sigmaE: gs.sigmaE };
  // Wall time depends on the machine's load (shared 2-core box); CPU time is printed beside it.
  log(`gridding ${nGal.toExponential(0)} galaxies (weighted, auto grid, ${grid.rows}² at 0.25′): ${tg.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU (target < 10 s)`);
}
console.log(JSON.stringify(res));
