// What each engine would use for the GPU here, and if not the GPU, exactly why: for
// `lensdesk backend`. Reads only files and the loader cache (no downloads, no CUDA calls).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { BackendSelection } from '../backend/select';
import { CUDA_LIBS, type DriverInfo, detectNvidiaDriver, missingLibraries, unresolvedByLdd, visibleSharedLibraries } from './detect';
import { planOrtCuda } from './ort-cuda-install';
import { planTfjsGpu } from './tfjs-gpu-install';

const nodeRequire = createRequire(import.meta.url);

export interface EngineGpuStatus {
  /** The GPU files `lensdesk setup gpu` fetches are in place. */
  installed: boolean;
  files: string[];
  /** CUDA/cuDNN sonames this engine needs that the loader cannot find. */
  missingLibs: string[];
  /** True only when everything needed for the GPU is here (and, for tfjs, the GPU build loaded). */
  gpu: boolean;
  /** What it runs on and, when not the GPU, why not. */
  line: string;
}

export interface GpuStatus {
  driver: DriverInfo;
  tfjs: EngineGpuStatus;
  onnxruntime: EngineGpuStatus & { /** onnxruntime-node's own list (listSupportedBackends): is 'cuda' offered. */ cudaListed: boolean };
}

const SETUP = 'run `lensdesk setup gpu` (docs/gpu.md)';

function pkgDir(name: string): string | null {
  try {
    return dirname(nodeRequire.resolve(`${name}/package.json`));
  } catch {
    return null;
  }
}

export interface GpuStatusOptions {
  driver?: DriverInfo;
  libs?: Set<string>;
  tfjsDir?: string | null;
  ortDir?: string | null;
}

export async function gpuStatus(sel: BackendSelection, o: GpuStatusOptions = {}): Promise<GpuStatus> {
  const driver = o.driver ?? detectNvidiaDriver();
  const libs = o.libs ?? visibleSharedLibraries();
  return { driver, tfjs: tfjsStatus(sel, driver, libs, o.tfjsDir), onnxruntime: await ortStatus(driver, libs, o.ortDir) };
}

function tfjsStatus(sel: BackendSelection, driver: DriverInfo, libs: Set<string>, dirOpt?: string | null): EngineGpuStatus {
  const missingLibs = missingLibraries(CUDA_LIBS.tfjs, libs);
  const dir = dirOpt === undefined ? pkgDir('@tensorflow/tfjs-node-gpu') : dirOpt;
  const none = (why: string): EngineGpuStatus => ({ installed: false, files: [], missingLibs, gpu: false, line: `tfjs: ${sel.candidate}, not the GPU: ${why}` });
  if (!dir) return none('@tensorflow/tfjs-node-gpu is not installed (optional dependency)');
  let files: string[];
  try {
    const p = planTfjsGpu(dir, { binDir: '' });
    files = [p.libFile, p.addonFile];
  } catch (e) {
    return none((e as Error).message);
  }
  const installed = files.every((f) => existsSync(f));
  const attempt = sel.attempts.find((a) => a.candidate === 'tfjs-node-gpu');
  const res = (gpu: boolean, why: string): EngineGpuStatus => ({ installed, files, missingLibs, gpu, line: `tfjs: ${sel.candidate}${gpu ? ' (CUDA)' : `, not the GPU: ${why}`}` });
  if (!installed) return res(false, `${files.filter((f) => !existsSync(f)).join(' and ')} missing — ${SETUP}`);
  if (!attempt?.ok) return res(false, attempt?.error ? `tfjs-node-gpu did not load: ${attempt.error.split('\n')[0]}` : `tfjs-node-gpu ${attempt?.skipped ?? 'not tried'}`);
  // libtensorflow's GPU build loads without CUDA and then places every op on the CPU.
  if (!driver.present) return res(false, `tfjs-node-gpu loaded, but TensorFlow will run on the CPU: ${driver.detail}`);
  if (missingLibs.length) return res(false, `tfjs-node-gpu loaded, but TensorFlow will run on the CPU: CUDA 11.2/cuDNN 8 libraries missing: ${missingLibs.join(', ')}`);
  return res(true, '');
}

async function ortStatus(driver: DriverInfo, libs: Set<string>, dirOpt?: string | null): Promise<GpuStatus['onnxruntime']> {
  const dir = dirOpt === undefined ? pkgDir('onnxruntime-node') : dirOpt;
  let cudaListed = false;
  try {
    const ort = (await import('onnxruntime-node')) as unknown as { listSupportedBackends?: () => { name: string }[]; default?: { listSupportedBackends?: () => { name: string }[] } };
    const list = ort.listSupportedBackends ?? ort.default?.listSupportedBackends;
    cudaListed = !!list?.().some((b) => b.name === 'cuda');
  } catch {
    /* onnxruntime-node not loadable: reported by the scorer itself */
  }
  const out = (installed: boolean, files: string[], missingLibs: string[], why: string) => ({ installed, files, missingLibs, gpu: false, cudaListed, line: `onnxruntime: CPU execution provider, not CUDA: ${why}` });
  if (!dir) return out(false, [], [], 'onnxruntime-node is not installed');
  let files: string[];
  try {
    files = planOrtCuda(dir, {}).files;
  } catch (e) {
    return out(false, [], [], (e as Error).message);
  }
  const installed = files.every((f) => existsSync(f));
  const missingLibs = [...new Set([...missingLibraries(CUDA_LIBS.onnxruntime, libs), ...(installed ? unresolvedByLdd(files[0]) : [])])];
  if (!installed) return out(false, files, missingLibs, `${files.filter((f) => !existsSync(f)).map((f) => f.split('/').pop()).join(', ')} not installed — ${SETUP}`);
  if (!driver.present) return out(true, files, missingLibs, driver.detail);
  if (missingLibs.length) return out(true, files, missingLibs, `CUDA 12/cuDNN 9 libraries missing: ${missingLibs.join(', ')}`);
  // Everything is in place: scoring sessions ask for CUDA first (ort-provider.ts, ort-scorer.ts), unless turned off.
  if ((process.env.LENSDESK_ORT_PROVIDER ?? '').toLowerCase() === 'cpu') return out(true, files, missingLibs, 'LENSDESK_ORT_PROVIDER=cpu');
  return { installed, files, missingLibs, gpu: true, cudaListed, line: 'onnxruntime: CUDA execution provider for scoring (CPU for ops it lacks; training graphs stay on the CPU EP; untested on real hardware here, docs/gpu.md)' };
}
