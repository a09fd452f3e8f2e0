// Training data drawn from the lens simulator (src-core/lens): cutouts seed/0 … seed/(count−1),
// the same ones every epoch (a fixed training set, re-made on the fly rather than stored), with
// their `is_lens` truth as label and the cutout index as the sample id (it fixes the split).
import { getPreset } from '../lens/presets';
import { resolveConfig } from '../lens/config';
import { simulateRange, type SimulationConfig } from '../lens/simulate';
import type { LabelledBatch, TrainingData } from './train';

/** N×bands×H×W (the simulator's C order) → N×H×W×bands (tfjs). */
export function channelsLast(images: Float32Array, n: number, bands: number, size: number): Float32Array {
  const out = new Float32Array(images.length);
  const plane = size * size;
  for (let i = 0; i < n; i++)
    for (let b = 0; b < bands; b++) {
      const src = (i * bands + b) * plane;
      for (let p = 0; p < plane; p++) out[(i * plane + p) * bands + b] = images[src + p];
    }
  return out;
}

export function simulatedTrainingData(config: SimulationConfig, seed: number, count: number, chunk = 64): TrainingData {
  const cfg = resolveConfig(config);
  return {
    size: cfg.size,
    bands: cfg.bands,
    pixelScale: getPreset(cfg.preset).pixelScale,
    description: `simulated ${cfg.preset}: ${count} cutouts, seed ${seed}`,
    source: { simulator: cfg, seed, count },
    async *epoch(): AsyncIterable<LabelledBatch> {
      for (let start = 0; start < count; start += chunk) {
        const b = simulateRange(cfg, seed, start, Math.min(chunk, count - start));
        yield {
          images: channelsLast(b.images, b.count, b.bands.length, b.size),
          labels: b.truths.map((t) => Number(t.is_lens) || 0),
          ids: Array.from({ length: b.count }, (_, k) => start + k),
        };
      }
    },
  };
}
