// Score U-Net DSM training throughput (images/s): our onnxruntime training graph
// (src-core/score/unet-graph.ts + src-main/score/unet-engine.ts) against the PyTorch peer
// (shared/peers/score_prior_torch.py --no-sample) on the same network (32/64/128, GroupNorm 8, SiLU,
// σ embedding), image size and batch, with the same thread count, interleaved in one run
// (the machine is shared: each repeat runs the peer then ours; the median ratio is reported).
//
//   npx tsx bench/score-prior-train.ts [--reps 3] [--steps 20] [--batch 32] [--threads 2] [--no-torch]
//
// Both timings include noise generation, forward, backward and the Adam update, after 3 warm-up
// steps, and exclude drawing the training images. Prints a table to stderr and one JSON line to stdout.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SHARED_DIR } from '../test/shared';
import { Rng } from '../src-core/rng';
import { zigguratNormal } from '../src-core/lens/ziggurat';
import { initUnetWeights, peerUnetConfig, unetParams } from '../src-core/score/unet-graph';
import { makeGalaxies } from '../src-core/score/galaxies';
import { createUnetTrainer } from '../src-main/score/unet-engine';

const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    steps: { type: 'string', default: '20' },
    batch: { type: 'string', default: '32' },
    threads: { type: 'string', default: '2' },
    'no-torch': { type: 'boolean' },
  },
});
const reps = Number(values.reps), steps = Number(values.steps), batch = Number(values.batch), threads = Number(values.threads);
const log = (...a: unknown[]) => console.error(new Date().toISOString().slice(11, 19), ...a);
const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
const WARMUP = 3;
const SIZE = 64;

function torchRun(): { imgPerS: number; params: number; version: string } | null {
  const script = join(SHARED_DIR, 'peers', 'score_prior_torch.py');
  const r = spawnSync(process.env.PYTHON ?? '/usr/bin/python3', [script, '--no-sample', '--steps', String(steps), '--warmup', String(WARMUP), '--batch', String(batch), '--threads', String(threads), '--n-train', '256'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    log('torch peer failed:', (r.stderr || '').trim().split('\n').slice(-3).join(' | '));
    return null;
  }
  const j = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  return { imgPerS: j.train.img_per_s, params: j.params, version: j.torch };
}

async function oursRun(images: Float32Array, count: number): Promise<{ imgPerS: number; params: number; lossFirst: number; lossLast: number }> {
  const cfg = peerUnetConfig(0.2, SIZE);
  const rng = new Rng(7, 1);
  const params = unetParams(cfg);
  const weights = initUnetWeights(params, () => rng.uniform());
  const trainer = await createUnetTrainer(cfg, weights, { threads });
  const d = SIZE * SIZE;
  const x = new Float32Array(batch * d), eps = new Float32Array(batch * d), sigma = new Float32Array(batch);
  const losses: number[] = [];
  let timed = 0;
  try {
    for (let it = 0; it < WARMUP + steps; it++) {
      for (let b = 0; b < batch; b++) {
        const j = rng.int(count);
        x.set(images.subarray(j * d, (j + 1) * d), b * d);
      }
      const t0 = performance.now();
      for (let i = 0; i < eps.length; i++) eps[i] = zigguratNormal(rng);
      for (let b = 0; b < batch; b++) sigma[b] = 0.003 * (30 / 0.003) ** rng.uniform();
      const { loss } = await trainer.step(x, eps, sigma, 2e-4);
      if (it >= WARMUP) {
        timed += performance.now() - t0;
        losses.push(loss);
      }
    }
  } finally {
    await trainer.dispose();
  }
  const k = Math.min(5, losses.length);
  return {
    imgPerS: (batch * steps) / (timed / 1000),
    params: params.reduce((s, p) => s + p.dims.reduce((a, b) => a * b, 1), 0),
    lossFirst: losses.slice(0, k).reduce((a, b) => a + b, 0) / k,
    lossLast: losses.slice(-k).reduce((a, b) => a + b, 0) / k,
  };
}

async function main() {
  const count = 256;
  const images = makeGalaxies(count, SIZE, new Rng(0, 64));
  const rows: { torch: number | null; ours: number; ratio: number | null }[] = [];
  let torchInfo: { params: number; version: string } | null = null;
  let ourParams = 0;
  for (let r = 0; r < reps; r++) {
    const t = values['no-torch'] ? null : torchRun();
    if (t) torchInfo = { params: t.params, version: t.version };
    const o = await oursRun(images, count);
    ourParams = o.params;
    const ratio = t ? o.imgPerS / t.imgPerS : null;
    rows.push({ torch: t?.imgPerS ?? null, ours: o.imgPerS, ratio });
    log(`rep ${r + 1}: torch ${t ? t.imgPerS.toFixed(1) : '—'} img/s, ours ${o.imgPerS.toFixed(1)} img/s${ratio ? `, ratio ${ratio.toFixed(2)}×` : ''} (our loss ${o.lossFirst.toFixed(3)} → ${o.lossLast.toFixed(3)})`);
  }
  const ratios = rows.map((r) => r.ratio).filter((v): v is number => v !== null);
  const out = {
    date: new Date().toISOString(), batch, steps, warmup: WARMUP, threads, size: SIZE, reps,
    params: { ours: ourParams, torch: torchInfo?.params ?? null }, torch: torchInfo?.version ?? null,
    rows, medianOurs: median(rows.map((r) => r.ours)), medianTorch: ratios.length ? median(rows.map((r) => r.torch!)) : null,
    medianRatio: ratios.length ? median(ratios) : null,
  };
  log(`median ours ${out.medianOurs.toFixed(1)} img/s${out.medianRatio ? `, median ratio ours/torch ${out.medianRatio.toFixed(2)}× (goal ≥ 0.5×)` : ''}; params ours ${ourParams}, torch ${torchInfo?.params ?? '—'}`);
  console.log(JSON.stringify(out));
}

void main();
