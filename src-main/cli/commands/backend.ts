// `lensdesk backend`: which tfjs backend runs here and why each better one did not load.
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { BACKEND_ORDER, type BackendCandidate, backendSummary, selectBackend } from '../../backend/select';
import { chooseTrainEngine } from '../../backend/train-engine';
import { gpuStatus } from '../../gpu/status';

export const backendCommand: CliCommand = {
  name: 'backend',
  summary: 'Show which compute backend (tfjs-node-gpu, tfjs-node, wasm, cpu) loads, and why others did not',
  usage: `Usage: lensdesk backend [--json] [--only LIST]

Tries ${BACKEND_ORDER.join(' → ')} and keeps the first that loads (LENSDESK_BACKEND=LIST does the same as --only).

Options:
  --only LIST   comma-separated candidates to try, e.g. wasm,cpu
  --json        one JSON object: {"backend": candidate, "tfBackend": name, "summary": line,
                "attempts": [{"candidate", "ok", "error"?, "skipped"?, "ms"?}], "notes": [..],
                "training": what trains CMUDeepLens here (see lensdesk train --engine),
                "gpu": {"driver": {"present", "version"?, "detail"}, "tfjs": {"installed", "files",
                "missingLibs", "gpu", "line"}, "onnxruntime": {same + "cudaListed"}}}
The gpu lines say what each engine runs on and, if not the GPU, why (lensdesk setup gpu fetches the parts).
`,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, only: { type: 'string' } } });
    const order = values.only ? (values.only.split(',').map((s) => s.trim()) as BackendCandidate[]) : undefined;
    const s = await selectBackend(order ? { order } : {});
    const training = (await chooseTrainEngine(s)).reason;
    const gpu = await gpuStatus(s);
    if (values.json) {
      io.out(JSON.stringify({ backend: s.candidate, tfBackend: s.tfBackend, summary: backendSummary(s), attempts: s.attempts, notes: s.notes, training, gpu }));
      return 0;
    }
    io.out(`backend: ${s.candidate} (tf.getBackend() = '${s.tfBackend}')`);
    io.out(`training: ${training}`);
    for (const a of s.attempts) {
      const what = a.ok ? `loaded in ${a.ms} ms` : a.skipped ? `not tried: ${a.skipped}` : `failed: ${a.error}`;
      io.out(`  ${a.candidate.padEnd(14)} ${what}`);
    }
    for (const n of s.notes) io.out(`  note: ${n}`);
    io.out(`gpu: ${gpu.driver.present ? `NVIDIA driver ${gpu.driver.version ?? '(version unknown)'}` : gpu.driver.detail}`);
    io.out(`  ${gpu.tfjs.line}`);
    io.out(`  ${gpu.onnxruntime.line}`);
    return 0;
  },
};
