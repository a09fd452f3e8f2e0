// The streamed cube writer must give exactly the bytes of the one-shot writer (src-core/fits/writer.ts)
// for the same HDUs, whatever order and size the slices arrive in; a failed write leaves no file.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFits } from '../../src-core/fits/writer';
import { Rng } from '../../src-core/rng';
import { FitsCubeWriter } from './fits-cube-writer';

describe('FitsCubeWriter', () => {
  it('writes the same bytes as writeFits, slices in any order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cube-'));
    const n = 37, S = 9, rng = new Rng(2, 2);
    const cubes = [0, 1, 2].map(() => Float32Array.from({ length: n * S * S }, () => rng.range(-1e3, 1e3)));
    const cards = [{ keyword: 'PIXSCALE', value: 0.2, comment: 'arcsec per pixel' }, { keyword: 'SEED', value: 4 }];
    const expected = writeFits([
      { kind: 'image', shape: [n, S, S], data: cubes[0]!, cards },
      { kind: 'image', shape: [n, S, S], data: cubes[1]!, extname: 'VARIANCE' },
      { kind: 'image', shape: [n, S, S], data: cubes[2]!, extname: 'MODEL' },
    ]);
    const path = join(dir, 'c.fits');
    const w = new FitsCubeWriter(path, n, S, [{ cards }, { extname: 'VARIANCE' }, { extname: 'MODEL' }]);
    expect(existsSync(path)).toBe(false); // only the temporary file until close
    // chunks of 10 (last one short), HDUs and chunks out of order
    for (const first of [30, 0, 20, 10])
      for (const h of [2, 0, 1]) w.write(h, first, cubes[h]!.subarray(first * S * S, Math.min(n, first + 10) * S * S));
    w.close();
    const got = new Uint8Array(readFileSync(path));
    expect(got.length).toBe(expected.length);
    expect(got.length % 2880).toBe(0);
    expect(Buffer.compare(Buffer.from(got), Buffer.from(expected))).toBe(0);
  });

  it('rejects slices out of range and leaves no file after abort', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cube-'));
    const path = join(dir, 'c.fits');
    const w = new FitsCubeWriter(path, 2, 3, [{}]);
    expect(() => w.write(0, 1, new Float32Array(18))).toThrow(/out of range/);
    expect(() => w.write(1, 0, new Float32Array(9))).toThrow(/out of range/);
    w.abort();
    expect(readdirSync(dir)).toEqual([]);
  });
});
