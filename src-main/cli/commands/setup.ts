// `lensdesk setup gpu`: fetch the native GPU parts of @tensorflow/tfjs-node-gpu and onnxruntime-node
// through their own install scripts (src-main/gpu/setup.ts), which `npm install` skips on purpose.
import { parseArgs } from 'node:util';
import { InputError } from '../../../src-core/errors';
import type { CliCommand } from '../command';
import { type GpuEngine, setupGpu } from '../../gpu/setup';

export const setupCommand: CliCommand = {
  name: 'setup',
  summary: 'Fetch optional native parts: `setup gpu` installs the CUDA builds of tfjs-node-gpu and onnxruntime-node',
  usage: `Usage: lensdesk setup gpu [--mirror URL] [--nuget-index URL] [--dry-run] [--cuda 11|12] [--only tfjs|onnxruntime] [--force] [--allow-source-build] [--json]

Checks for the NVIDIA driver, the CUDA/cuDNN libraries and the download hosts, then runs
  @tensorflow/tfjs-node-gpu: node scripts/install.js gpu download   (libtensorflow 2.9.1 GPU + addon)
  onnxruntime-node:          node script/install.js with ONNXRUNTIME_NODE_INSTALL=true (CUDA 12 EP from NuGet)
and rolls back anything a failed download left behind. See docs/gpu.md for the CUDA versions each needs.

Options:
  --mirror URL          base URL laid out like the upstream hosts: URL/tensorflow/libtensorflow/…,
                        URL/tf-builds/pre-built-binary/…, URL/v3/index.json (NuGet v3)
  --nuget-index URL     NuGet v3 service index for onnxruntime (overrides URL/v3/index.json)
  --dry-run             print what would be fetched from where and where it lands; change nothing
  --cuda 11|12          CUDA major of this machine (default: the libcudart the loader sees, else 12);
                        onnxruntime-node 1.30's CUDA EP exists for 12 only
  --only LIST           tfjs, onnxruntime or both (default both)
  --force               download even without an NVIDIA driver (e.g. preparing an image)
  --allow-source-build  let node-pre-gyp compile the tfjs addon if its download fails (needs a C++ toolchain)
  --timeout SECONDS     per package script (default 1200)
  --json                {"ok", "driver", "cuda", "steps": [{"engine", "status", "message", "missingLibs"}]}
Exit status: 0 when every requested part is installed (or planned with --dry-run), 1 otherwise.
`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        mirror: { type: 'string' },
        'nuget-index': { type: 'string' },
        'dry-run': { type: 'boolean' },
        cuda: { type: 'string' },
        only: { type: 'string' },
        force: { type: 'boolean' },
        'allow-source-build': { type: 'boolean' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    if (positionals[0] !== 'gpu' || positionals.length !== 1) throw new InputError('INPUT_INVALID', `lensdesk setup: expected \`setup gpu\`, got \`setup ${positionals.join(' ')}\``, { argument: positionals.join(' ') });
    if (values.cuda !== undefined && values.cuda !== '11' && values.cuda !== '12') throw new InputError('INPUT_INVALID', `--cuda: '${values.cuda}' is not 11 or 12`, { field: 'cuda' });
    const only = values.only?.split(',').map((s) => s.trim()) as GpuEngine[] | undefined;
    const bad = only?.filter((e) => e !== 'tfjs' && e !== 'onnxruntime') ?? [];
    if (bad.length) throw new InputError('INPUT_INVALID', `--only: unknown part(s) ${bad.join(', ')}; use tfjs, onnxruntime`, { field: 'only' });
    for (const [flag, url] of [['--mirror', values.mirror], ['--nuget-index', values['nuget-index']]] as const) {
      if (url !== undefined && !/^https?:\/\/[^/]/.test(url)) throw new InputError('INPUT_INVALID', `${flag}: '${url}' is not an http(s) URL`, { field: flag });
    }
    const timeout = values.timeout === undefined ? 1200 : Number(values.timeout);
    if (!(timeout > 0)) throw new InputError('INPUT_INVALID', `--timeout: '${values.timeout}' is not a positive number of seconds`, { field: 'timeout' });
    const r = await setupGpu({
      mirror: values.mirror,
      nugetIndex: values['nuget-index'],
      dryRun: values['dry-run'],
      cuda: values.cuda ? (Number(values.cuda) as 11 | 12) : undefined,
      only,
      force: values.force,
      allowSourceBuild: values['allow-source-build'],
      timeoutMs: timeout * 1000,
      log: (l) => (values.json ? io.err(l) : io.out(l)),
    });
    if (values.json) io.out(JSON.stringify(r));
    return r.ok ? 0 : 1;
  },
};
