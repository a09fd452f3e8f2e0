import { describe, expect, it } from 'vitest';
import { asinhStretch, linearStretch } from '../image/stretch';
import { gridToSky, skyToGrid, type GridSpec } from './grid';
import { colourBarTicks, formatDeg, graticule, nearbyCandidates, niceStep, separationArcmin } from './overlay';

describe('mass-map overlays', () => {
  const g: GridSpec = { ra0: 150, dec0: 2, pixArcmin: 1, rows: 60, cols: 80 };
  const toSky = (x: number, y: number) => gridToSky(g, x, y), toPixel = (ra: number, dec: number) => skyToGrid(g, ra, dec);

  it('draws Dec lines horizontal and RA lines vertical on a north-up TAN grid, at a nice step, through the WCS', () => {
    const lines = graticule(toSky, toPixel, g.cols, g.rows, { maxLines: 6 });
    const dec = lines.filter((l) => l.axis === 'dec'), ra = lines.filter((l) => l.axis === 'ra');
    expect(dec.length).toBeGreaterThanOrEqual(2);
    expect(ra.length).toBeGreaterThanOrEqual(2);
    for (const l of dec) {
      const ys = l.points.map((p) => p[1]);
      expect(Math.max(...ys) - Math.min(...ys)).toBeLessThan(0.5); // constant Dec ≈ a row near the centre
      // every point maps back to that Dec
      for (const [x, y] of l.points) expect(toSky(x, y)[1]).toBeCloseTo(l.value, 6);
    }
    for (const l of ra) for (const [x, y] of l.points) expect(toSky(x, y)[0]).toBeCloseTo(l.value, 6);
    // RA grows to the left (east left): a larger RA line sits at a smaller x.
    const sorted = [...ra].sort((a, b) => a.value - b.value);
    expect(sorted[0]!.points[0]![0]).toBeGreaterThan(sorted[sorted.length - 1]!.points[0]![0]);
    // Dec step: 59′ of Dec over ≤ 6 lines → 10′ (5′ would need 12).
    expect(dec[1]!.value - dec[0]!.value).toBeCloseTo(10 / 60, 9);
  });

  it('handles RA wrap-around at 0°', () => {
    const w: GridSpec = { ra0: 0.1, dec0: -30, pixArcmin: 1, rows: 40, cols: 40 };
    const lines = graticule((x, y) => gridToSky(w, x, y), (a, d) => skyToGrid(w, a, d), 40, 40).filter((l) => l.axis === 'ra');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => l.value > 359)).toBe(true);
    expect(lines.some((l) => l.value < 1)).toBe(true);
  });

  it('steps and labels', () => {
    expect(niceStep(1, 6)).toBeCloseTo(10 / 60, 12);
    expect(niceStep(0.01, 6)).toBeCloseTo(10 / 3600, 12); // 36″: 5″ would give 7 lines
    expect(formatDeg(2.25, 0.25)).toBe('2°15′');
    expect(formatDeg(150, 1)).toBe('150°');
    expect(formatDeg(2.0125, 5 / 3600)).toBe('2°00′45″');
  });

  it('lists candidates within the radius of a peak, nearest first', () => {
    const c = [{ id: 1, ra: 150, dec: 2.05 }, { id: 2, ra: 150.02, dec: 2 }, { id: 3, ra: 151, dec: 2 }];
    expect(separationArcmin(150, 2, 150, 2.05)).toBeCloseTo(3, 9);
    expect(separationArcmin(150, 2, 150.02, 2)).toBeCloseTo(1.2 * Math.cos((2 * Math.PI) / 180), 5);
    expect(nearbyCandidates(150, 2, c, 2).map((x) => x.id)).toEqual([2]);
    expect(nearbyCandidates(150, 2, c, 5).map((x) => x.id)).toEqual([2, 1]);
    expect(nearbyCandidates(150, 2, c, 0.5)).toEqual([]);
  });

  it('colour-bar ticks follow the stretch (linear: even values; asinh: values crowd at the low end)', () => {
    const lin = colourBarTicks(-0.1, 0.3, (t) => linearStretch().inverse.forward(t));
    [-0.1, 0, 0.1, 0.2, 0.3].forEach((v, i) => expect(lin[i]!.value).toBeCloseTo(v, 12));
    const a = colourBarTicks(0, 1, (t) => asinhStretch().inverse.forward(t));
    expect(a[0]!.value).toBeCloseTo(0, 12);
    expect(a[4]!.value).toBeCloseTo(1, 9);
    expect(a[2]!.value).toBeLessThan(0.5);
  });
});
