// Lupton composite against astropy's make_lupton_rgb reference (lupton_rgb_2mass_KHJ.*): exact
// SHA-256 of the uint8 array, channel sums, 50 sample pixels, and the reference PNG pixel for pixel
// (which also fixes the orientation: origin='lower').
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HAS_SHARED, SHARED_SKIP_REASON, sharedFits } from '../../test/shared';
import { LUPTON_PRESETS } from './lupton-presets';
import { makeLuptonRgb } from './lupton-rgb';
import { encodePng } from './png';
import { decodePng } from './png-decode';
import { FitsFile, readImage, sourceFromBytes } from '../fits/index';

describe.skipIf(!HAS_SHARED)(`make_lupton_rgb on 2MASS K,H,J (${HAS_SHARED ? 'present' : SHARED_SKIP_REASON})`, () => {
  const ref = HAS_SHARED ? JSON.parse(readFileSync(sharedFits('lupton_rgb_2mass_KHJ.json'), 'utf8')) : null;
  const load = (b: string) => {
    const name = `gc_2mass_${b}.fits`;
    const f = new FitsFile(sourceFromBytes(name, readFileSync(sharedFits(name))));
    const img = readImage(f, f.hdu(0));
    expect(img.data).toBeInstanceOf(Float32Array); // as astropy: float32 arithmetic throughout
    return { width: img.shape[1]!, height: img.shape[0]!, data: img.data as Float32Array };
  };
  const [k, h, j] = HAS_SHARED ? ['k', 'h', 'j'].map(load) : [];
  const rgb = HAS_SHARED ? makeLuptonRgb(k!.data, h!.data, j!.data, { minimum: ref.params.minimum, stretch: ref.params.stretch, Q: ref.params.Q }) : new Uint8Array();

  it('SHA-256 of the uint8 array equals astropy', () => {
    expect([k!.width, k!.height]).toEqual([ref.output.shape[1], ref.output.shape[0]]);
    expect(createHash('sha256').update(rgb).digest('hex')).toBe(ref.output.sha256_of_rgb_array_C_order_data_orientation);
  });
  it('channel sums and the 50 sample pixels', () => {
    const sums = [0, 0, 0];
    for (let i = 0; i < rgb.length; i++) sums[i % 3]! += rgb[i]!;
    expect(sums).toEqual(ref.output.channel_sums);
    expect(ref.output.sample_pixels.length).toBe(50);
    for (const s of ref.output.sample_pixels) {
      const o = 3 * (s.index[0] * k!.width + s.index[1]);
      expect([rgb[o], rgb[o + 1], rgb[o + 2]]).toEqual(s.rgb);
    }
  });
  it('PNG with flipY equals the reference PNG (origin lower) pixel for pixel', () => {
    const mine = decodePng(encodePng({ width: k!.width, height: k!.height, channels: 3, data: rgb }, { flipY: true }));
    const theirs = decodePng(readFileSync(sharedFits('lupton_rgb_2mass_KHJ.png')));
    expect([theirs.width, theirs.height, theirs.channels]).toEqual([721, 720, 3]);
    expect(Buffer.from(mine.data).equals(Buffer.from(theirs.data))).toBe(true);
    // and not without the flip (the image is not symmetric)
    const unflipped = decodePng(encodePng({ width: k!.width, height: k!.height, channels: 3, data: rgb }));
    expect(Buffer.from(unflipped.data).equals(Buffer.from(theirs.data))).toBe(false);
  });
});

describe('Lupton composite properties', () => {
  it('keeps the colour of a saturated pixel (channel ratios) and maps ≤ minimum to black', () => {
    const r = new Float64Array([1000, -1, 0.01]);
    const g = new Float64Array([500, -1, 0.01]);
    const b = new Float64Array([250, -1, 0.01]);
    const out = makeLuptonRgb(r, g, b, { minimum: 0, stretch: 5, Q: 8 });
    expect(out[0]).toBe(255); // brightest channel saturates to 255 …
    expect(out[1]).toBe(127); // … and the others keep the 2:1 ratios (trunc(127.5))
    expect(out[2]).toBe(63);
    expect([out[3], out[4], out[5]]).toEqual([0, 0, 0]);
    // faint grey pixel: I = 0.01, f(I)/I = asinh(0.016)·0.1/asinh(0.8)/0.01
    const v = Math.trunc(0.01 * ((Math.asinh(0.01 * 8 / 5) * 0.1) / Math.asinh(0.8) / 0.01) * 255);
    expect([out[6], out[7], out[8]]).toEqual([v, v, v]);
  });
  it('presets are valid option sets and band scales shift the colour balance', () => {
    const one = new Float64Array([1]);
    for (const p of Object.values(LUPTON_PRESETS)) expect(makeLuptonRgb(one, one, one, p).length).toBe(3);
    const bluer = makeLuptonRgb(one, one, one, { stretch: 5, Q: 8, scales: [1, 1, 2] });
    expect(bluer[2]!).toBeGreaterThan(bluer[0]!);
  });
});
