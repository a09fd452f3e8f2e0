import { describe, expect, it } from 'vitest';
import { FitsHeader } from '../fits/header';
import { headerPixelScale, keywordPixelScale, linearPixelScale } from './pixel-scale';

const card = (k: string, v: number | string) => (typeof v === 'number' ? `${k.padEnd(8)}= ${String(v).padStart(20)}` : `${k.padEnd(8)}= '${v}'`).padEnd(80);
const header = (kv: Record<string, number | string>) => FitsHeader.fromCardImages(Object.entries(kv).map(([k, v]) => card(k, v)));

describe('pixel scale from header cards', () => {
  it('a rotated and flipped CD matrix gives |det|^½ (0.2″ at 30°)', () => {
    const s = 0.2 / 3600, c = Math.cos(Math.PI / 6), n = Math.sin(Math.PI / 6);
    expect(linearPixelScale(header({ CD1_1: -s * c, CD1_2: s * n, CD2_1: s * n, CD2_2: s * c }))).toBeCloseTo(0.2, 10);
  });
  it('CDELT with PC, and CUNIT arcsec', () => {
    expect(linearPixelScale(header({ CDELT1: -0.1 / 3600, CDELT2: 0.1 / 3600, PC1_1: 0, PC1_2: 1, PC2_1: 1, PC2_2: 0 }))).toBeCloseTo(0.1, 10);
    expect(linearPixelScale(header({ CDELT1: 0.05, CDELT2: 0.05, CUNIT1: 'arcsec' }))).toBeCloseTo(0.05, 12);
    expect(linearPixelScale(header({ CDELT1: 0.05 }))).toBeUndefined();
  });
  it('plain keywords in order, header by header (image before primary), non-positive ignored', () => {
    expect(keywordPixelScale(header({ PIXELSCL: 0.031, PIXSCALE: 0.03 }))).toEqual({ scale: 0.03, keyword: 'PIXSCALE' });
    expect(keywordPixelScale(header({ PIXSCALE: 0 }), header({ PIXSCAL1: 0.168 }))).toEqual({ scale: 0.168, keyword: 'PIXSCAL1' });
    expect(keywordPixelScale(header({ NAXIS: 2 }))).toBeUndefined();
  });
  it('the linear WCS wins over a keyword', () => {
    expect(headerPixelScale(header({ CDELT1: -0.2 / 3600, CDELT2: 0.2 / 3600, PIXSCALE: 0.25 }))).toBeCloseTo(0.2, 10);
    expect(headerPixelScale(header({ PIXSCALE: 0.25 }))).toBe(0.25);
  });
});
