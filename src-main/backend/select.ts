// Chooses the fastest tfjs backend that loads here: tfjs-node-gpu (CUDA) → tfjs-node (libtensorflow
// CPU) → wasm (XNNPACK, SIMD) → cpu (plain JS), and records why each better one did not load, with
// the loader's exact error, for the status bar and `lensdesk backend`.
//
// The tfjs-node packages are optional dependencies whose native library is often absent (no
// network at install, no CUDA). They register their kernels before loading the binding, so a failed
// attempt leaves kernels behind under the backend name 'tensorflow'; those are removed again so the
// next attempt neither collides nor floods the console with "already registered" warnings.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { installLeanBatchNormGradient } from '../../src-core/classify/bn-gradient';

export type BackendCandidate = 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendCandidate[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

export interface BackendAttempt {
  candidate: BackendCandidate;
  ok: boolean;
  /** Exact error message of the failed load (first line is the summary). */
  error?: string;
  /** Not tried: a better backend had already loaded, or the caller excluded it. */
  skipped?: string;
  ms?: number;
}

export interface BackendSelection {
  candidate: BackendCandidate;
  /** tf.getBackend() after selection: 'tensorflow' | 'wasm' | 'cpu'. */
  tfBackend: string;
  attempts: BackendAttempt[];
  /** Extra facts for the status bar (wasm SIMD / threads, patched training kernels). */
  notes: string[];
}

export interface SelectOptions {
  /** Candidates to try, best first (default BACKEND_ORDER; env LENSDESK_BACKEND=wasm etc. narrows it). */
  order?: readonly BackendCandidate[];
}

// Named nodeRequire: the electron-vite ESM bundle already defines `require` at the top level.
const nodeRequire = createRequire(import.meta.url);

function dropTensorflowKernels(): void {
  for (const k of tf.getKernelsForBackend('tensorflow')) tf.unregisterKernel(k.kernelName, 'tensorflow');
}

async function tryCandidate(c: BackendCandidate, notes: string[]): Promise<void> {
  if (c === 'tfjs-node-gpu' || c === 'tfjs-node') {
    try {
      nodeRequire(`@tensorflow/${c}`);
    } catch (e) {
      dropTensorflowKernels();
      throw e;
    }
    if (!(await tf.setBackend('tensorflow'))) throw new Error(`tf.setBackend('tensorflow') returned false after loading ${c}`);
    return;
  }
  if (c === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const { installWasmGradKernels } = await import('./wasm-grad-kernels');
    installWasmGradKernels();
    if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') returned false (the .wasm binary did not initialise)");
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    notes.push(`wasm: SIMD ${simd ? 'on' : 'off'}, ${wasm.getThreadsCount()} thread(s) (tfjs disables wasm threads under Node)`);
    notes.push('wasm: Conv2DBackpropFilter added and Conv2DBackpropInput replaced (GEMM/XNNPACK forms) for training');
    return;
  }
  if (!(await tf.setBackend('cpu'))) throw new Error("tf.setBackend('cpu') returned false");
}

function orderFromEnv(): readonly BackendCandidate[] | undefined {
  const v = process.env.LENSDESK_BACKEND;
  if (!v) return undefined;
  const list = v.split(',').map((s) => s.trim()) as BackendCandidate[];
  const bad = list.filter((s) => !BACKEND_ORDER.includes(s));
  if (bad.length) throw new Error(`LENSDESK_BACKEND: unknown backend(s) ${bad.join(', ')}; use ${BACKEND_ORDER.join(', ')}`);
  return list;
}

/** Tries the candidates in order and keeps the first that loads. Throws only if none does. */
export async function selectBackend(opts: SelectOptions = {}): Promise<BackendSelection> {
  const order = opts.order ?? orderFromEnv() ?? BACKEND_ORDER;
  const attempts: BackendAttempt[] = [];
  const notes: string[] = [];
  // Same numbers, fewer full-size temporaries in training on every backend (see bn-gradient.ts).
  installLeanBatchNormGradient();
  let chosen: BackendCandidate | undefined;
  for (const c of BACKEND_ORDER) {
    if (!order.includes(c)) {
      attempts.push({ candidate: c, ok: false, skipped: 'excluded by caller or LENSDESK_BACKEND' });
      continue;
    }
    if (chosen) {
      attempts.push({ candidate: c, ok: false, skipped: `${chosen} already loaded` });
      continue;
    }
    const t0 = performance.now();
    try {
      await tryCandidate(c, notes);
      attempts.push({ candidate: c, ok: true, ms: Math.round(performance.now() - t0) });
      chosen = c;
    } catch (e) {
      attempts.push({ candidate: c, ok: false, error: String((e as Error)?.message ?? e).trim(), ms: Math.round(performance.now() - t0) });
    }
  }
  if (!chosen) throw new Error(`no tfjs backend loaded: ${attempts.map((a) => `${a.candidate}: ${a.error ?? a.skipped}`).join('; ')}`);
  return { candidate: chosen, tfBackend: tf.getBackend(), attempts, notes };
}

/** One line for the status bar, e.g. "wasm (tfjs-node-gpu: The Node.js native addon … not found)". */
export function backendSummary(s: BackendSelection): string {
  const failed = s.attempts.filter((a) => a.error).map((a) => `${a.candidate}: ${a.error!.split('\n')[0]}`);
  return failed.length ? `${s.candidate} (${failed.join('; ')})` : s.candidate;
}
