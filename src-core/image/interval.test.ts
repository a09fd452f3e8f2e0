// Intervals against independent values: every readable `stats.zscale` in the astropy reference
// files, numpy.percentile semantics checked by brute force, min–max by definition.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FITS_DIR, HAS_SHARED, SHARED_SKIP_REASON, sharedFits } from '../../test/shared';
import { Rng } from '../rng';
import { FitsFile, readImage, sourceFromBytes } from '../fits/index';
import '../fits/compress/index'; // installs the tile decompressor
import {
  AsymmetricPercentileInterval,
  ManualInterval,
  MinMaxInterval,
  normalize,
  parseInterval,
  PercentileInterval,
  percentileOfSorted,
  ZScaleInterval,
} from './interval';
import { zscaleLimits } from './zscale';

interface ZRef {
  file: string;
  hdu: number;
  limits: [number, number];
}

/** Pixels of one HDU through the project's FITS reader (int64 → float64 for display). */
function readPixels(file: string, hdu: number): Float32Array | Float64Array | ArrayLike<number> {
  const f = new FitsFile(sourceFromBytes(file, readFileSync(sharedFits(file))));
  const d = readImage(f, f.hdu(hdu)).data;
  return d instanceof BigInt64Array || d instanceof BigUint64Array ? Float64Array.from(d, Number) : d;
}
function zscaleRefs(): ZRef[] {
  if (!HAS_SHARED) return [];
  const out: ZRef[] = [];
  for (const f of readdirSync(FITS_DIR).filter((n) => n.endsWith('.ref.json'))) {
    const ref = JSON.parse(readFileSync(sharedFits(f), 'utf8'));
    for (const h of ref.hdus ?? []) {
      const z = h.stats?.zscale;
      if (!z) continue;
      const file = f.replace(/\.ref\.json$/, '');
      out.push({ file, hdu: h.index, limits: z.limits });
    }
  }
  return out;
}

const close = (a: number, b: number, rel = 1e-12) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

describe.skipIf(!HAS_SHARED)(`ZScale = astropy ZScaleInterval on the reference files (${HAS_SHARED ? 'present' : SHARED_SKIP_REASON})`, () => {
  const refs = zscaleRefs();
  it('covers the three designated checks and every 2-D image HDU with a zscale entry', () => {
    const names = refs.map((r) => `${r.file}#${r.hdu}`);
    for (const d of ['gc_2mass_j.fits#0', 'm13.fits#0', 'c4d_150329_083505_ooi_g_ls9.N11.fits#1']) expect(names).toContain(d);
    expect(refs.length).toBeGreaterThanOrEqual(33);
  });
  // includes tile-compressed (RICE/GZIP/HCOMPRESS/PLIO, dithered floats) and .fits.gz HDUs
  it.each(refs.map((r) => [`${r.file} HDU ${r.hdu}`, r] as const))('%s', (_n, r) => {
    const [lo, hi] = new ZScaleInterval().limits(readPixels(r.file, r.hdu));
    expect(close(lo, r.limits[0]), `vmin ${lo} vs ${r.limits[0]}`).toBe(true);
    expect(close(hi, r.limits[1]), `vmax ${hi} vs ${r.limits[1]}`).toBe(true);
  });
});

describe('ZScale behaviour', () => {
  it('ignores NaN/Inf and clamps to the sample range on a ramp (exact fit, no rejection)', () => {
    // values 0..99 in order: the fit is exact (slope 1), σ = 0, nothing is rejected by k·σ = 0
    // except nothing (|flat| > 0 is false), so vmin = max(0, median − (49−1)·4) = 0, vmax = 99.
    const v = Float64Array.from({ length: 100 }, (_, i) => i);
    expect(zscaleLimits(v)).toEqual([0, 99]);
    const w = new Float64Array(104);
    w.set(v);
    w[100] = NaN;
    w[101] = Infinity;
    w[102] = -Infinity;
    w[103] = NaN;
    expect(zscaleLimits(w)).toEqual([0, 99]);
  });
  it('narrows to the core of a noisy image with a few bright stars', () => {
    const rng = new Rng(3, 1);
    const v = Float64Array.from({ length: 10000 }, () => 100 + 5 * rng.normal());
    for (let i = 0; i < 50; i++) v[i * 197] = 5000;
    const [lo, hi] = zscaleLimits(v);
    expect(lo).toBeGreaterThan(60);
    expect(hi).toBeLessThan(140);
    expect(hi).toBeGreaterThan(lo);
  });
  it('throws a clear InputError on an all-NaN image', () => {
    expect(() => zscaleLimits(new Float32Array([NaN, NaN]))).toThrow(/no finite pixel values/);
  });
});

describe('percentile, min–max, manual', () => {
  it('percentileOfSorted follows numpy linear interpolation (type 7)', () => {
    const s = [1, 2, 4, 8];
    // h = (n−1)p/100: p=50 → h=1.5 → 2 + 0.5·2 = 3; p=10 → h=0.3 → 1.3; p=100 → 8; p=0 → 1
    expect(percentileOfSorted(s, 50)).toBe(3);
    expect(percentileOfSorted(s, 10)).toBeCloseTo(1.3, 14);
    expect(percentileOfSorted(s, 100)).toBe(8);
    expect(percentileOfSorted(s, 0)).toBe(1);
  });
  it('PercentileInterval(p) cuts (100−p)/2 % at both ends of the finite values', () => {
    const v = Float64Array.from({ length: 1001 }, (_, i) => i);
    v[5] = NaN;
    const [lo, hi] = new PercentileInterval(99).limits(v);
    // 1000 finite values 0..1000 without 5; brute force h = 999·0.005 = 4.995 → between 4 and 6.
    const finite = Array.from(v).filter(Number.isFinite);
    const h = 999 * 0.005;
    expect(lo).toBeCloseTo(finite[4]! + (h - 4) * (finite[5]! - finite[4]!), 10);
    const h2 = 999 * 0.995;
    const j = Math.floor(h2);
    expect(hi).toBeCloseTo(finite[j]! + (h2 - j) * (finite[j + 1]! - finite[j]!), 10);
    expect(new AsymmetricPercentileInterval(0, 100).limits(v)).toEqual(new MinMaxInterval().limits(v));
  });
  it('min–max and manual limits; normalize clips and keeps NaN', () => {
    const v = new Float32Array([3, NaN, -2, 7, Infinity]);
    expect(new MinMaxInterval().limits(v)).toEqual([-2, 7]);
    expect(new ManualInterval(0, undefined).limits(v)).toEqual([0, 7]);
    const n = normalize(v, [-2, 7]);
    expect(Array.from(n).map((x) => (Number.isNaN(x) ? 'nan' : +x.toFixed(6)))).toEqual([+(5 / 9).toFixed(6), 'nan', 0, 1, 1]);
    expect(parseInterval('percentile:99.5').name).toBe('percentile 0.25..99.75');
    expect(() => parseInterval('bogus')).toThrow(/unknown interval/);
  });
});

const PY = '/usr/bin/python3';
const hasNumpy = existsSync(PY) && (() => { try { execFileSync(PY, ['-c', 'import numpy'], { stdio: 'ignore' }); return true; } catch { return false; } })();
describe.skipIf(!hasNumpy)(`percentiles vs numpy.percentile (${hasNumpy ? PY : 'skipped: /usr/bin/python3 with numpy not found'})`, () => {
  it('agrees to the last bit on 1001 random values at 9 percentiles', () => {
    const rng = new Rng(9, 2);
    const v = Array.from({ length: 1001 }, () => rng.normal() * 100);
    const ps = [0, 0.25, 1, 12.5, 50, 87.5, 99, 99.75, 100];
    const ref = JSON.parse(
      execFileSync(PY, ['-c', 'import json,sys,numpy as np; d=json.load(sys.stdin); print(json.dumps(np.percentile(np.array(d["v"]), d["p"]).tolist()))'], {
        input: JSON.stringify({ v, p: ps }),
      }).toString(),
    );
    const sorted = Float64Array.from(v).sort();
    ps.forEach((p, i) => expect(percentileOfSorted(sorted, p)).toBe(ref[i]));
  });
});
