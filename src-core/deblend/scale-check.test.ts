import { describe, expect, it } from 'vitest';
import { checkPixelScale, requirePixelScale } from './scale-check';

describe('blend model pixel-scale check', () => {
  it('accepts scales within 10 %, refuses HST 0.1″ against LSST 0.2″ naming both', () => {
    expect(checkPixelScale(0.2, 0.2).status).toBe('match');
    expect(checkPixelScale(0.215, 0.2).status).toBe('match'); // 7.5 %
    expect(checkPixelScale(0.23, 0.2).status).toBe('mismatch'); // 15 %
    const r = checkPixelScale(0.1, 0.2, 'hst.fits');
    expect(r.status).toBe('mismatch');
    expect(r.message).toMatch(/hst\.fits has 0\.100″ pixels .* 0\.200″ .*50 %/);
    expect(() => requirePixelScale(0.1, 0.2, 'hst.fits')).toThrow(/hst\.fits has 0\.100″/);
  });
  it('says when a scale is unknown instead of guessing', () => {
    expect(checkPixelScale(undefined, 0.2).status).toBe('unknown');
    expect(checkPixelScale(0.1, null).status).toBe('unknown');
    expect(checkPixelScale(Number.NaN, 0.2).message).toMatch(/no pixel scale/);
  });
});
