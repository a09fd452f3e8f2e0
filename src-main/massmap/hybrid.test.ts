import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writePowerTable } from '../../test/power-table';
import { Rng } from '../../src-core/rng';
import type { GriddedShear } from '../../src-core/massmap/grid';
import { kappaTrainingSet } from '../score/kappa-training';
import { simulatedImages, trainScorePrior } from '../score/train-prior';
import { hybridHdus } from './hybrid-files';
import { hybridMassMap, loadHybridPrior } from './hybrid';

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-hybrid-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const powerTable = (): string => writePowerTable(dir);

describe('hybrid mass map (tiny network, end to end)', () => {
  it('trains a tiny residual κ prior, samples a non-square masked field and rejects a galaxy prior and a wrong pixel', async () => {
    const ps = powerTable();
    const kappaDir = join(dir, 'kappa');
    const k = kappaTrainingSet({ maps: [], heldOutMaps: [], ps, pixArcmin: 1, size: 16, crops: 0, lognormal: 8, gaussian: 4, seed: 3 });
    expect(k.data.count).toBe(12);
    const card = await trainScorePrior({
      data: k.data, size: 16, out: kappaDir, steps: 2, batch: 2, sigmas: [0.005, 0.2, 3], learningRate: 1e-3, seed: 3, threads: 1,
      resume: false, checkpointEvery: 100, evalImages: 4, channels: [8, 8, 8], residual: k.residual,
    });
    expect(card.config.channels).toEqual([8, 8, 8]);
    expect(card.residualOf?.kind).toBe('gaussian-kappa');
    for (const r of card.lossPerSigma) expect(Number.isFinite(r.loss) && r.loss > 0).toBe(true);

    const prior = loadHybridPrior(kappaDir);
    const rows = 14, cols = 18, n = rows * cols, rng = new Rng(1, 1);
    const variance = Float64Array.from({ length: n }, (_, i) => (i % 11 === 0 ? Infinity : 0.03 ** 2));
    const gs: GriddedShear = {
      grid: { ra0: 150, dec0: 2, pixArcmin: 1, rows, cols },
      g1: Float64Array.from({ length: n }, (_, i) => (Number.isFinite(variance[i]!) ? 0.03 * rng.normal() : 0)),
      g2: Float64Array.from({ length: n }, (_, i) => (Number.isFinite(variance[i]!) ? 0.03 * rng.normal() : 0)),
      count: new Int32Array(n).fill(1), variance, mask: Uint8Array.from(variance, (v) => (Number.isFinite(v) ? 1 : 0)), extra: [], outside: 0, sigmaE: 0.03,
    };
    const res = await hybridMassMap(gs, prior, { chains: 3, rng: new Rng(2, 2), threads: 1, levels: 4, stepsPerLevel: 2 });
    expect(res.side).toBe(20);
    expect(res.mean).toHaveLength(n);
    expect(res.samples).toHaveLength(3);
    expect(res.samples[0]).toHaveLength(n);
    expect(res.mean.every(Number.isFinite)).toBe(true);
    expect(res.std.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(res.std.some((v) => v > 0)).toBe(true);
    const hdus = hybridHdus(gs, res.mean, res.std, res.samples);
    expect(hdus.map((h) => (h as { extname?: string }).extname)).toEqual(['MEAN', 'STD', 'SAMPLES']);
    expect((hdus[2] as { shape: number[] }).shape).toEqual([3, rows, cols]);

    await expect(hybridMassMap({ ...gs, grid: { ...gs.grid, pixArcmin: 0.5 } }, prior, { chains: 2, rng: new Rng(2, 2), threads: 1, levels: 2, stepsPerLevel: 1 })).rejects.toThrow(/trained at 1′ pixels.*--pixel 1arcmin/);

    const galaxyDir = join(dir, 'galaxies');
    await trainScorePrior({ data: simulatedImages('galaxies', 16, 8, 5), size: 16, out: galaxyDir, steps: 1, batch: 2, sigmas: [0.01, 4, 2], learningRate: 1e-3, seed: 5, threads: 1, resume: false, checkpointEvery: 100, evalImages: 2 });
    expect(() => loadHybridPrior(galaxyDir)).toThrow(/not a hybrid κ prior.*trained on 'simulate'/);
    expect(() => loadHybridPrior(join(dir, 'nothing'))).toThrow(/not a score model folder/);
  }, 240000);
});
