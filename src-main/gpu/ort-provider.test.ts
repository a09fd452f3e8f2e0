// The scoring sessions' provider choice and the CUDA → CPU fallback, on a machine without CUDA.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCmuDeepLens } from '../../src-core/classify/model';
import { OrtScorer } from '../classify/ort-scorer';
import { chooseOrtProvider, ortCudaReadiness } from './ort-provider';
import { planOrtCuda } from './ort-cuda-install';
import { CUDA_LIBS } from './detect';

const ortDir = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
const noDriver = { present: false, detail: 'no NVIDIA driver (test)' };
const driver = { present: true, version: '550.54', detail: 'nvidia-smi: 1 GPU(s) (test)' };
const allLibs = new Set<string>(CUDA_LIBS.onnxruntime);

describe('onnxruntime execution provider for scoring', () => {
  let fakeOrt: string;
  beforeAll(() => {
    // a copy of onnxruntime-node's package.json and install metadata, with the CUDA EP files present (empty)
    fakeOrt = mkdtempSync(join(tmpdir(), 'lensdesk-ortdir-'));
    cpSync(ortDir, fakeOrt, { recursive: true, filter: (src) => !/\.node$|\.so(\.\d+)*$|\.dylib$/.test(src) });
    for (const f of planOrtCuda(fakeOrt, {}).files) {
      mkdirSync(dirname(f), { recursive: true });
      writeFileSync(f, '');
    }
  });
  afterAll(() => rmSync(fakeOrt, { recursive: true, force: true }));

  it('stays on the CPU, saying why, when the CUDA EP, the driver or the libraries are missing', () => {
    // this package as installed by npm: no CUDA EP files (allowScripts keeps its download off)
    const plain = chooseOrtProvider({}, { ortDir, driver, libs: allLibs });
    expect(plain.provider).toBe('cpu');
    expect(plain.why).toMatch(/CUDA execution provider not installed.*lensdesk setup gpu/);
    const nd = chooseOrtProvider({}, { ortDir: fakeOrt, driver: noDriver, libs: allLibs });
    expect(nd).toMatchObject({ provider: 'cpu', driverPresent: false });
    expect(nd.why).toContain('no NVIDIA driver');
    const libs = new Set(allLibs);
    libs.delete(CUDA_LIBS.onnxruntime[0]!);
    const nl = chooseOrtProvider({}, { ortDir: fakeOrt, driver, libs });
    expect(nl).toMatchObject({ provider: 'cpu', driverPresent: true });
    expect(nl.why).toContain(CUDA_LIBS.onnxruntime[0]!);
  });

  it('asks for CUDA when everything is in place, unless LENSDESK_ORT_PROVIDER=cpu', () => {
    expect(ortCudaReadiness({ ortDir: fakeOrt, driver, libs: allLibs }).ready).toBe(true);
    expect(chooseOrtProvider({}, { ortDir: fakeOrt, driver, libs: allLibs }).provider).toBe('cuda');
    expect(chooseOrtProvider({ LENSDESK_ORT_PROVIDER: 'cpu' }, { ortDir: fakeOrt, driver, libs: allLibs }).provider).toBe('cpu');
    expect(chooseOrtProvider({ LENSDESK_ORT_PROVIDER: 'cuda' }, { ortDir, driver: noDriver, libs: new Set() })).toMatchObject({ provider: 'cuda' });
  });

  it('a CUDA session that cannot open falls back to the CPU with the reason, and scores the same', async () => {
    await tf.setBackend('cpu');
    const size = 45;
    const model = buildCmuDeepLens({ size, bands: 4, seed: 3 });
    const images = Float32Array.from({ length: 2 * size * size * 4 }, (_, i) => Math.sin(i * 0.01));
    const cpu = await OrtScorer.fromModel(model, { size, bands: 4, threads: 1, nchwcElu: false });
    const viaCuda = await OrtScorer.fromModel(model, { size, bands: 4, threads: 1, nchwcElu: false, provider: 'cuda' });
    try {
      expect(cpu.provider).toBe('CPU execution provider');
      // no CUDA EP on this machine: the session must not pretend otherwise
      expect(viaCuda.provider).toMatch(/^CPU execution provider \(the CUDA session did not open: .+\)$/);
      const [a, b] = [await cpu.score(images), await viaCuda.score(images)];
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-6);
    } finally {
      await cpu.release();
      await viaCuda.release();
      model.dispose();
    }
  }, 120_000);
});
