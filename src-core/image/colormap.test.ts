import { describe, expect, it } from 'vitest';
import { COLORMAPS, colormapIndex, colormapTable, contrastBias } from './colormap';
import { contourLevels, contourSegments } from './contours';

// Rec. 709 relative luminance of an 8-bit sRGB triple (linearised).
const lin = (c: number) => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const luminance = (r: number, g: number, b: number) => 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);

describe('colour maps', () => {
  it('grey, viridis and heat get brighter monotonically from t = 0 to 1; cool runs cyan → magenta', () => {
    for (const name of ['grey', 'viridis', 'heat'] as const) {
      const lut = colormapTable(name);
      let prev = -1;
      for (let i = 0; i < 256; i++) {
        const y = luminance(lut[i * 3]!, lut[i * 3 + 1]!, lut[i * 3 + 2]!);
        expect(y, `${name} at ${i}`).toBeGreaterThanOrEqual(prev - 1e-3); // 8-bit rounding
        prev = y;
      }
    }
    const cool = colormapTable('cool');
    expect([...cool.slice(0, 3)]).toEqual([0, 255, 255]);
    expect([...cool.slice(255 * 3)]).toEqual([255, 0, 255]);
    // viridis: dark purple to yellow, as matplotlib's.
    const v = colormapTable('viridis');
    expect([...v.slice(0, 3)]).toEqual([68, 1, 84]);
    expect([...v.slice(255 * 3)]).toEqual([253, 231, 37]);
    expect(COLORMAPS).toContain('heat');
  });

  it('contrast/bias as DS9: identity at (1, 0.5), bias shifts, contrast steepens about the bias', () => {
    for (const t of [0, 0.2, 0.5, 0.9, 1]) expect(contrastBias(t, 1, 0.5)).toBeCloseTo(t, 12);
    expect(contrastBias(0.5, 3, 0.5)).toBeCloseTo(0.5, 12);
    expect(contrastBias(0.6, 3, 0.5)).toBeCloseTo(0.8, 12);
    expect(contrastBias(0.3, 1, 0.3)).toBeCloseTo(0.5, 12);
    expect(contrastBias(0.9, 5, 0.5)).toBe(1);
    expect(colormapIndex(NaN)).toBe(0);
    expect(colormapIndex(1)).toBe(255);
  });
});

describe('contours (marching squares)', () => {
  it('a circular Gaussian gives closed contours at the analytic radius', () => {
    const n = 41;
    const c = 20;
    const s = 4;
    const img = new Float32Array(n * n);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) img[y * n + x] = Math.exp(-((x - c) ** 2 + (y - c) ** 2) / (2 * s * s));
    const level = 0.5;
    const seg = contourSegments(img, n, n, level);
    expect(seg.length % 4).toBe(0);
    const r0 = s * Math.sqrt(2 * Math.log(1 / level));
    let maxErr = 0;
    let length = 0;
    for (let i = 0; i < seg.length; i += 4) {
      for (const [x, y] of [[seg[i]!, seg[i + 1]!], [seg[i + 2]!, seg[i + 3]!]]) maxErr = Math.max(maxErr, Math.abs(Math.hypot(x - c, y - c) - r0));
      length += Math.hypot(seg[i + 2]! - seg[i]!, seg[i + 3]! - seg[i + 1]!);
    }
    // Linear interpolation of a Gaussian between pixel centres: radius within 0.05 px, perimeter within 2 %.
    expect(maxErr).toBeLessThan(0.05);
    expect(Math.abs(length - 2 * Math.PI * r0) / (2 * Math.PI * r0)).toBeLessThan(0.02);
    // Closed: every segment end meets another segment's end.
    const key = (x: number, y: number) => `${x.toFixed(4)},${y.toFixed(4)}`;
    const ends = new Map<string, number>();
    for (let i = 0; i < seg.length; i += 2) ends.set(key(seg[i]!, seg[i + 1]!), (ends.get(key(seg[i]!, seg[i + 1]!)) ?? 0) + 1);
    for (const [k, m] of ends) expect(m, k).toBe(2);
  });

  it('skips NaN cells and gives nothing for a level outside the data', () => {
    const img = Float32Array.from([0, 1, 2, NaN, 1, 2, 3, 4, 2]);
    expect(contourSegments(img, 3, 3, 10).length).toBe(0);
    const seg = contourSegments(img, 3, 3, 1.5);
    for (let i = 0; i < seg.length; i++) expect(Number.isFinite(seg[i]!)).toBe(true);
    expect(contourLevels(1, 100, 4, 1).every((l, i, a) => l > 1 && l < 100 && (i === 0 || l > a[i - 1]!))).toBe(true);
  });
});
