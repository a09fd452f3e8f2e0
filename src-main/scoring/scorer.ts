// The scorer seam: something that turns stamps into lens probabilities under a named model
// version. The CMUDeepLens network plugs in here (src-main/classify); until a trained model is in
// the workspace or bundled in models/, the placeholder heuristic stands in, visibly labelled.
import { PLACEHOLDER_MODEL, placeholderScore } from '../../src-core/classify/placeholder-scorer';
import type { Stamp } from '../../src-core/stamps/stamp';

export interface Scorer {
  model: { name: string; version: string; kind: string; path: string | null; card: Record<string, unknown> };
  /** Preferred batch size. */
  batchSize: number;
  /** What computes the scores, for the status bar (e.g. 'onnxruntime-node (CPU)', 'tfjs wasm'). */
  runtime: string;
  score(stamps: Stamp[]): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export function placeholderScorer(): Scorer {
  return {
    model: { ...PLACEHOLDER_MODEL, path: null, card: { ...PLACEHOLDER_MODEL.card } },
    batchSize: 64,
    runtime: 'JavaScript (placeholder heuristic, no network)',
    score: async (stamps) => Float32Array.from(stamps.map(placeholderScore)),
    dispose: async () => {},
  };
}

type ScorerFactory = (opts: { modelPath?: string }) => Promise<Scorer | null>;
const factories: ScorerFactory[] = [];

/** The network module registers itself here, so this file needs no dependency on it. */
export function registerScorerFactory(f: ScorerFactory): void {
  factories.push(f);
}

/** The best available scorer: a trained network when one loads, else the placeholder. */
export async function loadScorer(opts: { modelPath?: string; placeholder?: boolean } = {}): Promise<Scorer> {
  if (!opts.placeholder) {
    // The network (and tfjs/onnxruntime with it) loads only here, in the job's worker thread.
    if (!factories.length) (await import('../classify/network-scorer')).registerCmuDeepLensScorer();
    for (const f of factories) {
      const s = await f(opts);
      if (s) return s;
    }
  }
  return placeholderScorer();
}
