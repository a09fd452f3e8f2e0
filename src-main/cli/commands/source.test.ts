// `lensdesk source` in-process on simulated lens cutouts (src-core/infer/lens-synthetic: the fit's forward
// model at known parameters, LSST-like noise, written as `lensdesk fit` reads them): the lens model from a
// `lensdesk fit --json`-shaped file (truth as the medians) and from an explicit lens, the Gaussian prior
// and a (tiny, trained here) score prior; the product's HDUs, their shapes and headers, the image-plane
// residual against the noise, and clear errors for bad input (no posterior for that source, no lens, a
// score prior of another size).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readImage } from '../../../src-core/fits/image';
import { LENS_PARAM_NAMES } from '../../../src-core/infer/lens-model';
import { defaultSourceGrid, sersicSourceImage } from '../../../src-core/inverse/source/source-problem';
import { writeSyntheticLensFits } from '../../../test/lens-fit-fixture';
import { openFitsFile } from '../../fits/file-source';
import { simulatedImages, trainScorePrior } from '../../score/train-prior';
import { openWorkspace } from '../../store/workspace';
import { sourceCommand } from './source';

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io() {
  const out: string[] = [], err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), progress: () => {}, signal: new AbortController().signal } };
}

function hdu(path: string, name: string) {
  const f = openFitsFile(path);
  try {
    const h = f.find(name)!;
    return { header: h.header, data: Float64Array.from(readImage(f, h).data as ArrayLike<number>), shape: [h.header.getNumber('NAXIS2'), h.header.getNumber('NAXIS1')] };
  } finally {
    f.source.close?.();
  }
}

describe('lensdesk source', { timeout: 300_000 }, () => {
  const lens = join(dir, 'lens.fits');
  const sim = writeSyntheticLensFits(lens, { size: 25, bands: ['i'], seed: 3 });
  const fitJson = join(dir, 'fit.json');
  writeFileSync(fitJson, JSON.stringify({ params: Object.fromEntries(LENS_PARAM_NAMES.map((p, i) => [p, { q50: sim.truth[i] }])) }));

  it('Gaussian prior with the fit medians: MEAN/STD/SAMPLES on the source plane, MODEL/RESIDUAL at the noise level, mean near the true source', async () => {
    const out = join(dir, 'src.fits'), c = io();
    expect(await sourceCommand.run([lens, '--fit', fitJson, '--grid', '24', '--samples', '4', '--out', out, '--json'], c.io)).toBe(0);
    const j = JSON.parse(c.out[0]!);
    expect(j).toMatchObject({ band: 'i', lensDraws: 1, lensSubtracted: true, samples: 4 });
    const mean = hdu(out, 'MEAN'), std = hdu(out, 'STD'), smp = hdu(out, 'SAMPLES'), res = hdu(out, 'RESIDUAL'), model = hdu(out, 'MODEL');
    expect(mean.shape).toEqual([24, 24]);
    expect(smp.header.getNumber('NAXIS3')).toBe(4);
    expect(model.shape).toEqual([25, 25]);
    // The source-plane pixel scale: the fit's R_e / 4 by default, in PIXSCALE and CDELT.
    expect(mean.header.getNumber('PIXSCALE')).toBeCloseTo(sim.truth[7]! / 4, 10);
    expect(mean.header.getNumber('CDELT1')).toBeCloseTo(sim.truth[7]! / 4, 10);
    expect(mean.header.getString('CUNIT1')).toBe('arcsec');
    expect(std.data.every((v) => v > 0)).toBe(true);
    // Residual / σ: the lensed posterior mean + lens light explains the data (χ²/pixel near 1).
    const v = sim.cutout.variance;
    const chi2 = res.data.reduce((s, r, i) => s + (r * r) / v[i]!, 0) / res.data.length;
    expect(chi2).toBeGreaterThan(0.6);
    expect(chi2).toBeLessThan(1.5);
    // Against the true (Sérsic) source on the same grid. The source pixels (R_e/4 = 0.06″) are far finer than
    // the 0.2″ image pixels under a 0.7″ PSF, so single pixels are noisy; what the data fix is the flux and the
    // position: total flux within 25 %, brightest pixel within 2 pixels, and errors of the order of the std.
    const truth = sersicSourceImage(sim.truth, sim.amplitudes[0]!, defaultSourceGrid(sim.truth, 0.2, 24));
    const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
    expect(Math.abs(sum(mean.data) / sum(truth) - 1)).toBeLessThan(0.25);
    const argmax = (a: Float64Array) => a.reduce((k, v, i) => (v > a[k]! ? i : k), 0);
    const [km, kt] = [argmax(mean.data), argmax(truth)];
    expect(Math.hypot((km % 24) - (kt % 24), Math.floor(km / 24) - Math.floor(kt / 24))).toBeLessThanOrEqual(2);
    const z2 = truth.reduce((s, t, i) => s + ((mean.data[i]! - t) / std.data[i]!) ** 2, 0) / truth.length;
    expect(Math.sqrt(z2)).toBeLessThan(3);
  });

  it('explicit lens (θE, q, φ, γ) and a score prior trained here; errors name the problem', async () => {
    const model = join(dir, 'prior16');
    await trainScorePrior({
      data: simulatedImages('galaxies', 16, 32, 5), size: 16, out: model, steps: 4, batch: 4, sigmas: [0.01, 2, 4],
      learningRate: 1e-3, seed: 5, threads: 1, resume: false, checkpointEvery: 100, evalImages: 8,
    });
    const out = join(dir, 'src-unet.fits'), c = io();
    expect(await sourceCommand.run([lens, '--fit', fitJson, '--grid', '16', '--prior', model, '--samples', '3', '--steps', '2', '--threads', '1', '--out', out, '--json'], c.io)).toBe(0);
    const j = JSON.parse(c.out[0]!);
    expect(j.prior.kind).toBe('score');
    expect(j.prior.scale).toBeGreaterThan(0);
    expect(hdu(out, 'SAMPLES').header.getNumber('NAXIS3')).toBe(3);
    expect(hdu(out, 'MEAN').data.every(Number.isFinite)).toBe(true);
    // A score prior of another size than the grid.
    await expect(sourceCommand.run([lens, '--fit', fitJson, '--grid', '24', '--prior', model, '--out', join(dir, 'x.fits')], io().io)).rejects.toThrow(/16 × 16.*--grid 16/);
    // Explicit lens: nothing subtracted.
    const out2 = join(dir, 'src-explicit.fits'), c2 = io();
    expect(await sourceCommand.run([lens, '--theta-e', '1.2', '--q', '0.75', '--phi', '0.6', '--grid', '16', '--samples', '2', '--out', out2, '--json'], c2.io)).toBe(0);
    expect(JSON.parse(c2.out[0]!)).toMatchObject({ lensSubtracted: false, lensDraws: 1 });
    await expect(sourceCommand.run([lens, '--out', join(dir, 'y.fits')], io().io)).rejects.toThrow(/give the lens model one way/);
    await expect(sourceCommand.run([lens, '--theta-e', '1', '--out', join(dir, 'y.fits')], io().io)).rejects.toThrow(/both --theta-e and --q/);
    await expect(sourceCommand.run([lens, '--fit', join(dir, 'nope.json'), '--out', join(dir, 'y.fits')], io().io)).rejects.toThrow(/nope\.json/);
  });

  it('a workspace source without a lens-model posterior is refused, naming the source', async () => {
    const wsDir = join(dir, 'ws');
    openWorkspace(wsDir).close();
    await expect(sourceCommand.run(['--workspace', wsDir, '--source-id', '7', '--out', join(dir, 'z.fits')], io().io)).rejects.toThrow(/source 7 has no lens-model posterior/);
    await expect(sourceCommand.run(['--workspace', wsDir, '--posterior-id', '3', '--out', join(dir, 'z.fits')], io().io)).rejects.toThrow(/no posterior with id 3/);
  });
});
