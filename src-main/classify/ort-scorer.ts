// Fast CMUDeepLens inference: the tfjs model exported to ONNX (src-core/classify/onnx/export.ts)
// and run by onnxruntime-node's CPU execution provider (MLAS kernels, multi-threaded), or its CUDA
// provider when `lensdesk setup gpu` installed it (src-main/gpu/ort-provider.ts chooses). Takes the
// same N×H×W×bands float32 buffers as the tfjs path and returns lens probabilities.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import type * as tf from '@tensorflow/tfjs';
import { exportCmuDeepLensOnnx } from '../../src-core/classify/onnx/export';
import { keepEluInNchwc } from '../../src-core/classify/onnx/nchwc-elu';
import { InputError } from '../../src-core/errors';

export interface OrtScorerOptions {
  size: number;
  bands: number;
  /** Intra-op threads (default: 2, this project's reference machine; 0 lets ORT choose). */
  threads?: number;
  /** Run the ELUs on onnxruntime's blocked layout (nchwc-elu.ts; default true, LENSDESK_ORT_NCHWC_ELU=0 turns it off). */
  nchwcElu?: boolean;
  /** Execution provider to ask for (default cpu); a CUDA session that cannot open falls back to the CPU. */
  provider?: 'cpu' | 'cuda';
}

/** The CPU session options every LensDesk onnxruntime session uses (scoring, training, benches). */
export const cpuSessionOptions = (threads: number, level: ort.InferenceSession.SessionOptions['graphOptimizationLevel'] = 'all'): ort.InferenceSession.SessionOptions => ({
  executionProviders: ['cpu'],
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  graphOptimizationLevel: level,
});

/** CUDA first, CPU for any op the CUDA EP lacks (onnxruntime's own fallback order). */
const cudaSessionOptions = (threads: number): ort.InferenceSession.SessionOptions => ({
  ...cpuSessionOptions(threads),
  executionProviders: [{ name: 'cuda', deviceId: 0 }, 'cpu'],
});

/**
 * A session on `onnx` whose ELUs run in NCHWc (see nchwc-elu.ts): onnxruntime optimises the model
 * for this CPU and writes it out, the reorders around each Elu are dropped, and the result is
 * kept only if it gives the plain session's probabilities on a probe batch. Otherwise the plain one.
 */
async function nchwcSession(onnx: Uint8Array, threads: number, probe: ort.Tensor): Promise<{ session: ort.InferenceSession; elus: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'lensdesk-ort-'));
  let plain: ort.InferenceSession | null = null;
  try {
    const file = join(dir, 'optimised.onnx');
    // logSeverityLevel 3: onnxruntime warns that a model saved after NCHWc rewriting is machine-specific — that is the point
    plain = await ort.InferenceSession.create(onnx, { ...cpuSessionOptions(threads), optimizedModelFilePath: file, logSeverityLevel: 3 });
    const { model, elus } = keepEluInNchwc(readFileSync(file));
    if (elus === 0) return { session: plain, elus };
    const fast = await ort.InferenceSession.create(model, cpuSessionOptions(threads, 'basic'));
    const [a, b] = await Promise.all([plain.run({ cutout: probe }), fast.run({ cutout: probe })]).then((r) => r.map((o) => o.p.data as Float32Array));
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    if (!(worst <= 1e-5)) {
      await fast.release();
      return { session: plain, elus: 0 };
    }
    await plain.release();
    plain = null;
    return { session: fast, elus };
  } catch (e) {
    if (plain) return { session: plain, elus: 0 };
    throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export class OrtScorer {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly size: number,
    readonly bands: number,
    /** ELUs running on onnxruntime's blocked layout (0: the plain optimised graph). */
    readonly nchwcElus: number,
    /** Which execution provider runs, and why not CUDA when CUDA was asked for and failed. */
    readonly provider: string = 'CPU execution provider',
  ) {}

  /** Builds a session from ONNX bytes (e.g. a file written by `exportCmuDeepLensOnnx`). */
  static async fromOnnx(onnx: Uint8Array, opts: OrtScorerOptions): Promise<OrtScorer> {
    const threads = opts.threads ?? 2;
    let cpuBecause = '';
    if (opts.provider === 'cuda') {
      try {
        return new OrtScorer(await ort.InferenceSession.create(onnx, cudaSessionOptions(threads)), opts.size, opts.bands, 0, 'CUDA execution provider');
      } catch (e) {
        // e.g. libonnxruntime_providers_cuda.so or a CUDA/cuDNN library would not load: score on the CPU, say why.
        cpuBecause = ` (the CUDA session did not open: ${(e as Error).message.split('\n')[0]})`;
      }
    }
    const cpu = `CPU execution provider${cpuBecause}`;
    if (opts.nchwcElu ?? process.env.LENSDESK_ORT_NCHWC_ELU !== '0') {
      // probe: 2 cutouts of smooth, varied values (negative and positive: both ELU branches)
      const per = opts.size * opts.size * opts.bands;
      const probe = new ort.Tensor('float32', Float32Array.from({ length: 2 * per }, (_, i) => 3 * Math.sin(i * 0.37) + Math.cos(i * 0.011)), [2, opts.size, opts.size, opts.bands]);
      const { session, elus } = await nchwcSession(onnx, threads, probe);
      return new OrtScorer(session, opts.size, opts.bands, elus, cpu);
    }
    return new OrtScorer(await ort.InferenceSession.create(onnx, cpuSessionOptions(threads)), opts.size, opts.bands, 0, cpu);
  }

  /** Exports the tfjs model's current weights and opens a session on them. */
  static async fromModel(model: tf.LayersModel, opts: OrtScorerOptions): Promise<OrtScorer> {
    return OrtScorer.fromOnnx(exportCmuDeepLensOnnx(model, opts), opts);
  }

  /** Lens probabilities for `images` (N×H×W×bands, already normalised like the training data). */
  async score(images: Float32Array): Promise<Float32Array> {
    const per = this.size * this.size * this.bands;
    if (images.length % per !== 0) {
      throw new InputError('INPUT_SHAPE', `image buffer of ${images.length} floats is not a multiple of ${this.size}×${this.size}×${this.bands}`, {
        length: images.length,
      });
    }
    const n = images.length / per;
    const feeds = { cutout: new ort.Tensor('float32', images, [n, this.size, this.size, this.bands]) };
    const out = await this.session.run(feeds);
    const p = out.p.data as Float32Array;
    out.p.dispose?.();
    return p;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
