// One table of properties over every stretch (astropy's pattern): round trip through the inverse,
// monotonicity, end points; then the astropy reference values in stretch_refs.json.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HAS_SHARED, SHARED_SKIP_REASON, sharedFits } from '../../test/shared';
import { HistEqStretch } from './histeq-stretch';
import { LuptonAsinhStretch } from './lupton-stretch';
import {
  asinhStretch,
  composeStretches,
  linearStretch,
  logStretch,
  parseStretch,
  powerDistStretch,
  powerStretch,
  sinhStretch,
  sqrtStretch,
  type Stretch,
} from './stretch';
import { Rng } from '../rng';

const rng = new Rng(7, 0);
const histRef = Float64Array.from({ length: 500 }, () => rng.normal() ** 3); // distinct, skewed

const table: Array<[string, Stretch, boolean]> = [
  // name, stretch, maps [0,1] onto [0,1] with f(0)=0, f(1)=1
  ['linear', linearStretch(), true],
  ['linear(2,-0.5)', linearStretch(2, -0.5), false],
  ['sqrt', sqrtStretch(), true],
  ['power(2)', powerStretch(2), true],
  ['power(0.3)', powerStretch(0.3), true],
  ['log(1000)', logStretch(1000), true],
  ['log(10)', logStretch(10), true],
  ['asinh(0.1)', asinhStretch(0.1), true],
  ['asinh(0.01)', asinhStretch(0.01), true],
  ['sinh(1/3)', sinhStretch(), true],
  ['powerdist(1000)', powerDistStretch(1000), true],
  ['histeq', new HistEqStretch(histRef), true],
  ['lupton(5,8)', new LuptonAsinhStretch(5, 8), false],
  ['compose(sqrt,asinh)', composeStretches(sqrtStretch(), asinhStretch(0.1)), true],
  ['compose(log,power,linear)', composeStretches(logStretch(), powerStretch(1.5), linearStretch(0.5, 0.25)), false],
];

const grid = Array.from({ length: 201 }, (_, i) => i / 200);

describe.each(table)('stretch %s', (_name, s, unitRange) => {
  it('inverse(forward(x)) = x and forward(inverse(y)) = y', () => {
    for (const x of grid) {
      expect(s.inverse.forward(s.forward(x))).toBeCloseTo(x, 9);
      const y = s.forward(x);
      expect(s.forward(s.inverse.forward(y))).toBeCloseTo(y, 9);
    }
  });
  it('is strictly increasing on [0, 1]', () => {
    for (let i = 1; i < grid.length; i++) expect(s.forward(grid[i]!)).toBeGreaterThan(s.forward(grid[i - 1]!));
  });
  it.runIf(unitRange)('maps 0 → 0 and 1 → 1', () => {
    expect(s.forward(0)).toBeCloseTo(0, 12);
    expect(s.forward(1)).toBeCloseTo(1, 12);
  });
  it('apply clips, keeps NaN and the float width', () => {
    const out = s.apply(new Float32Array([-1, 0.5, 2, NaN]), { clip: true });
    expect(out).toBeInstanceOf(Float32Array);
    expect(out[0]).toBeCloseTo(s.forward(0), 6);
    expect(out[1]).toBeCloseTo(s.forward(0.5), 6);
    expect(out[2]).toBeCloseTo(s.forward(1), 6);
    expect(Number.isNaN(out[3])).toBe(true);
  });
});

describe('stretch formulas at a point (analytic)', () => {
  it('matches the closed forms', () => {
    expect(logStretch(1000).forward(0.5)).toBeCloseTo(Math.log(501) / Math.log(1001), 14);
    expect(sqrtStretch().forward(0.25)).toBe(0.5);
    expect(powerDistStretch(1000).forward(0.5)).toBeCloseTo((Math.sqrt(1000) - 1) / 999, 14);
    expect(composeStretches(sqrtStretch(), powerStretch(2)).forward(0.3)).toBeCloseTo(0.3, 14);
    expect(parseStretch('asinh:0.01').forward(0.05)).toBeCloseTo(asinhStretch(0.01).forward(0.05), 15);
    expect(() => parseStretch('nope')).toThrow(/unknown stretch/);
  });
  it('histeq spreads a skewed sample to uniform levels', () => {
    const h = new HistEqStretch(histRef);
    const sorted = Float64Array.from(histRef).sort();
    const lo = sorted[0]!;
    const hi = sorted[sorted.length - 1]!;
    // the median reference value maps to the middle level
    const med = (sorted[249]! - lo) / (hi - lo);
    expect(h.forward(med)).toBeCloseTo(249 / 499, 12);
  });
});

describe.skipIf(!HAS_SHARED)(`astropy stretch_refs.json (${HAS_SHARED ? 'present' : SHARED_SKIP_REASON})`, () => {
  const refs = HAS_SHARED ? JSON.parse(readFileSync(sharedFits('stretch_refs.json'), 'utf8')) : { asinh_stretch: [], lupton_asinh_stretch: [] };
  it('AsinhStretch(a)(x, clip=True)', () => {
    expect(refs.asinh_stretch.length).toBeGreaterThan(0);
    for (const r of refs.asinh_stretch) {
      const a = Number(/a=([\d.]+)/.exec(r.call)![1]);
      const out = asinhStretch(a).apply(Float64Array.from(r.x), { clip: true });
      r.y.forEach((y: number, i: number) => expect(Math.abs(out[i]! - y)).toBeLessThan(1e-14));
    }
  });
  it('LuptonAsinhStretch(stretch, Q)(x, clip=False)', () => {
    expect(refs.lupton_asinh_stretch.length).toBeGreaterThan(0);
    for (const r of refs.lupton_asinh_stretch) {
      const [, st, q] = /stretch=([\d.]+), Q=([\d.]+)/.exec(r.call)!;
      const out = new LuptonAsinhStretch(Number(st), Number(q)).apply(Float64Array.from(r.x));
      r.y.forEach((y: number, i: number) => expect(Math.abs(out[i]! - y)).toBeLessThan(1e-14 * Math.max(1, Math.abs(y))));
    }
  });
});
