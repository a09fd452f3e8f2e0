// What a GPU install needs from the machine, found without side effects: the NVIDIA kernel driver
// (/proc/driver/nvidia/version, else nvidia-smi), the CUDA/cuDNN user-space libraries the dynamic
// loader can see (`ldconfig -p`, plus LD_LIBRARY_PATH, which ldconfig does not list), and whether
// a download host answers at all. Every probe has a short timeout and reports why it failed
// instead of throwing, so `lensdesk setup gpu`, `lensdesk backend` and the postinstall can explain.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

export interface DriverInfo {
  present: boolean;
  /** e.g. "550.54.15" when known. */
  version?: string;
  /** GPU names from nvidia-smi when it ran. */
  gpus?: string[];
  /** Where the answer came from, or what was looked at and not found. */
  detail: string;
}

/** /proc/driver/nvidia/version exists only while the NVIDIA kernel module is loaded. */
export function detectNvidiaDriver(procFile = '/proc/driver/nvidia/version'): DriverInfo {
  let version: string | undefined;
  let fromProc = false;
  if (existsSync(procFile)) {
    try {
      const text = readFileSync(procFile, 'utf8');
      version = /Kernel Module\s+(?:for\s+\S+\s+)?([0-9][0-9.]+)/.exec(text)?.[1];
      fromProc = true;
    } catch {
      /* unreadable: fall through to nvidia-smi */
    }
  }
  const smi = spawnSync('nvidia-smi', ['--query-gpu=name,driver_version', '--format=csv,noheader'], { encoding: 'utf8', timeout: 5000 });
  if (smi.status === 0 && smi.stdout.trim()) {
    const rows = smi.stdout.trim().split('\n').map((l) => l.split(',').map((s) => s.trim()));
    return { present: true, version: version ?? rows[0][1], gpus: rows.map((r) => r[0]), detail: `nvidia-smi: ${rows.length} GPU(s)` };
  }
  if (fromProc) return { present: true, version, detail: `${procFile} (nvidia-smi ${smi.error ? 'not runnable' : `exit ${smi.status}`})` };
  const smiWhy = smi.error ? ((smi.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'nvidia-smi not on PATH' : `nvidia-smi: ${smi.error.message}`) : `nvidia-smi exit ${smi.status}: ${(smi.stderr || smi.stdout).trim().split('\n')[0]}`;
  return { present: false, detail: `no NVIDIA driver: ${procFile} absent and ${smiWhy}` };
}

/** Shared-library sonames the loader can resolve: ldconfig's cache plus LD_LIBRARY_PATH directories. */
export function visibleSharedLibraries(env: NodeJS.ProcessEnv = process.env): Set<string> {
  const names = new Set<string>();
  for (const bin of ['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    const r = spawnSync(bin, ['-p'], { encoding: 'utf8', timeout: 5000 });
    if (r.status !== 0) continue;
    for (const line of r.stdout.split('\n')) {
      const m = /^\s+(\S+)\s+\(/.exec(line);
      if (m) names.add(m[1]);
    }
    break;
  }
  for (const dir of (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)) {
    try {
      for (const f of readdirSync(dir)) if (f.includes('.so')) names.add(f);
    } catch {
      /* a stale entry in LD_LIBRARY_PATH is not our problem to report */
    }
  }
  return names;
}

/**
 * CUDA runtime libraries each engine opens, by soname.
 * - tfjs-node-gpu 4.22 downloads libtensorflow 2.9.1 (scripts/deps-constants.js LIBTENSORFLOW_VERSION),
 *   built for CUDA 11.2 + cuDNN 8.1 (its README's requirements table). TensorFlow 2.9 dlopens
 *   these sonames at start-up (tensorflow/stream_executor/platform/default/dso_loader.cc).
 * - onnxruntime-node 1.30's CUDA EP is the CUDA 12 build (README: "CUDA v12"; install-utils.js
 *   rejects CUDA 11), which links cuDNN 9 (onnxruntime's CUDA EP requirements for 1.19+ on CUDA 12).
 */
export const CUDA_LIBS = {
  tfjs: ['libcudart.so.11.0', 'libcublas.so.11', 'libcublasLt.so.11', 'libcufft.so.10', 'libcurand.so.10', 'libcusolver.so.11', 'libcusparse.so.11', 'libcudnn.so.8'],
  onnxruntime: ['libcudart.so.12', 'libcublas.so.12', 'libcublasLt.so.12', 'libcufft.so.11', 'libcurand.so.10', 'libcudnn.so.9'],
} as const;

export function missingLibraries(wanted: readonly string[], visible: Set<string>): string[] {
  return wanted.filter((w) => !visible.has(w));
}

/** CUDA major whose runtime is visible (12 preferred), or undefined. */
export function visibleCudaMajor(visible: Set<string>): 11 | 12 | undefined {
  if (visible.has('libcudart.so.12')) return 12;
  if (visible.has('libcudart.so.11.0')) return 11;
  return undefined;
}

/** Libraries a built .so cannot resolve, from `ldd` ("libX => not found"); [] when ldd is unavailable. */
export function unresolvedByLdd(file: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const r = spawnSync('ldd', [file], { encoding: 'utf8', timeout: 10_000, env });
  if (r.status !== 0) return [];
  return r.stdout.split('\n').filter((l) => /=>\s*not found/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
}

export interface Reachability {
  ok: boolean;
  /** HTTP status when the host answered. */
  status?: number;
  /** Error code or message when it did not (ENOTFOUND, ECONNREFUSED, timeout after N ms). */
  error?: string;
}

/** One HEAD request with a hard timeout; any HTTP answer (even 404) means the host is reachable. */
export function probeUrl(url: string, timeoutMs = 5000): Promise<Reachability> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: Reachability) => {
      if (!done) {
        done = true;
        resolve(r);
      }
    };
    let req: http.ClientRequest;
    try {
      const client = url.startsWith('https:') ? https : http;
      req = client.request(url, { method: 'HEAD', timeout: timeoutMs }, (res) => {
        res.resume();
        finish({ ok: true, status: res.statusCode });
      });
    } catch (e) {
      return finish({ ok: false, error: (e as Error).message });
    }
    req.on('timeout', () => {
      finish({ ok: false, error: `no answer within ${timeoutMs} ms` });
      req.destroy();
    });
    req.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, error: e.code ?? e.message }));
    req.end();
  });
}
