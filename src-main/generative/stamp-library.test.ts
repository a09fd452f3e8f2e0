// Flow-VAE galaxies as the simulator's lensed sources (`simulate --sources flowvae:MODEL`): the bundled
// model's decoded galaxies become a stamp library (same seed → same galaxies), and simulated lenses take
// their sources from it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateRange } from '../../src-core/lens/simulate';
import { PROJECT_ROOT } from '../../test/shared';
import { flowVaeSourceDir, flowVaeStampLibrary } from './stamp-library';

const MODEL = join(PROJECT_ROOT, 'models', 'generative', 'flowvae-lsst-32');

describe.skipIf(!existsSync(MODEL))('Flow-VAE stamp library', () => {
  it('parses the source spec', () => {
    expect(flowVaeSourceDir('flowvae:models/x')).toMatch(/models\/x$/);
    expect(flowVaeSourceDir('stamps/')).toBeNull();
  });
  it('decodes reproducible galaxies with light near the centre, and the simulator lenses them', { timeout: 120_000 }, async () => {
    const a = await flowVaeStampLibrary(MODEL, { count: 12, seed: 3, threads: 1 });
    const b = await flowVaeStampLibrary(MODEL, { count: 12, seed: 3, threads: 1 });
    const c = await flowVaeStampLibrary(MODEL, { count: 12, seed: 4, threads: 1 });
    expect(a.library.stamps).toHaveLength(12);
    expect(a.library.id).toBe(b.library.id);
    expect(a.library.id).not.toBe(c.library.id);
    expect(Array.from(a.library.stamps[5]!.data)).toEqual(Array.from(b.library.stamps[5]!.data));
    expect(Array.from(a.library.stamps[5]!.data)).not.toEqual(Array.from(c.library.stamps[5]!.data));
    for (const s of a.library.stamps) {
      // A galaxy, not noise: most of the positive flux within the central half of the stamp.
      let inner = 0, all = 0;
      for (let r = 0; r < s.height; r++) for (let q = 0; q < s.width; q++) {
        const v = Math.max(0, s.data[r * s.width + q]!);
        all += v;
        if (Math.abs(r - s.height / 2) < s.height / 4 && Math.abs(q - s.width / 2) < s.width / 4) inner += v;
      }
      expect(all).toBeGreaterThan(0);
      expect(inner / all).toBeGreaterThan(0.6);
    }
    const batch = simulateRange({ preset: 'lsst', lensFraction: 1, sourceStamps: a.library }, 7, 0, 6);
    expect(batch.truths.every((t) => t.src_kind === 'stamp' || t.src_kind === 'quasar')).toBe(true);
    expect(batch.truths.some((t) => String(t.src_stamp).startsWith('flowvae:flowvae-lsst-32['))).toBe(true);
  });
});
