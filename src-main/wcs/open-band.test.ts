import { describe, expect, it } from 'vitest';
import { HAS_SHARED, SHARED_SKIP_REASON, sharedFits } from '../../test/shared';
import { makeCutout } from '../../src-core/image/cutout';
import { pixelXY } from '../../src-core/units';
import { openCutoutBand } from './open-band';

describe.skipIf(!HAS_SHARED)(`openCutoutBand (${HAS_SHARED ? 'shared data' : SHARED_SKIP_REASON})`, () => {
  it('finds the image HDU of a DECam file (empty primary) and cuts at a TPV position', () => {
    const band = openCutoutBand(sharedFits('c4d_150329_083505_ooi_g_ls9.N11.fits'));
    try {
      expect([band.image.width, band.image.height]).toEqual([41, 51]);
      const c = makeCutout([band], { centre: band.wcs.pixel0ToSky(pixelXY(20, 25)), width: 5, height: 5 });
      expect(c.originPixel0).toEqual({ x: 18, y: 23 });
      expect(c.bands[0].mask.every((m) => m === 1)).toBe(true);
    } finally {
      band.close();
    }
  });
  it('no image HDU is an InputError naming the file', () => {
    expect(() => openCutoutBand(sharedFits('tb.fits'), { hdu: 1 })).toThrow(/tb\.fits: no 2-D image HDU/);
  });
});
