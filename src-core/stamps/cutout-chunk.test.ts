// `lensdesk simulate` chunks read back as one stamp per cutout (issue 19): the pixels and variance of
// cutout j are the simulator's, in its band order; names carry seed and index; positions are distinct.
import { describe, expect, it } from 'vitest';
import { FitsFile, sourceFromBytes } from '../fits/index';
import { encodeSimulationFits } from '../lens/fits-cube';
import { simulateRange } from '../lens/simulate';
import { openCutoutChunk, readChunkCutout } from './cutout-chunk';
import { decodeStamp, encodeStamp } from './format';

describe('multi-cutout chunks', () => {
  const batch = simulateRange({ preset: 'lsst', bands: ['g', 'r', 'i'] }, 9, 20, 4);
  const bytes = encodeSimulationFits(batch, { ra: 30, dec: -10 });

  it('each cutout is a stamp with the simulated pixels, bands, variance, a name and its own position', () => {
    const chunk = openCutoutChunk(new FitsFile(sourceFromBytes('c.fits', bytes)))!;
    expect(chunk).not.toBeNull();
    expect(chunk).toMatchObject({ count: 4, bands: ['g', 'r', 'i'], width: 45, height: 45, start: 20, prefix: 'sim lsst s9' });
    const n = 45 * 45;
    const seen = new Set<string>();
    for (let j = 0; j < 4; j++) {
      const s = readChunkCutout(chunk, j);
      expect(s.name).toBe(`sim lsst s9 #${20 + j}`);
      expect(s.bands).toEqual(['g', 'r', 'i']);
      s.planes.forEach((p, b) => expect(p).toEqual(batch.images.subarray((j * 3 + b) * n, (j * 3 + b + 1) * n)));
      s.variance!.forEach((p, b) => expect(p).toEqual(batch.variance.subarray((j * 3 + b) * n, (j * 3 + b + 1) * n)));
      expect(Math.abs(s.dec! + 10)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(((s.ra! - 30) * Math.cos((10 * Math.PI) / 180)))).toBeLessThanOrEqual(0.5 + 1e-9);
      seen.add(`${s.ra},${s.dec}`);
      expect(s.pixelScale).toBeCloseTo(0.2, 9);
    }
    expect(seen.size).toBe(4);
  });

  it('a one-stamp file is not a chunk, and the one-stamp reader refuses a chunk by name', () => {
    const one = encodeStamp({ width: 5, height: 5, bands: ['g'], planes: [new Float32Array(25)] });
    expect(openCutoutChunk(new FitsFile(sourceFromBytes('s.fits', one)))).toBeNull();
    expect(() => decodeStamp(sourceFromBytes('c.fits', bytes))).toThrow(/c\.fits: HDU 0 holds 4 cutouts/);
  });
});
