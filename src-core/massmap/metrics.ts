// Map-versus-truth metrics of mass-mapping.md §6: computed on observed pixels away from the border
// (a margin of ~2 smoothing lengths or ~10 pixels), means removed from both maps because the mean of κ
// is not measured (§1, mass-sheet degeneracy).

/** Pixels used for metrics: mask (1 = observed; all when absent), not within `margin` of the edge, both maps finite. */
export function metricPixels(rows: number, cols: number, o: { mask?: ArrayLike<number>; margin?: number; truth?: ArrayLike<number> } = {}): Uint8Array {
  const m = o.margin ?? 0, sel = new Uint8Array(rows * cols);
  for (let r = m; r < rows - m; r++) {
    for (let c = m; c < cols - m; c++) {
      const i = r * cols + c;
      if ((!o.mask || o.mask[i]) && (!o.truth || Number.isFinite(o.truth[i]!))) sel[i] = 1;
    }
  }
  return sel;
}

/** RMSE of (map − mean) against (truth − mean) and the Pearson correlation, over `sel`. */
export function compareMaps(map: ArrayLike<number>, truth: ArrayLike<number>, sel: ArrayLike<number>): { rmse: number; pearson: number; pixels: number } {
  let n = 0, ma = 0, mb = 0;
  for (let i = 0; i < sel.length; i++) {
    if (!sel[i]) continue;
    n++;
    ma += map[i]!;
    mb += truth[i]!;
  }
  ma /= n;
  mb /= n;
  let se = 0, sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < sel.length; i++) {
    if (!sel[i]) continue;
    const a = map[i]! - ma, b = truth[i]! - mb;
    se += (a - b) ** 2;
    sab += a * b;
    saa += a * a;
    sbb += b * b;
  }
  return { rmse: Math.sqrt(se / n), pearson: sab / Math.sqrt(saa * sbb), pixels: n };
}
