// `lensdesk setup gpu` argument handling and --dry-run on the real install (which must change nothing).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../command';
import { setupCommand } from './setup';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { out: (s) => out.push(s), err: (s) => err.push(s), progress: () => undefined, signal: new AbortController().signal };
  return { out, err, cli };
}

describe('lensdesk setup', () => {
  it('rejects anything but `setup gpu` and bad flag values, naming the flag', async () => {
    await expect(setupCommand.run(['cpu'], io().cli)).rejects.toThrow(/expected `setup gpu`, got `setup cpu`/);
    await expect(setupCommand.run(['gpu', '--cuda', '13'], io().cli)).rejects.toThrow(/--cuda: '13' is not 11 or 12/);
    await expect(setupCommand.run(['gpu', '--only', 'torch'], io().cli)).rejects.toThrow(/--only: unknown part\(s\) torch/);
    await expect(setupCommand.run(['gpu', '--mirror', 'ftp://x'], io().cli)).rejects.toThrow(/--mirror: 'ftp:\/\/x' is not an http\(s\) URL/);
  });

  it.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('--dry-run --json: the mirror URLs each script would fetch, and no files written', async () => {
    const { out, cli } = io();
    const deps = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-node-gpu/package.json')), 'deps');
    const before = existsSync(deps);
    const code = await setupCommand.run(['gpu', '--dry-run', '--json', '--mirror', 'http://mirror.example:8080/m/'], cli);
    const r = JSON.parse(out.at(-1)!);
    expect(code).toBe(0);
    expect(r.steps.map((s: { status: string }) => s.status)).toEqual(['planned', 'planned']);
    expect(r.steps[0].message).toContain('http://mirror.example:8080/m/tensorflow/libtensorflow/libtensorflow-gpu-linux-x86_64-2.9.1.tar.gz');
    expect(r.steps[0].message).toContain('TFJS_NODE_CDN_STORAGE=http://mirror.example:8080/m/');
    expect(r.steps[0].message).toContain('npm_config_tfjs_binding_binary_host_mirror=http://mirror.example:8080/m/tf-builds/pre-built-binary/');
    expect(r.steps[1].message).toContain('http://mirror.example:8080/m/v3/index.json');
    expect(r.steps[1].message).toContain('ONNXRUNTIME_NODE_INSTALL=true');
    // Nothing may be written by a dry run: the tfjs-node-gpu deps/ directory is as it was.
    expect(r.steps[0].message).toContain(`→ ${join(deps, 'lib', 'libtensorflow.so.2.9.1')}`);
    expect(existsSync(deps)).toBe(before);
  });
});
