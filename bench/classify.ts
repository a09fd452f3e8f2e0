// CMUDeepLens inference and training throughput: our paths (ONNX + onnxruntime-node for scoring,
// the onnxruntime training graph for training, tfjs wasm, tfjs cpu) against the PyTorch peer measured in the same run (shared/peers/cmudeeplens_torch.py).
//
//   npx tsx bench/classify.ts [--quick] [--no-torch] [--ort-peer] [--train101]
//
// The torch peer runs first, then our paths. --ort-peer also runs shared/peers/cmudeeplens_ort.mjs
// on the torch export (copied to a temp directory with this project's node_modules linked, as the
// peers README asks) and an interleaved A/B of our ONNX against the torch export in one process. --train101 tries
// a wasm training step at 101×101 (batch 32 crashed upstream tfjs-wasm); it runs last.
// Prints a table to stderr and one JSON line to stdout.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SHARED_DIR } from '../test/shared';
import { kernelsWasmLacksForTraining, ortAB, ortInference, ortTraining, tfjsInference, tfjsTraining, trainingProfile } from '../src-main/classify/throughput';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    'no-torch': { type: 'boolean' },
    'ort-peer': { type: 'boolean' },
    train101: { type: 'boolean' },
  },
});
const reps = values.quick ? 3 : 5;
const log = (...a: unknown[]) => console.error(new Date().toISOString().slice(11, 19), ...a);
const r1 = (v: number) => Math.round(v * 10) / 10;
const res: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, reps };
const infer: Record<string, number> = {};
const train: Record<string, number | string> = {};

// Before anything selects wasm (which installs our kernels): what upstream tfjs-wasm lacks.
res.kernels_wasm_lacks_for_training_upstream = await kernelsWasmLacksForTraining();
log('kernels a training step needs that upstream tfjs-wasm lacks:', res.kernels_wasm_lacks_for_training_upstream);

let torch: Record<string, Record<string, number>> | null = null;
let ortPeer: Record<string, Record<string, number>> | null = null;
const peers = join(SHARED_DIR, 'peers');
if (!values['no-torch'] && existsSync(join(peers, 'cmudeeplens_torch.py'))) {
  const tmp = mkdtempSync(join(tmpdir(), 'lensdesk-peers-'));
  try {
    log('running the PyTorch peer (~40 s)…');
    const args = [join(peers, 'cmudeeplens_torch.py'), '--reps', String(reps + 2)];
    if (values['ort-peer']) args.push('--onnx-dir', join(tmp, 'onnx'));
    const p = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (p.status === 0) torch = JSON.parse(p.stdout.trim().split('\n').pop()!);
    else log('torch peer failed:', p.stderr.slice(-500));
    if (values['ort-peer'] && torch) {
      // Interleaved A/B in one process: our export vs the torch export, same inputs, same session
      // options, alternating runs, so machine load hits both alike.
      for (const size of [45, 101]) {
        const ab = await ortAB(join(tmp, 'onnx', `cmudeeplens_${size}.onnx`), size, 64, reps + 2);
        res[`ort_ab_${size}`] = ab;
        log(`interleaved A/B ${size}: ours ${ab.ours} img/s, torch export ${ab.peer} img/s`);
      }
      copyFileSync(join(peers, 'cmudeeplens_ort.mjs'), join(tmp, 'cmudeeplens_ort.mjs'));
      symlinkSync(resolve('node_modules'), join(tmp, 'node_modules'));
      const o = spawnSync(process.execPath, ['cmudeeplens_ort.mjs', 'onnx'], { cwd: tmp, encoding: 'utf8' });
      if (o.status === 0) ortPeer = JSON.parse(o.stdout.trim().split('\n').pop()!);
      else log('ORT peer failed:', o.stderr.slice(-500));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

for (const size of [45, 101]) {
  infer[`ort_${size}`] = r1((await ortInference(size, 64, reps + 2)).imgPerS);
  log(`ours ORT ${size}: ${infer[`ort_${size}`]} img/s`);
  infer[`wasm_${size}`] = r1((await tfjsInference('wasm', size, 64, reps)).imgPerS);
  log(`tfjs wasm ${size}: ${infer[`wasm_${size}`]} img/s`);
}
infer.cpu_45 = Math.round((await tfjsInference('cpu', 45, 64, 1, 0)).imgPerS * 100) / 100;
log(`tfjs cpu 45: ${infer.cpu_45} img/s`);
for (const size of [45, 101]) {
  train[`ort_${size}_b32`] = r1((await ortTraining(size, 32, reps)).imgPerS);
  log(`onnxruntime training ${size} b32: ${train[`ort_${size}_b32`]} img/s`);
}
train.wasm_45_b32 = r1((await tfjsTraining('wasm', 45, 32, reps)).imgPerS);
log(`tfjs wasm training 45 b32: ${train.wasm_45_b32} img/s`);
const prof = await trainingProfile('wasm', 45, 32);
const total = prof.reduce((a, [, v]) => a + v, 0);
res.train_profile_wasm_45_b32_ms = Object.fromEntries(prof.slice(0, 12).map(([k, v]) => [k, Math.round(v)]));
log('wasm training step, kernel ms (nested kernels counted in their parent too):', JSON.stringify(res.train_profile_wasm_45_b32_ms), 'sum', Math.round(total));

if (values.train101) {
  // batch 16 first: an out-of-memory Aborted() leaves the wasm module unusable afterwards
  for (const b of [16, 32]) {
    try {
      train[`wasm_101_b${b}`] = r1((await tfjsTraining('wasm', 101, b, 1)).imgPerS);
    } catch (e) {
      train[`wasm_101_b${b}`] = `error: ${String((e as Error).message).split('\n')[0]}`;
    }
    log(`tfjs wasm training 101 b${b}:`, train[`wasm_101_b${b}`]);
  }
}

res.infer_b64_img_s = infer;
res.train_img_s = train;
res.torch = torch;
res.ort_peer = ortPeer;
const ratios: Record<string, number> = {};
if (torch) {
  for (const s of [45, 101]) {
    const t = torch.infer_b64_img_s[s];
    ratios[`ort_${s}_vs_torch`] = Math.round((infer[`ort_${s}`] / t) * 100) / 100;
    ratios[`wasm_${s}_vs_torch`] = Math.round((infer[`wasm_${s}`] / t) * 100) / 100;
  }
  ratios.cpu_45_vs_torch = Math.round((infer.cpu_45 / torch.infer_b64_img_s[45]) * 1000) / 1000;
  ratios.train_wasm_45_vs_torch = Math.round((Number(train.wasm_45_b32) / torch.train_b32_img_s[45]) * 100) / 100;
  for (const s of [45, 101]) ratios[`train_ort_${s}_vs_torch`] = Math.round((Number(train[`ort_${s}_b32`]) / torch.train_b32_img_s[s]) * 100) / 100;
}
if (ortPeer) for (const s of [45, 101]) ratios[`ort_${s}_vs_ort_peer`] = Math.round((infer[`ort_${s}`] / ortPeer.infer_b64_img_s[s]) * 100) / 100;
for (const s of [45, 101]) {
  const ab = res[`ort_ab_${s}`] as { ours: number; peer: number } | undefined;
  if (ab) ratios[`ort_${s}_vs_torch_export_interleaved`] = Math.round((ab.ours / ab.peer) * 100) / 100;
}
res.ratios = ratios;

const row = (name: string, a: unknown, b: unknown, c = '') => `${name.padEnd(34)} ${String(a).padStart(8)} ${String(b).padStart(8)}  ${c}`;
console.error(
  [
    '',
    row('inference img/s, batch 64', '45×45×4', '101×101×4'),
    row('ours: ONNX → onnxruntime-node (2 thr)', infer.ort_45, infer.ort_101),
    row('tfjs wasm (1 thread)', infer.wasm_45, infer.wasm_101),
    row('tfjs cpu', infer.cpu_45, '—'),
    row('peer PyTorch (2 threads)', torch?.infer_b64_img_s[45] ?? '—', torch?.infer_b64_img_s[101] ?? '—'),
    row('peer onnxruntime (torch export)', ortPeer?.infer_b64_img_s[45] ?? '—', ortPeer?.infer_b64_img_s[101] ?? '—'),
    row('training img/s, batch 32', '45×45×4', '101×101×4'),
    row('ours: training graph → onnxruntime', train.ort_45_b32, train.ort_101_b32),
    row('tfjs wasm + our grad kernels', train.wasm_45_b32, train.wasm_101_b16 ?? '—', '(101: batch 16)'),
    row('peer PyTorch (2 threads)', torch?.train_b32_img_s[45] ?? '—', torch?.train_b32_img_s[101] ?? '—'),
    '',
    'ratios: ' + JSON.stringify(ratios),
  ].join('\n'),
);
console.log(JSON.stringify(res));
