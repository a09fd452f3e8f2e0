// Survey images with a TAN WCS for catalog + images tests: an n×n float32 image about (150°, 2°),
// 0.2″/px, optionally rotated (degrees) and shifted (CRPIX1 + shift), pixels from `fill(x, y)` (0-based).
import { writeFileSync } from 'node:fs';
import { writeFits } from '../src-core/fits/writer';

export const SURVEY_SCALE = 0.2 / 3600;
export const SURVEY_CENTRE = { ra: 150, dec: 2 };

export function writeSurveyImage(path: string, rotDeg: number, crpixShift: number, fill: (x: number, y: number) => number, n = 200): void {
  const data = new Float32Array(n * n);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) data[y * n + x] = fill(x, y);
  const c = Math.cos((rotDeg * Math.PI) / 180), s = Math.sin((rotDeg * Math.PI) / 180);
  const S = SURVEY_SCALE;
  writeFileSync(path, writeFits([{ kind: 'image', shape: [n, n], data, cards: [
    { keyword: 'CTYPE1', value: 'RA---TAN' }, { keyword: 'CTYPE2', value: 'DEC--TAN' },
    { keyword: 'CRVAL1', value: SURVEY_CENTRE.ra, type: 'float' }, { keyword: 'CRVAL2', value: SURVEY_CENTRE.dec, type: 'float' },
    { keyword: 'CRPIX1', value: n / 2 + crpixShift, type: 'float' }, { keyword: 'CRPIX2', value: n / 2, type: 'float' },
    { keyword: 'CD1_1', value: -S * c, type: 'float' }, { keyword: 'CD1_2', value: S * s, type: 'float' },
    { keyword: 'CD2_1', value: S * s, type: 'float' }, { keyword: 'CD2_2', value: S * c, type: 'float' },
  ] }]));
}
