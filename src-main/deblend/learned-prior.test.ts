// Loading the deblender's learned prior: none, auto without an installed prior (constraints only, with a
// note), a folder that is not a score model (an error naming it); with the bundled prior installed, a
// short deblend through it runs and keeps model + residual = data.
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src-core/errors';
import { deblendAsync, simulateBlend } from '../../src-core/deblend/index';
import { bundledScorePrior } from '../score/bundled-prior';
import { loadDeblendPrior } from './learned-prior';

const saved = process.env.LENSDESK_SCORE_PRIOR;
afterEach(() => {
  if (saved === undefined) delete process.env.LENSDESK_SCORE_PRIOR;
  else process.env.LENSDESK_SCORE_PRIOR = saved;
});

describe('loadDeblendPrior', () => {
  it('none, auto without a prior, and a bad folder', async () => {
    expect((await loadDeblendPrior('none')).prior).toBeNull();
    process.env.LENSDESK_SCORE_PRIOR = '/nonexistent/lensdesk-prior';
    const auto = await loadDeblendPrior('auto');
    expect(auto.prior).toBeNull();
    expect(auto.name).toBe('none');
    expect(auto.notes.join(' ')).toMatch(/no learned morphology prior installed/);
    await expect(loadDeblendPrior('/nonexistent/prior-folder')).rejects.toThrow(InputError);
    await expect(loadDeblendPrior('/nonexistent/prior-folder')).rejects.toThrow(/prior-folder/);
  });

  const dir = bundledScorePrior();
  it.skipIf(!dir)(`runs the bundled score prior in a short deblend (${dir ?? 'no bundled prior installed: skipped'})`, async () => {
    const loaded = await loadDeblendPrior(dir!, { threads: 1 });
    try {
      expect(loaded.prior).not.toBeNull();
      const sim = simulateBlend(5, { size: 31, nSources: 2, bands: ['g', 'r'] });
      const r = await deblendAsync({ images: sim.images, rows: 31, cols: 31, variance: sim.variance, psfs: sim.psfs, positions: sim.truth.map((t) => ({ x: t.x, y: t.y })), maxIter: 5 }, loaded.prior!);
      expect(r.iterations).toBeGreaterThan(0);
      for (let i = 0; i < 31 * 31; i += 37) expect(r.model[0]![i]! + r.residual[0]![i]!).toBeCloseTo(sim.images[0]![i]!, 6);
      r.sources.forEach((s) => expect(s.morphology.every((v) => v >= 0)).toBe(true));
    } finally {
      await loaded.dispose();
    }
  }, 60_000);
});
