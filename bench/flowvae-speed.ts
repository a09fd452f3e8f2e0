// Flow-VAE speed (issue 16, Speed): training images/s of our onnxruntime training graph
// (src-core/generative/vae-graph.ts + src-main/generative/vae-engine.ts) against the PyTorch peer
// bench/peers/flowvae_torch.py on the same network, batch, PSF-aware likelihood and thread count,
// interleaved in one run (the machine is shared: each repeat runs the peer, then ours; medians and
// the median ratio are reported); then decoding + observing 10,000 galaxies at LSST (ours:
// renderSamples, the work of `galaxy sample` without the FITS write; peer: the same ops in torch),
// and, unless --no-cli, the wall time of the whole command `lensdesk galaxy sample --n N --preset lsst`
// (start-up, decode, observe, the FITS write) from the built CLI.
//
//   npx tsx bench/flowvae-speed.ts [--reps 3] [--steps 20] [--threads 1] [--dec 32,16,8,4]
//                                  [--model models/generative/flowvae-lsst-32] [--n 10000] [--no-cli] [--no-torch] [--no-train]
//
// Sampling figures are wall seconds and CPU seconds (user + system; ours: process.cpuUsage, the CLI:
// this process's reaped-children times from /proc/self/stat), since on a shared machine the wall time
// mostly measures the load.
//
// Training timings include the ε draw, forward, backward and Adam, after 3 warm-up steps.
// Prints a table to stderr and one JSON line to stdout, with the load average before and after.
import { spawnSync } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Rng } from '../src-core/rng';
import { zigguratNormal } from '../src-core/lens/ziggurat';
import { initUnetWeights } from '../src-core/score/unet-graph';
import { gaussianPsf } from '../src-core/generative/observe';
import { defaultVaeConfig, vaeParams } from '../src-core/generative/vae-graph';
import { resolveTarget } from '../src-core/generative/render';
import { createVaeTrainer, type VaeBatch } from '../src-main/generative/vae-engine';
import { loadFlowVae } from '../src-main/generative/load';
import { renderSamples } from '../src-main/generative/sample';
import { timedCli } from './lib/timed-cli';

const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    steps: { type: 'string', default: '20' },
    threads: { type: 'string', default: '1' },
    dec: { type: 'string', default: '32,16,8,4' },
    model: { type: 'string', default: 'models/generative/flowvae-lsst-32' },
    n: { type: 'string', default: '10000' },
    'cli-threads': { type: 'string', default: '2' },
    'no-cli': { type: 'boolean' },
    'no-torch': { type: 'boolean' },
    'no-train': { type: 'boolean' },
  },
});
const reps = Number(values.reps), steps = Number(values.steps), threads = Number(values.threads), nSample = Number(values.n);
const dec = values.dec!.split(',').map(Number);
const PEER = resolve(import.meta.dirname, 'peers', 'flowvae_torch.py');
const WARMUP = 3, BATCH = 32, S = 32, K = 19, L = 16;
const log = (...a: unknown[]) => console.error(new Date().toISOString().slice(11, 19), ...a);
const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
const load = () => loadavg().map((v) => Number(v.toFixed(2)));

function peer(args: string[]): Record<string, number | string> | null {
  const r = spawnSync(process.env.PYTHON ?? '/usr/bin/python3', [PEER, '--threads', String(threads), '--dec', values.dec!, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    log('torch peer failed:', (r.stderr || '').trim().split('\n').slice(-3).join(' | '));
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

async function oursTrain(): Promise<{ imgPerS: number; params: number }> {
  const cfg = defaultVaeConfig('psf', { dec, fluxScale: 1, beta: 1 });
  const rng = new Rng(7, 1);
  const params = vaeParams(cfg);
  const weights = initUnetWeights(params, () => rng.uniform());
  const trainer = await createVaeTrainer(cfg, weights, { threads });
  // noisy Gaussian blobs in O(1) units, as the peer's: throughput does not depend on the content
  const data = new Float32Array(256 * S * S);
  for (let k = 0; k < 256; k++) {
    const s = rng.range(1, 4);
    for (let i = 0; i < S * S; i++) data[k * S * S + i] = Math.exp(-(((i % S) - 15.5) ** 2 + (Math.floor(i / S) - 15.5) ** 2) / (2 * s * s)) + 0.04 * zigguratNormal(rng);
  }
  const psf = Float32Array.from(gaussianPsf(7.3, K));
  const b: VaeBatch = { x: new Float32Array(BATCH * S * S), w: new Float32Array(BATCH * S * S).fill(1 / 0.04 ** 2), logSigma: new Float32Array(BATCH).fill(Math.log(0.04)), eps: new Float32Array(BATCH * L), psf: new Float32Array(BATCH * K * K) };
  for (let i = 0; i < BATCH; i++) b.psf!.set(psf, i * K * K);
  let timed = 0;
  try {
    for (let it = 0; it < WARMUP + steps; it++) {
      for (let i = 0; i < BATCH; i++) {
        const j = rng.int(256);
        b.x.set(data.subarray(j * S * S, (j + 1) * S * S), i * S * S);
      }
      const t0 = performance.now();
      for (let i = 0; i < b.eps.length; i++) b.eps[i] = zigguratNormal(rng);
      await trainer.step(b, 1e-3);
      if (it >= WARMUP) timed += performance.now() - t0;
    }
  } finally {
    await trainer.dispose();
  }
  return { imgPerS: (BATCH * steps) / (timed / 1000), params: params.reduce((s, p) => s + p.dims.reduce((a, q) => a * q, 1), 0) };
}

/** CPU seconds (user + system) of this process's waited-for children: /proc/self/stat fields cutime, cstime (Linux). */
function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tck = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return (Number(f[13]) + Number(f[14])) / tck; // fields 16, 17 of stat(5), counted from after "(comm)"
}

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function oursSample(): Promise<{ wall: number; cpu: number }> {
  const t0 = performance.now(), c0 = cpuSeconds();
  const m = await loadFlowVae(values.model!, { threads });
  try {
    const target = resolveTarget({ preset: 'lsst' }, m.size * m.pixelScale);
    await renderSamples(m, nSample, target, new Rng(0, 5), true);
  } finally {
    await m.dispose();
  }
  return { wall: (performance.now() - t0) / 1000, cpu: cpuSeconds() - c0 };
}

async function main() {
  const loadBefore = load();
  const rows: { torch: number | null; ours: number; ratio: number | null }[] = [];
  let torchParams: number | null = null, torchVersion: string | null = null, ourParams = 0;
  for (let r = 0; r < (values['no-train'] ? 0 : reps); r++) {
    const t = values['no-torch'] ? null : peer(['--mode', 'train', '--steps', String(steps), '--warmup', String(WARMUP), '--batch', String(BATCH)]);
    if (t) [torchParams, torchVersion] = [t.params as number, t.torch as string];
    const o = await oursTrain();
    ourParams = o.params;
    const ratio = t ? o.imgPerS / (t.img_per_s as number) : null;
    rows.push({ torch: t ? (t.img_per_s as number) : null, ours: o.imgPerS, ratio });
    log(`train rep ${r + 1}: torch ${t ? (t.img_per_s as number).toFixed(1) : '—'} img/s, ours ${o.imgPerS.toFixed(1)} img/s${ratio ? `, ratio ${ratio.toFixed(2)}×` : ''}`);
  }
  const ps = values['no-torch'] ? null : peer(['--mode', 'sample', '--n', String(nSample)]);
  const oursS = await oursSample();
  log(`decode + observe ${nSample} at LSST: ours ${oursS.wall.toFixed(1)} s wall, ${oursS.cpu.toFixed(1)} CPU s; torch ${ps ? (ps.seconds as number).toFixed(1) : '—'} s; load ${load().join(' ')}`);
  let cli: { wallSeconds: number; cpuSeconds: number; peakRssMiB: number; load: number[] } | null = null;
  if (!values['no-cli']) {
    const out = join(tmpdir(), `flowvae-speed-${process.pid}.fits`);
    const c0 = childCpuSeconds();
    const t = await timedCli(['galaxy', 'sample', values.model!, '--n', String(nSample), '--preset', 'lsst', '--out', out, '--threads', values['cli-threads']!], null);
    const cpu = childCpuSeconds() - c0;
    rmSync(out, { force: true });
    cli = { wallSeconds: t.wallSeconds, cpuSeconds: cpu, peakRssMiB: t.peakRssMiB, load: load() };
    log(`lensdesk galaxy sample --n ${nSample} --preset lsst --threads ${values['cli-threads']}: ${t.wallSeconds.toFixed(1)} s wall, ${cpu.toFixed(1)} CPU s (goal < 60 s on 2 cores), peak RSS ${t.peakRssMiB.toFixed(0)} MiB, load ${cli.load.join(' ')}`);
  }
  const ratios = rows.map((r) => r.ratio).filter((v): v is number => v !== null);
  const out = {
    date: new Date().toISOString(), batch: BATCH, steps, warmup: WARMUP, threads, dec, reps, loadBefore, loadAfter: load(),
    params: { ours: ourParams, torch: torchParams }, torch: torchVersion, rows,
    train: rows.length ? { medianOurs: median(rows.map((r) => r.ours)), medianTorch: ratios.length ? median(rows.map((r) => r.torch!)) : null, medianRatio: ratios.length ? median(ratios) : null } : null,
    sample: { n: nSample, oursSeconds: oursS.wall, oursCpuSeconds: oursS.cpu, torchSeconds: ps ? ps.seconds : null, ratio: ps ? (ps.seconds as number) / oursS.wall : null, cli },
  };
  if (out.train) log(`train: median ours ${out.train.medianOurs.toFixed(1)} img/s${out.train.medianRatio ? `, median ratio ours/torch ${out.train.medianRatio.toFixed(2)}× (goal ≥ 0.5×)` : ''}; params ours ${ourParams}, torch ${torchParams ?? '—'}; load ${loadBefore.join(' ')} → ${out.loadAfter.join(' ')}`);
  console.log(JSON.stringify(out));
}

void main();
