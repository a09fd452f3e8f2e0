// Fast CMUDeepLens inference: the tfjs model exported to ONNX (src-core/classify/onnx/export.ts)
// and run by onnxruntime-node's CPU execution provider (MLAS kernels, multi-threaded). Takes the
// same N×H×W×bands float32 buffers as the tfjs path and returns lens probabilities.
import ort from 'onnxruntime-node';
import type * as tf from '@tensorflow/tfjs';
import { exportCmuDeepLensOnnx } from '../../src-core/classify/onnx/export';
import { InputError } from '../../src-core/errors';

export interface OrtScorerOptions {
  size: number;
  bands: number;
  /** Intra-op threads (default: 2, this project's reference machine; 0 lets ORT choose). */
  threads?: number;
}

export class OrtScorer {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly size: number,
    readonly bands: number,
  ) {}

  /** Builds a session from ONNX bytes (e.g. a file written by `exportCmuDeepLensOnnx`). */
  static async fromOnnx(onnx: Uint8Array, opts: OrtScorerOptions): Promise<OrtScorer> {
    const session = await ort.InferenceSession.create(onnx, {
      executionProviders: ['cpu'],
      intraOpNumThreads: opts.threads ?? 2,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    return new OrtScorer(session, opts.size, opts.bands);
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
