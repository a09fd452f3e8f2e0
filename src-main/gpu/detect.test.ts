import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectNvidiaDriver, probeUrl, visibleCudaMajor } from './detect';

const HAS_SMI = spawnSync('nvidia-smi', ['-L'], { timeout: 5000 }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'lensdesk-detect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(HAS_SMI)('NVIDIA driver detection from /proc (skipped where nvidia-smi answers: it takes precedence)', () => {
  it('reads the version from both proprietary and open kernel-module banners', () => {
    // Banner formats as printed by the 550 proprietary and 535 open kernel modules.
    const a = join(dir, 'prop');
    writeFileSync(a, 'NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024\nGCC version:  gcc version 12.2.0\n');
    expect(detectNvidiaDriver(a)).toMatchObject({ present: true, version: '550.54.15' });
    const b = join(dir, 'open');
    writeFileSync(b, 'NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  535.104.05  Release Build  (dvs-builder@U16-I3-B03-4-3)\n');
    expect(detectNvidiaDriver(b)).toMatchObject({ present: true, version: '535.104.05' });
  });
  it('absent: says which file and which command were looked for', () => {
    const r = detectNvidiaDriver(join(dir, 'nope'));
    expect(r.present).toBe(false);
    expect(r.detail).toContain(join(dir, 'nope'));
    expect(r.detail).toMatch(/nvidia-smi/);
  });
});

describe('probes', () => {
  it('probeUrl: a refused connection is reported with its code; any HTTP answer counts as reachable', async () => {
    const s = http.createServer((_q, res) => res.writeHead(404).end());
    await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/x`;
    expect(await probeUrl(url, 3000)).toEqual({ ok: true, status: 404 });
    await new Promise<void>((ok) => s.close(() => ok()));
    expect(await probeUrl(url, 3000)).toEqual({ ok: false, error: 'ECONNREFUSED' });
  });
  it('visibleCudaMajor prefers CUDA 12 and is undefined without libcudart', () => {
    expect(visibleCudaMajor(new Set(['libcudart.so.11.0', 'libcudart.so.12']))).toBe(12);
    expect(visibleCudaMajor(new Set(['libcudart.so.11.0']))).toBe(11);
    expect(visibleCudaMajor(new Set(['libcublas.so.12']))).toBeUndefined();
  });
});
