import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LENS_PARAM_NAMES } from '../../../src-core/infer/lens-model';
import { FitsTable } from '../../../src-core/fits/table';
import { writeSyntheticLensFits } from '../../../test/lens-fit-fixture';
import { openFitsFile } from '../../fits/file-source';
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
    const code = await fitCommand.run([path, '--json', '--chains', '2', '--warmup', '60', '--draws', '30', '--max-draws', '30', '--workers', '2', '--seed', '1'], cio);
    expect(code).toBe(0);
    const j = JSON.parse(out.join(''));
    expect(Object.keys(j.params)).toEqual([...LENS_PARAM_NAMES]);
    for (const k of ['rhatMax', 'essBulkMin', 'essTailMin', 'divergences', 'treeDepthSaturated', 'wallSeconds', 'gradientEvaluations']) expect(j).toHaveProperty(k);
    expect(j.ebfmi).toHaveLength(2);
    // Issue 21: converged with a reason when false; the χ² expectation N − p (441 pixels, 12 + 2 parameters).
    expect(typeof j.converged).toBe('boolean');
    if (j.converged) expect(j.reason).toBeNull();
    else expect(j.reason).toMatch(/\S/);
    expect(j.chi2Expected.mean).toBe(441 - 14);
    expect(j.startModes).toBeGreaterThanOrEqual(1);
    expect(j.modeRounds).toBeGreaterThanOrEqual(0);
    const te = j.params.theta_E;
    expect(te.q2_5).toBeLessThanOrEqual(te.q16);
    expect(te.q16).toBeLessThanOrEqual(te.q50);
    expect(te.q84).toBeLessThanOrEqual(te.q97_5);
    // Short chains: only a loose check that the posterior sits on the true Einstein radius.
    expect(Math.abs(te.mean - s.truth[0]!)).toBeLessThan(5 * te.sd + 0.01);
    expect(te.sd).toBeLessThan(0.1);
  });

  it('without a noise HDU estimates the noise from the border, and says when it cannot', async () => {
    const { writeFileSync } = await import('node:fs');
    const { writeFits } = await import('../../../src-core/fits');
    const path = join(dir, 'novar.fits');
    writeFileSync(path, writeFits([{ kind: 'image', shape: [1, 5, 5], data: new Float32Array(25), cards: [{ keyword: 'PIXSCALE', value: 0.2 }] }]));
    await expect(fitCommand.run([path, '--json'], io().io)).rejects.toThrow(/border pixels are all equal.*noise HDU/);
  });

  // cfitsio's verifier (CI installs it); the test says why it skipped otherwise.
  const FITSVERIFY = ['/usr/bin/fitsverify', '/usr/local/bin/fitsverify'].find((p) => existsSync(p));

  it('--samples OUT.fits writes every draw as a SAMPLES BINTABLE whose column means are the summary means', async () => {
    const path = join(dir, 'lens-s.fits');
    writeSyntheticLensFits(path, { size: 21, bands: ['i'], seed: 5 });
    const outPath = join(dir, 'draws.fits');
    const { out, io: cio } = io();
    const code = await fitCommand.run([path, '--json', '--chains', '2', '--warmup', '40', '--draws', '30', '--max-draws', '30', '--workers', '0', '--seed', '2', '--samples', outPath], cio);
    expect(code).toBe(0);
    const j = JSON.parse(out.join(''));
    expect(j.draws).toBe(30);
    expect(j.rounds).toBe(1);
    expect(j.samplesFile).toBe(outPath);
    const f = openFitsFile(outPath);
    try {
      const hdu = f.find('SAMPLES')!;
      expect(hdu).toBeDefined();
      const t = new FitsTable(f, hdu);
      expect(t.nrows).toBe(2 * 30);
      for (const name of LENS_PARAM_NAMES) {
        const col = t.readNumericColumn(name);
        const mean = col.reduce((a, b) => a + b, 0) / col.length;
        // The JSON rounds to 6 significant digits.
        expect(Math.abs(mean - j.params[name].mean)).toBeLessThanOrEqual(1e-5 * Math.abs(j.params[name].mean) + 1e-12);
      }
      expect([...new Set(t.readNumericColumn('CHAIN'))]).toEqual([0, 1]);
      expect(t.column('theta_E').unit).toBe('arcsec');
      const h = hdu.header;
      expect(h.getString('FITFILE')).toBe('lens-s.fits');
      expect(h.getString('BANDS')).toBe('i');
      expect(h.getString('SAMPLER')).toBe('NUTS');
      expect([h.getNumber('NCHAINS'), h.getNumber('NWARMUP'), h.getNumber('NDRAWS'), h.getNumber('SEED')]).toEqual([2, 40, 30, 2]);
      expect(h.getNumber('RHATMAX')).toBeCloseTo(j.rhatMax, 4);
      expect(h.getString('CREATOR')).toMatch(/^LensDesk \d+\.\d+\.\d+/);
      expect(h.getString('DATE')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    } finally {
      f.source.close?.();
    }
    // An existing file is refused (before any fitting) unless --force, naming the path.
    await expect(fitCommand.run([path, '--samples', outPath, '--workers', '0'], io().io)).rejects.toThrow(new RegExp(`${outPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} already exists.*--force`));
  });

  it.skipIf(!FITSVERIFY)(`cfitsio's fitsverify accepts the --samples file${FITSVERIFY ? '' : ' (skipped: fitsverify not installed; CI installs it)'}`, () => {
    const outPath = join(dir, 'draws.fits');
    expect(existsSync(outPath)).toBe(true);
    const report = execFileSync(FITSVERIFY!, [outPath], { encoding: 'utf8' });
    expect(report).toMatch(/Verification found 0 warning\(s\) and 0 error\(s\)/);
  });

  it('refuses hostile --samples paths before fitting', async () => {
    const path = join(dir, 'lens-h.fits');
    writeFileSync(path, new Uint8Array(0)); // never read: the output path is checked first
    await expect(fitCommand.run([path, '--samples', join(dir, 'no-such-folder', 'x.fits')], io().io)).rejects.toThrow(/no-such-folder.*does not exist/);
    await expect(fitCommand.run([path, '--samples', dir], io().io)).rejects.toThrow(/is a folder/);
    await expect(fitCommand.run([path, '--samples', join(dir, 'a\nb.fits')], io().io)).rejects.toThrow(/control characters/);
  });
});
