// `lensdesk score-bench`: CMUDeepLens scoring (and optionally training) speed on this machine, per
// path: ONNX via onnxruntime-node (the fast scoring path) and tfjs on the selected backend.
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { type BackendCandidate } from '../../backend/select';
import { ortInference, tfjsInference, tfjsTraining } from '../../classify/throughput';
import { numberOptionOr } from '../args';

export const scoreBenchCommand: CliCommand = {
  name: 'score-bench',
  summary: 'Measure lens-finder scoring speed (onnxruntime vs tfjs) on this machine',
  usage: `Usage: lensdesk score-bench [--size 45] [--batch 64] [--reps 5] [--threads 2] [--backend wasm] [--train] [--json]

Random weights and inputs (speed does not depend on them). Prints images per second per path;
--train adds one tfjs training figure (batch 32). --json: {"size", "batch", "ort", "tfjs", "train"?} in img/s.
`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        size: { type: 'string', default: '45' }, batch: { type: 'string', default: '64' }, reps: { type: 'string', default: '5' },
        threads: { type: 'string', default: '2' }, backend: { type: 'string', default: 'wasm' }, train: { type: 'boolean' }, json: { type: 'boolean' },
      },
    });
    const size = numberOptionOr(values, 'size', 45, { integer: true, min: 8, max: 512 });
    const batch = numberOptionOr(values, 'batch', 64, { integer: true, min: 1, max: 4096 });
    const reps = numberOptionOr(values, 'reps', 5, { integer: true, min: 1 });
    const threads = numberOptionOr(values, 'threads', 2, { integer: true, min: 1, max: 256 });
    const backend = values.backend as BackendCandidate;
    const ort = (await ortInference(size, batch, reps, threads)).imgPerS;
    io.err(`onnxruntime (${values.threads} threads): ${ort.toFixed(1)} img/s`);
    const tfjs = (await tfjsInference(backend, size, batch, reps)).imgPerS;
    io.err(`tfjs ${backend}: ${tfjs.toFixed(1)} img/s`);
    const train = values.train ? (await tfjsTraining(backend, size, 32, Math.min(reps, 3))).imgPerS : undefined;
    if (train !== undefined) io.err(`tfjs ${backend} training (batch 32): ${train.toFixed(1)} img/s`);
    const r = (v: number) => Math.round(v * 10) / 10;
    if (values.json) io.out(JSON.stringify({ size, batch, ort: r(ort), tfjs: r(tfjs), tfjsBackend: backend, ...(train !== undefined ? { train: r(train) } : {}) }));
    else io.out(`${size}×${size}×4, batch ${batch}: onnxruntime ${r(ort)} img/s, tfjs ${backend} ${r(tfjs)} img/s (×${(ort / tfjs).toFixed(2)})`);
    return 0;
  },
};
