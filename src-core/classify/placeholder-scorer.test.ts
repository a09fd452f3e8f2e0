import { describe, expect, it } from 'vitest';
import { placeholderScore } from './placeholder-scorer';
import type { Stamp } from '../stamps/stamp';
import { Rng } from '../rng';

function stamp(withArc: boolean): Stamp {
  const w = 45, rng = new Rng(7, withArc ? 1 : 0);
  const planes = [0, 1, 2].map((b) => {
    const p = new Float32Array(w * w);
    for (let y = 0; y < w; y++)
      for (let x = 0; x < w; x++) {
        const r = Math.hypot(x - 22, y - 22);
        const lens = (b + 1) * 400 * Math.exp(-r / 3); // red deflector: brighter in redder bands
        const arc = withArc && b === 0 ? 300 * Math.exp(-((r - 7) ** 2) / 2) : 0; // blue ring at 1.4″
        p[y * w + x] = lens + arc + rng.normal() * 10;
      }
    return p;
  });
  return { width: w, height: w, bands: ['g', 'r', 'i'], planes, pixelScale: 0.2 };
}

describe('placeholder scorer', () => {
  it('ranks a blue ring above the same galaxy without it, within (0, 1)', () => {
    const a = placeholderScore(stamp(true));
    const b = placeholderScore(stamp(false));
    expect(a).toBeGreaterThan(b);
    expect(a).toBeLessThan(1);
    expect(b).toBeGreaterThanOrEqual(0);
  });
});
