// Contour lines of an image by marching squares (Lorensen & Cline 1987, in 2-D): each cell of four
// neighbouring pixel centres that the level crosses contributes one or two segments whose ends are
// linearly interpolated along the cell edges. Saddle cells are resolved by the cell-centre mean, as
// matplotlib's and skimage's contour finders do. Coordinates are 0-based pixel centres (x right,
// y up the FITS rows), the convention of the rest of src-core; NaN cells are skipped.

/** Segments as a flat array [x0, y0, x1, y1, …] for one level. */
export function contourSegments(plane: ArrayLike<number>, width: number, height: number, level: number): Float32Array {
  const out: number[] = [];
  const at = (x: number, y: number) => plane[y * width + x]!;
  // Edge crossing between two corners (value a at p, b at q), p and q 1 apart along x or y.
  const lerp = (a: number, b: number) => (level - a) / (b - a);
  for (let y = 0; y < height - 1; y++) {
    for (let x = 0; x < width - 1; x++) {
      const v00 = at(x, y);
      const v10 = at(x + 1, y);
      const v11 = at(x + 1, y + 1);
      const v01 = at(x, y + 1);
      if (!(Number.isFinite(v00) && Number.isFinite(v10) && Number.isFinite(v11) && Number.isFinite(v01))) continue;
      const code = (v00 > level ? 1 : 0) | (v10 > level ? 2 : 0) | (v11 > level ? 4 : 0) | (v01 > level ? 8 : 0);
      if (code === 0 || code === 15) continue;
      // Crossing points on the four edges: bottom (y), right (x+1), top (y+1), left (x).
      const bottom = () => [x + lerp(v00, v10), y] as const;
      const right = () => [x + 1, y + lerp(v10, v11)] as const;
      const top = () => [x + lerp(v01, v11), y + 1] as const;
      const left = () => [x, y + lerp(v00, v01)] as const;
      const seg = (p: readonly [number, number], q: readonly [number, number]) => out.push(p[0], p[1], q[0], q[1]);
      switch (code) {
        case 1: case 14: seg(left(), bottom()); break;
        case 2: case 13: seg(bottom(), right()); break;
        case 3: case 12: seg(left(), right()); break;
        case 4: case 11: seg(right(), top()); break;
        case 6: case 9: seg(bottom(), top()); break;
        case 7: case 8: seg(left(), top()); break;
        case 5: case 10: {
          const centreAbove = (v00 + v10 + v11 + v01) / 4 > level;
          // 5: corners 00 and 11 above. With the centre above they join (the level cuts off 10 and 01).
          if ((code === 5) === centreAbove) {
            seg(left(), top());
            seg(bottom(), right());
          } else {
            seg(left(), bottom());
            seg(right(), top());
          }
          break;
        }
      }
    }
  }
  return Float32Array.from(out);
}

/**
 * Contour levels for display: `n` levels from `lo` to `hi` spaced evenly in asinh (bright cores
 * and faint arcs both get lines), like DS9's "sqrt/log" level spacing but defined at zero.
 */
export function contourLevels(lo: number, hi: number, n: number, softening: number): number[] {
  if (!(hi > lo) || n < 1) return [];
  const a = Math.asinh(lo / softening);
  const b = Math.asinh(hi / softening);
  return Array.from({ length: n }, (_, i) => softening * Math.sinh(a + ((b - a) * (i + 0.5)) / n));
}
