// Blink labels and stretches of the extra frames (src-renderer/features/candidate/product-frames.ts):
// the fit's model/residual as before, a restore's posterior mean in colour naming the composite's bands,
// its std in the middle band from 0 to max, other products named by kind and frame.
import { describe, expect, it } from 'vitest';
import { extraFrames } from '../src-renderer/features/candidate/product-frames';

const griz = ['g', 'r', 'i', 'z'];
const cut = (kind: string, bands = griz) => ({ kind, path: `cutout/${kind}`, bands });

describe('extra blink frames', () => {
  it('labels restore mean/std and keeps the fit frames', () => {
    const f = extraFrames([cut('stamp'), cut('context'), cut('model'), cut('residual'), cut('restore-mean'), cut('restore-std'), cut('deblend-comp1')], griz, [2, 1, 0]);
    expect(f.map((x) => x.label)).toEqual(['model', 'residual', 'restore mean (g,r,i)', 'restore std (r)', 'deblend comp1 (r)']);
    expect(f[0]!.override).toEqual({ mode: 'colour' });
    expect(f[1]!.override).toMatchObject({ mode: 'band', band: 1, interval: 'minmax' });
    expect(f[2]!.override).toEqual({ mode: 'colour' });
    expect(f[3]!.override).toEqual({ mode: 'band', band: 1, interval: 'zeromax', scale: 'linear' });
    expect(f[4]!.path).toBe('cutout/deblend-comp1');
  });
  it('names the composite from the display rgb, and one band for a 2-band stamp', () => {
    expect(extraFrames([cut('restore-mean')], griz, [3, 2, 1])[0]!.label).toBe('restore mean (r,i,z)');
    const two = extraFrames([cut('restore-mean', ['g', 'r']), cut('restore-std', ['g', 'r'])], ['g', 'r'], [2, 1, 0]);
    expect(two.map((x) => x.label)).toEqual(['restore mean (g)', 'restore std (g)']);
    expect(two[0]!.override).toMatchObject({ mode: 'band', band: 0 });
  });
});
