// A PNG montage of image sets (e.g. training stamps above model samples, as Lanusse et al. 2020 show
// them): each image on its own asinh stretch (scaled to its 99.5th percentile) so faint and bright
// galaxies both show, tiles magnified by nearest neighbour, sets separated by a blank band.
import { encodePng } from '../image/png';

export interface MontageSet {
  images: ArrayLike<number>;
  count: number;
  side: number;
}

export function montagePng(sets: readonly MontageSet[], perRow: number, zoom = 3): Uint8Array {
  const tile = Math.max(...sets.map((s) => s.side)) * zoom, gap = 2, band = 8;
  const rowsPer = sets.map((s) => Math.ceil(s.count / perRow));
  const width = perRow * (tile + gap) + gap;
  const height = rowsPer.reduce((a, r) => a + r * (tile + gap), 0) + (sets.length - 1) * band + gap;
  const data = new Uint8Array(width * height);
  let y0 = gap;
  sets.forEach((s, si) => {
    const d = s.side * s.side, off = Math.floor((tile - s.side * zoom) / 2);
    for (let k = 0; k < s.count; k++) {
      const img = Array.from({ length: d }, (_, i) => s.images[k * d + i]!);
      const sorted = [...img].sort((a, b) => a - b);
      const top = Math.max(1e-30, sorted[Math.floor(0.995 * (d - 1))]!);
      const tx = gap + (k % perRow) * (tile + gap) + off, ty = y0 + Math.floor(k / perRow) * (tile + gap) + off;
      const norm = Math.asinh(10);
      for (let r = 0; r < s.side * zoom; r++)
        for (let c = 0; c < s.side * zoom; c++) {
          const v = img[Math.floor(r / zoom) * s.side + Math.floor(c / zoom)]! / top;
          data[(ty + r) * width + tx + c] = Math.round(255 * Math.min(1, Math.max(0, Math.asinh(10 * v) / norm)));
        }
    }
    y0 += rowsPer[si]! * (tile + gap) + band;
  });
  return encodePng({ width, height, channels: 1, data }, { text: { Software: 'LensDesk' } });
}
