// The simulator's survey presets as the Simulate form needs them (names, bands, stamp sizes), so
// the renderer lists exactly what the backend accepts instead of keeping its own copy.
import type { Result } from '../../src-core/api/contract';
import { PRESETS } from '../../src-core/lens/presets';

/**
 * Defaults of a simulate job when a param is left out: preset and lens fraction as
 * src-main/jobs/kinds/simulate.ts (prepareSimulate) fills them, hardness as
 * src-core/lens/config.ts (resolveConfig). The seed default there is fixed; the form offers it.
 */
const DEFAULTS = { preset: 'lsst', lensFraction: 0.25, hardness: 0.5, seed: 20261125 };

export function simulatePresets(): Result<'simulate.presets'> {
  const presets = Object.values(PRESETS).map((p) => ({
    name: p.name,
    description: p.description,
    pixelScale: p.pixelScale,
    size: p.size,
    bands: [...p.defaultBands],
    allBands: Object.keys(p.bands),
    approximate: p.approximate,
  }));
  return { presets, defaults: { ...DEFAULTS } };
}
