// Which engine trains CMUDeepLens here. tfjs stays in charge wherever it has native kernels
// (tfjs-node-gpu: CUDA; tfjs-node: libtensorflow with its threaded CPU kernels). Where tfjs only has
// wasm (single-threaded under Node) or plain JS, the onnxruntime training graph runs the same steps
// on both cores with MLAS GEMMs (src-main/classify/ort-train-engine.ts) — measured ≈ 6× the wasm
// step rate on this project's 2-core machine (docs/classify.md). LENSDESK_TRAIN_ENGINE or the CLI's
// --engine overrides the choice.
import type { TrainEngineFactory } from '../../src-core/classify/train-engine';
import { tfjsEngine } from '../../src-core/classify/train-engine';
import type { BackendSelection } from './select';

export type EnginePreference = 'auto' | 'onnxruntime' | 'tfjs';
export const ENGINE_PREFERENCES: readonly EnginePreference[] = ['auto', 'onnxruntime', 'tfjs'];

export interface EngineChoice {
  factory: TrainEngineFactory;
  kind: 'onnxruntime' | 'tfjs';
  /** One line for logs and the status bar: what trains and why. */
  reason: string;
}

export function enginePreferenceFromEnv(): EnginePreference {
  const v = (process.env.LENSDESK_TRAIN_ENGINE ?? 'auto').trim() as EnginePreference;
  if (!ENGINE_PREFERENCES.includes(v)) throw new Error(`LENSDESK_TRAIN_ENGINE: '${v}' is not one of ${ENGINE_PREFERENCES.join(', ')}`);
  return v;
}

export async function chooseTrainEngine(backend: BackendSelection, pref: EnginePreference = enginePreferenceFromEnv()): Promise<EngineChoice> {
  const native = backend.tfBackend === 'tensorflow';
  if (pref === 'tfjs' || (pref === 'auto' && native)) {
    return { factory: tfjsEngine, kind: 'tfjs', reason: `tfjs ${backend.candidate}${pref === 'tfjs' ? ' (asked for)' : ' (native tfjs kernels)'}` };
  }
  try {
    const { ortTrainEngine } = await import('../classify/ort-train-engine');
    return {
      factory: ortTrainEngine(),
      kind: 'onnxruntime',
      reason: pref === 'onnxruntime' ? 'onnxruntime-node CPU (asked for)' : `onnxruntime-node CPU (tfjs has only ${backend.candidate} here)`,
    };
  } catch (e) {
    if (pref === 'onnxruntime') throw new Error(`--engine onnxruntime: onnxruntime-node did not load: ${(e as Error).message.split('\n')[0]}`);
    return { factory: tfjsEngine, kind: 'tfjs', reason: `tfjs ${backend.candidate} (onnxruntime-node did not load: ${(e as Error).message.split('\n')[0]})` };
  }
}
