import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LENS_PARAM_NAMES } from '../../../src-core/infer/lens-model';
import { writeSyntheticLensFits } from '../../../test/lens-fit-fixture';
import { fitCommand } from './fit';

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-fit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  return {
    out,
    io: { out: (t: string) => out.push(t), err: () => {}, progress: () => {}, signal: new AbortController().signal },
  };
}

describe('lensdesk fit', () => {
  it('fits a synthetic cutout in worker threads and prints the documented JSON', async () => {
    const path = join(dir, 'lens.fits');
    const s = writeSyntheticLensFits(path, { size: 21, bands: ['i'], seed: 3 });
    const { out, io: cio } = io();
    const code = await fitCommand.run([path, '--json', '--chains', '2', '--warmup', '60', '--samples', '30', '--workers', '2', '--seed', '1'], cio);
    expect(code).toBe(0);
    const j = JSON.parse(out.join(''));
    expect(Object.keys(j.params)).toEqual([...LENS_PARAM_NAMES]);
    for (const k of ['rhatMax', 'essBulkMin', 'essTailMin', 'divergences', 'treeDepthSaturated', 'wallSeconds', 'gradientEvaluations']) expect(j).toHaveProperty(k);
    expect(j.ebfmi).toHaveLength(2);
    const te = j.params.theta_E;
    expect(te.q2_5).toBeLessThanOrEqual(te.q16);
    expect(te.q16).toBeLessThanOrEqual(te.q50);
    expect(te.q84).toBeLessThanOrEqual(te.q97_5);
    // Short chains: only a loose check that the posterior sits on the true Einstein radius.
    expect(Math.abs(te.mean - s.truth[0]!)).toBeLessThan(5 * te.sd + 0.01);
    expect(te.sd).toBeLessThan(0.1);
  });

  it('rejects a file without a VARIANCE extension with a clear error', async () => {
    const { writeFileSync } = await import('node:fs');
    const { writeFits } = await import('../../../src-core/fits');
    const path = join(dir, 'novar.fits');
    writeFileSync(path, writeFits([{ kind: 'image', shape: [1, 5, 5], data: new Float32Array(25), cards: [{ keyword: 'PIXSCALE', value: 0.2 }] }]));
    await expect(fitCommand.run([path, '--json'], io().io)).rejects.toThrow(/VARIANCE/);
  });
});
