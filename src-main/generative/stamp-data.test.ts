import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFits } from '../../src-core/fits/writer';
import { zigguratNormal } from '../../src-core/lens/ziggurat';
import { Rng } from '../../src-core/rng';
import { HAS_SHARED, SHARED_DIR, SHARED_SKIP_REASON } from '../../test/shared';
import { rgcData, stampFolderData } from './stamp-data';

const dir = mkdtempSync(join(tmpdir(), 'flowvae-stamps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function centroid(p: Float32Array, K: number, k: number): [number, number, number] {
  let s = 0, x = 0, y = 0;
  for (let i = 0; i < K * K; i++) {
    const v = p[k * K * K + i]!;
    s += v;
    x += v * (i % K);
    y += v * Math.floor(i / K);
  }
  return [s, x / s, y / s];
}

describe('Flow-VAE training data from files', () => {
  it('a stamp cube with a PSF HDU: σ from the border, the file PSF on the decoder grid, padding masked', () => {
    const rng = new Rng(8, 1), n = 3, H = 24, W = 28, sigma = 0.05;
    const cube = new Float32Array(n * H * W);
    for (let k = 0; k < n; k++)
      for (let i = 0; i < H * W; i++) {
        const x = (i % W) - W / 2, y = Math.floor(i / W) - H / 2;
        cube[k * H * W + i] = Math.exp(-(x * x + y * y) / 8) + sigma * zigguratNormal(rng);
      }
    // an off-centre (peak at 7, 6 of a 13×13 image) elongated PSF: its centroid must land on the grid centre
    const psf = new Float32Array(13 * 13);
    for (let i = 0; i < 169; i++) psf[i] = Math.exp(-(((i % 13) - 7) ** 2 / 4 + (Math.floor(i / 13) - 6) ** 2 / 2));
    const file = join(dir, 'stamps.fits');
    writeFileSync(file, writeFits([
      { kind: 'image', shape: [n, H, W], data: cube, cards: [{ keyword: 'PIXSCALE', value: 0.2 }] },
      { kind: 'image', shape: [13, 13], data: psf, extname: 'PSF' },
    ]));
    const d = stampFolderData(dir, { size: 32, psfSize: 15 });
    expect(d.count).toBe(3);
    expect(d.pixelScale).toBeCloseTo(0.2, 12);
    for (let k = 0; k < n; k++) expect(d.sigma[k]).toBeGreaterThan(0.8 * sigma), expect(d.sigma[k]).toBeLessThan(1.25 * sigma);
    // 24 rows in 32: rows 0–3 are padding → weight 0; the centre has 1/σ²
    expect(d.invVar![0]).toBe(0);
    expect(d.invVar![16 * 32 + 16]).toBeCloseTo(1 / d.sigma[0]! ** 2, 3);
    expect(d.psfs.length).toBe(15 * 15);
    const [s, cx, cy] = centroid(d.psfs, 15, 0);
    expect(s).toBeCloseTo(1, 5);
    expect(cx).toBeCloseTo(7, 1);
    expect(cy).toBeCloseTo(7, 1);
    expect(() => stampFolderData(join(dir, 'stamps.fits'), { size: 32, psfSize: 15, psfPreset: 'lsst' })).not.toThrow();
  });

  it.skipIf(!HAS_SHARED)(`GalSim real-galaxy catalog: the five AEGIS galaxies with their PSFs and noise (${HAS_SHARED ? 'shared data' : SHARED_SKIP_REASON})`, () => {
    const d = rgcData(join(SHARED_DIR, 'data', 'galaxies', 'AEGIS_F814w_catalog.fits'), { size: 32, psfSize: 19 });
    expect(d.count).toBe(5);
    expect(d.pixelScale).toBeCloseTo(0.03, 9);
    // NOISE_VARIANCE of row 0 read with astropy: 7.01618908e-06
    expect(d.sigma[0]).toBeCloseTo(Math.sqrt(7.01618908e-6), 7);
    expect(d.psfs.length).toBe(5 * 19 * 19);
    for (let k = 0; k < 5; k++) {
      const [s, cx, cy] = centroid(d.psfs, 19, k);
      expect(s).toBeCloseTo(1, 5);
      expect(Math.hypot(cx - 9, cy - 9)).toBeLessThan(0.5);
    }
    expect(new Set(d.psfIndex).size).toBe(5);
  });
});
