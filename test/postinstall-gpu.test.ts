// The postinstall's GPU step: tries `lensdesk setup gpu` only with a driver and a reachable network,
// otherwise prints one line saying how to enable the GPU later; never throws.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Step {
  gpuStep(o: { root: string; log: (l: string) => void; env?: Record<string, string>; hasDriver?: () => boolean; reach?: (u: string) => Promise<string | null>; setup?: (root: string) => { ok: boolean; output: string } }): Promise<void>;
}
const mod = (): Promise<Step> => import(join(import.meta.dirname, '..', 'scripts', 'postinstall-gpu.mjs')) as Promise<Step>;
const LINUX_X64 = process.platform === 'linux' && process.arch === 'x64';

describe.skipIf(!LINUX_X64)('postinstall GPU step (linux x64: the only platform with CUDA builds)', () => {
  const run = async (o: Partial<Parameters<Step['gpuStep']>[0]>) => {
    const lines: string[] = [];
    let setupCalls = 0;
    const { gpuStep } = await mod();
    await gpuStep({ root: join(import.meta.dirname, '..'), log: (l) => lines.push(l), env: {}, reach: async () => null, setup: () => (setupCalls++, { ok: true, output: 'installed: x' }), ...o });
    return { lines, setupCalls };
  };

  it('no driver: one line naming the command for later, no setup, no network probe', async () => {
    let probed = 0;
    const r = await run({ hasDriver: () => false, reach: async () => (probed++, null) });
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/no NVIDIA driver.*npx lensdesk setup gpu/);
    expect(r.setupCalls).toBe(0);
    expect(probed).toBe(0);
  });

  it('driver but unreachable hosts: one line with the reason, no setup', async () => {
    const r = await run({ hasDriver: () => true, reach: async (u) => `${u}: ENOTFOUND` });
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/unreachable \(https:\/\/storage\.googleapis\.com\/: ENOTFOUND\).*npx lensdesk setup gpu/);
    expect(r.setupCalls).toBe(0);
  });

  it('LENSDESK_SKIP_GPU_SETUP skips without probing the driver', async () => {
    const r = await run({ env: { LENSDESK_SKIP_GPU_SETUP: '1' }, hasDriver: () => { throw new Error('must not be called'); } });
    expect(r.lines).toHaveLength(1);
    expect(r.setupCalls).toBe(0);
  });

  it('driver and network: runs setup once and reports a failure without throwing', async () => {
    const { gpuStep } = await mod();
    const lines: string[] = [];
    // A root with a (stand-in) built CLI gets as far as setup; one without says to build first.
    const root = mkdtempSync(join(tmpdir(), 'lensdesk-pi-'));
    try {
      const roots: string[] = [];
      const setup = (r: string) => (roots.push(r), { ok: false, output: 'progress line\nfailed: tfjs-node-gpu: cannot reach https://x (ECONNRESET)\n' });
      await gpuStep({ root, log: (l) => lines.push(l), env: {}, hasDriver: () => true, reach: async () => null, setup });
      expect(lines).toEqual([expect.stringMatching(/CLI is not built.*npm run build/)]);
      expect(roots).toEqual([]);
      lines.length = 0;
      mkdirSync(join(root, 'out', 'main'), { recursive: true });
      writeFileSync(join(root, 'out', 'main', 'cli.js'), '');
      await gpuStep({ root, log: (l) => lines.push(l), env: {}, hasDriver: () => true, reach: async () => null, setup });
      expect(roots).toEqual([root]);
      expect(lines).toContain('  failed: tfjs-node-gpu: cannot reach https://x (ECONNRESET)');
      expect(lines).not.toContain('  progress line');
      expect(lines.at(-1)).toMatch(/did not complete.*npx lensdesk setup gpu/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
