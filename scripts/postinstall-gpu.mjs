// Postinstall step 3: GPU. `npm install` skips the native downloads of @tensorflow/tfjs-node-gpu and
// onnxruntime-node's CUDA provider ("allowScripts" in package.json, so offline installs succeed).
// Here we try `lensdesk setup gpu` (src-main/gpu/setup.ts) only when an NVIDIA driver is present
// and the download hosts answer within a few seconds; otherwise print one line saying how to
// enable the GPU later. Nothing here may fail the install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';

const LATER = 'To use an NVIDIA GPU later, run `npx lensdesk setup gpu` on the GPU machine (docs/gpu.md).';

export function driverPresent() {
  if (existsSync('/proc/driver/nvidia/version')) return true;
  const r = spawnSync('nvidia-smi', ['-L'], { timeout: 5000, stdio: 'ignore' });
  return r.status === 0;
}

/** Resolves to null when the host answers (any status), else the reason. */
export function probe(url, timeoutMs = 4000) {
  return new Promise((resolve) => {
    const req = https.request(url, { method: 'HEAD', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(null);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(`no answer from ${url} within ${timeoutMs} ms`);
    });
    req.on('error', (e) => resolve(`${url}: ${e.code ?? e.message}`));
    req.end();
  });
}

export function runSetup(root) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'lensdesk.js'), 'setup', 'gpu', '--timeout', '900'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 1_900_000 });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}

/** The decision, with the machine facts injectable for tests. */
export async function gpuStep({ root, log, env = process.env, hasDriver = driverPresent, reach = probe, setup = runSetup }) {
  if (env.LENSDESK_SKIP_GPU_SETUP) return log(`GPU setup skipped by LENSDESK_SKIP_GPU_SETUP. ${LATER}`);
  if (!(process.platform === 'linux' && process.arch === 'x64')) return log(`GPU: the CUDA builds exist for linux x64 only; this is ${process.platform}/${process.arch}.`);
  if (!hasDriver()) return log(`GPU: no NVIDIA driver here, so the CUDA libraries were not fetched. ${LATER}`);
  for (const host of ['https://storage.googleapis.com/', 'https://api.nuget.org/v3/index.json']) {
    const why = await reach(host);
    if (why) return log(`GPU: NVIDIA driver found but the download hosts are unreachable (${why}). ${LATER}`);
  }
  if (!existsSync(join(root, 'out', 'main', 'cli.js'))) return log(`GPU: the CLI is not built, so setup could not run. Run \`npm run build\`, then \`npx lensdesk setup gpu\`.`);
  log('NVIDIA driver found and the network answers: running `lensdesk setup gpu` (libtensorflow GPU is ~0.5 GB)…');
  const r = setup(root);
  for (const l of r.output.split('\n').filter((x) => /^(installed|failed|skipped|  still missing|error)/.test(x))) log(`  ${l.trim()}`);
  log(r.ok ? 'GPU libraries installed: `npx lensdesk backend` shows what now loads.' : 'GPU setup did not complete (see above); the CPU backends work. Retry with `npx lensdesk setup gpu`.');
}
