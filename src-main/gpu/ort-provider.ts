// Which onnxruntime execution provider LensDesk's scoring sessions ask for: CUDA when
// `lensdesk setup gpu` installed the provider and the driver and CUDA 12/cuDNN 9 libraries are
// there, else the CPU — with the reason, so `lensdesk backend` and every score run can say which
// one ran. LENSDESK_ORT_PROVIDER=cpu|cuda|auto (default auto) overrides the choice; a CUDA session
// that fails to open falls back to the CPU (ort-scorer.ts), reporting why.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { CUDA_LIBS, type DriverInfo, detectNvidiaDriver, missingLibraries, visibleSharedLibraries } from './detect';
import { planOrtCuda } from './ort-cuda-install';

export type OrtProvider = 'cuda' | 'cpu';

export interface OrtProviderChoice {
  provider: OrtProvider;
  /** Why this provider (for the runtime line and `lensdesk backend`). */
  why: string;
  /** An NVIDIA driver is present (so a CPU choice is worth explaining in every score run). */
  driverPresent: boolean;
}

export interface OrtCudaProbe {
  driver?: DriverInfo;
  libs?: Set<string>;
  /** onnxruntime-node's package folder (null: not installed). */
  ortDir?: string | null;
}

const nodeRequire = createRequire(import.meta.url);

function ortPackageDir(): string | null {
  try {
    return dirname(nodeRequire.resolve('onnxruntime-node/package.json'));
  } catch {
    return null;
  }
}

/** Is everything the CUDA EP needs in place? Files and the loader cache only; no CUDA call. */
export function ortCudaReadiness(p: OrtCudaProbe = {}): { ready: boolean; why: string; driverPresent: boolean } {
  const driver = p.driver ?? detectNvidiaDriver();
  const no = (why: string) => ({ ready: false, why, driverPresent: driver.present });
  const dir = p.ortDir === undefined ? ortPackageDir() : p.ortDir;
  if (!dir) return no('onnxruntime-node is not installed');
  let files: string[];
  try {
    files = planOrtCuda(dir, {}).files;
  } catch (e) {
    return no((e as Error).message);
  }
  const absent = files.filter((f) => !existsSync(f));
  if (absent.length) return no(`CUDA execution provider not installed (${absent.map((f) => f.split('/').pop()).join(', ')}; run \`lensdesk setup gpu\`)`);
  if (!driver.present) return no(driver.detail);
  const missing = missingLibraries(CUDA_LIBS.onnxruntime, p.libs ?? visibleSharedLibraries());
  if (missing.length) return no(`CUDA 12/cuDNN 9 libraries missing: ${missing.join(', ')}`);
  return { ready: true, why: `CUDA execution provider installed; ${driver.detail}`, driverPresent: true };
}

// This machine's answer (driver, files, loader cache) does not change within a process: probe once, not at
// every scorer load (it may run nvidia-smi and ldconfig).
let machineReadiness: ReturnType<typeof ortCudaReadiness> | undefined;

/** The provider to request, from LENSDESK_ORT_PROVIDER and what is installed (`probe`: tests' injected machine). */
export function chooseOrtProvider(env: NodeJS.ProcessEnv = process.env, probe?: OrtCudaProbe): OrtProviderChoice {
  const want = (env.LENSDESK_ORT_PROVIDER ?? 'auto').toLowerCase();
  if (want === 'cpu') return { provider: 'cpu', why: 'LENSDESK_ORT_PROVIDER=cpu', driverPresent: (probe?.driver ?? detectNvidiaDriver()).present };
  const r = probe ? ortCudaReadiness(probe) : (machineReadiness ??= ortCudaReadiness());
  if (want === 'cuda') return { provider: 'cuda', why: r.ready ? r.why : `LENSDESK_ORT_PROVIDER=cuda (though ${r.why})`, driverPresent: r.driverPresent };
  return { provider: r.ready ? 'cuda' : 'cpu', why: r.ready ? r.why : `not CUDA: ${r.why}`, driverPresent: r.driverPresent };
}
