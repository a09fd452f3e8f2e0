// `lensdesk prior train` from the user's own noisy stamps: a folder (--stamps) or a workspace catalog
// (--catalog): σ_min defaults to twice the stamps' noise (train only above the noise level), an explicit
// lower --sigmas is kept with a warning, the card records the noise and the source; bad options refused.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFits } from '../../../src-core/fits/writer';
import { Rng } from '../../../src-core/rng';
import { imageNoiseSigma } from '../../../src-core/score/training-set';
import { writeStampFile } from '../../stamps/stamp-file';
import { Repo } from '../../store/repo';
import { openWorkspace } from '../../store/workspace';
import { tempDir } from '../../../test/workspace-fixture';
import { writePowerTable } from '../../../test/power-table';
import type { CliIO } from '../command';
import { priorCommand } from './prior';

const t = tempDir('lensdesk-prior-cli-');
afterAll(() => rmSync(t.dir, { recursive: true, force: true }));
function io(): CliIO & { lines: string[]; errs: string[] } {
  const lines: string[] = [], errs: string[] = [];
  return { lines, errs, out: (x) => lines.push(x), err: (x) => errs.push(x), progress: () => {}, signal: new AbortController().signal };
}
/** A 20² galaxy of peak 1 plus white noise of σ `noise` (peak units). */
function noisyGalaxy(rng: Rng, noise: number): Float32Array {
  return Float32Array.from({ length: 400 }, (_, i) => Math.exp(-0.5 * (((i % 20) - 9.5) ** 2 / 9 + (Math.floor(i / 20) - 9.5) ** 2 / 4)) + noise * rng.normal());
}

describe('imageNoiseSigma', () => {
  it('reads the white noise of an image through a smooth galaxy (pixel differences)', () => {
    const rng = new Rng(3);
    for (const noise of [0.01, 0.05]) {
      const g = Float32Array.from({ length: 64 * 64 }, (_, i) => 5 * Math.exp(-0.5 * (((i % 64) - 31.5) ** 2 + (Math.floor(i / 64) - 31.5) ** 2) / 36) + noise * rng.normal());
      expect(imageNoiseSigma(g, 64) / noise).toBeGreaterThan(0.9);
      expect(imageNoiseSigma(g, 64) / noise).toBeLessThan(1.15);
    }
  });
});

describe('lensdesk prior train from noisy stamps', () => {
  const rng = new Rng(11);
  const folder = join(t.dir, 'stamps');
  mkdirSync(folder, { recursive: true });
  for (let k = 0; k < 6; k++) writeFileSync(join(folder, `g${k}.fits`), writeFits([{ kind: 'image', shape: [20, 20], data: noisyGalaxy(rng, 0.05) }]));
  const common = ['--size', '16', '--steps', '2', '--batch', '2', '--channels', '8,8,16', '--threads', '1', '--eval-images', '2', '--json'];

  it('--stamps: σ_min = 2ν by default, recorded in the card; a lower explicit --sigmas is kept with a warning', { timeout: 120_000 }, async () => {
    const o = io();
    expect(await priorCommand.run(['train', '--stamps', folder, '--out', join(t.dir, 'm1'), ...common], o)).toBe(0);
    const card = JSON.parse(o.lines.at(-1)!);
    const nu = card.trainingSet.noiseSigma as number;
    // peak-normalised: the noise is ≈ 0.05 of a peak ≈ 1 (+ noise), so ν ≈ 0.04–0.06
    expect(nu).toBeGreaterThan(0.03);
    expect(nu).toBeLessThan(0.07);
    expect(card.sigmaRange[0]).toBeCloseTo(2 * nu, 2);
    expect(o.errs.join('\n')).toMatch(/σ_min raised to 2ν/);
    const o2 = io();
    expect(await priorCommand.run(['train', '--stamps', folder, '--out', join(t.dir, 'm2'), '--sigmas', '0.003,8,4', ...common], o2)).toBe(0);
    expect(JSON.parse(o2.lines.at(-1)!).sigmaRange[0]).toBe(0.003);
    expect(o2.errs.join('\n')).toMatch(/warning: --sigmas MIN 0.003 is below twice the stamps' noise/);
  });

  it('--catalog NAME (--workspace DIR): every band plane of the catalog\'s stamps; unknown catalogs and a lone --workspace refused', { timeout: 120_000 }, async () => {
    const wsDir = join(t.dir, 'ws');
    const ws = openWorkspace(wsDir);
    const repo = new Repo(ws.db);
    const cat = repo.ensureCatalog('my survey', 'test', 'cutouts', repo.ensureSurvey('sim-lsst', 0.2, ['g', 'r']));
    mkdirSync(join(wsDir, 'cutouts'), { recursive: true });
    for (let k = 0; k < 4; k++) {
      const path = `cutouts/${k}.fits`;
      writeStampFile(join(wsDir, path), { width: 20, height: 20, bands: ['g', 'r'], planes: [noisyGalaxy(rng, 0.02), noisyGalaxy(rng, 0.02)], ra: 150, dec: 2, pixelScale: 0.2 });
      repo.insertSources(cat, [{ row: k, name: `S${k}`, ra: 150, dec: 2, cutout: { path, width: 20, height: 20, bands: ['g', 'r'] } }]);
    }
    ws.close();
    const o = io();
    expect(await priorCommand.run(['train', '--catalog', 'my survey', '--workspace', wsDir, '--out', join(t.dir, 'm3'), ...common], o)).toBe(0);
    const card = JSON.parse(readFileSync(join(t.dir, 'm3', 'card.json'), 'utf8'));
    expect(card.trainingSet).toMatchObject({ source: 'workspace', catalog: 'my survey', stamps: 4, bandPlanes: 8, images: 7, heldOut: 1 });
    expect(card.trainingSet.noiseSigma).toBeGreaterThan(0.01);
    expect(card.trainingSet.noiseSigma).toBeLessThan(0.03);
    await expect(priorCommand.run(['train', '--catalog', 'nope', '--workspace', wsDir, '--out', join(t.dir, 'm4'), ...common], io())).rejects.toThrow(/no such catalog .*'my survey'/);
    await expect(priorCommand.run(['train', '--workspace', wsDir, '--simulate', 'galaxies', '--out', join(t.dir, 'm5'), ...common], io())).rejects.toThrow(/--workspace goes with --catalog/);
  });
});

describe('lensdesk prior train, hybrid κ prior options', () => {
  const ps = writePowerTable(t.dir);
  const kappa = ['--lognormal', '6', '--ps', ps, '--pixel', '1', '--size', '16', '--steps', '2', '--batch', '2', '--channels', '8,8,8', '--sigmas', '0.005,0.2,3', '--threads', '1', '--eval-images', '2', '--json'];

  it('--kappa-input and --sigma-focus are recorded in the card; the focus σ gets a held-out loss row; bad values refused', { timeout: 120_000 }, async () => {
    const o = io();
    expect(await priorCommand.run(['train', ...kappa, '--kappa-input', 'gaussian-mean', '--sigma-focus', '0.05,0.5', '--out', join(t.dir, 'k1')], o)).toBe(0);
    const card = JSON.parse(o.lines.join('\n'));
    expect(card.residualOf.input).toBe('gaussian-mean');
    expect(card.sigmaFocus).toEqual({ sigma: 0.05, fraction: 0.5, factor: 1.5 });
    expect(card.lossPerSigma.map((r: { sigma: number }) => +r.sigma.toPrecision(3))).toEqual([0.2, 0.05, 0.0316, 0.005]);
    const saved = JSON.parse(readFileSync(join(t.dir, 'k1', 'card.json'), 'utf8'));
    expect(saved.residualOf.input).toBe('gaussian-mean');
    // the default stays the noisy map (the bundled prior's input): no `input` key, no focus
    const o2 = io();
    expect(await priorCommand.run(['train', ...kappa, '--out', join(t.dir, 'k2')], o2)).toBe(0);
    const card2 = JSON.parse(o2.lines.join('\n'));
    expect(card2.residualOf.input).toBeUndefined();
    expect(card2.sigmaFocus).toBeUndefined();
    expect(card2.lossPerSigma).toHaveLength(3);

    await expect(priorCommand.run(['train', ...kappa, '--kappa-input', 'wiener', '--out', join(t.dir, 'k3')], io())).rejects.toThrow(/--kappa-input must be noisy or gaussian-mean, got 'wiener'/);
    await expect(priorCommand.run(['train', ...kappa, '--sigma-focus', '0.1,2', '--out', join(t.dir, 'k4')], io())).rejects.toThrow(/--sigma-focus S,F needs S > 0 and 0 < F ≤ 1, got '0.1,2'/);
    await expect(priorCommand.run(['train', '--simulate', 'galaxies', '--kappa-input', 'gaussian-mean', '--out', join(t.dir, 'k5'), '--size', '16', '--steps', '1'], io())).rejects.toThrow(/--kappa-input goes with a κ prior/);
  });
});
