import { describe, expect, it } from 'vitest';
import { formatDec, formatRa, zoomAbout } from '../src-renderer/features/candidate/inspect';

describe('candidate inspector helpers', () => {
  it('zooming keeps the point under the pointer fixed, and 1× recentres', () => {
    const size = 360;
    let v = { zoom: 1, pan: [0, 0] as [number, number] };
    const at = (v: { zoom: number; pan: [number, number] }, cx: number) => (cx - v.pan[0]) / v.zoom; // frame point under cx
    const before = at(v, 100);
    v = zoomAbout(v, 2, 100, 50, size);
    expect(v.zoom).toBe(2);
    expect(at(v, 100)).toBeCloseTo(before, 9);
    v = zoomAbout(v, 1.5, 300, 200, size);
    expect(v.zoom).toBe(3);
    expect(zoomAbout(v, 0.1, 0, 0, size)).toEqual({ zoom: 1, pan: [0, 0] });
    expect(zoomAbout({ zoom: 30, pan: [0, 0] }, 4, 0, 0, size).zoom).toBe(32);
  });

  it('formats RA/Dec as DS9 (hh:mm:ss.ss, ±dd:mm:ss.s)', () => {
    expect(formatRa(150.1163)).toBe('10:00:27.91');
    expect(formatDec(2.2058)).toBe('+02:12:20.9');
    expect(formatDec(-0.5)).toBe('-00:30:00.0');
    expect(formatRa(359.99999999)).toBe('00:00:00.00');
    expect(formatRa(-15)).toBe('23:00:00.00');
  });
});
