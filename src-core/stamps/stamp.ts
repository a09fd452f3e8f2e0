// A cutout ("stamp") as LensDesk handles it: bands × height × width float32 planes on one pixel
// grid, optional inverse-variance-free variance planes, and where it is on the sky.
export interface Stamp {
  width: number;
  height: number;
  /** Band names in plane order, e.g. ['g', 'r', 'i', 'z']. */
  bands: string[];
  /** One Float32Array of width × height per band, row 0 = FITS y = 1. */
  planes: Float32Array[];
  /** Per-band variance maps, same layout, when known. */
  variance?: Float32Array[];
  /** Centre, degrees ICRS, when known. */
  ra?: number | null;
  dec?: number | null;
  /** arcsec / pixel, when known. */
  pixelScale?: number | null;
}

/** The k-th smallest value (0-based) of v, by in-place quickselect (Hoare 1961): O(n), no full sort. */
function select(v: Float64Array, k: number): number {
  let lo = 0;
  let hi = v.length - 1;
  while (hi > lo) {
    const pivot = v[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (v[i]! < pivot) i++;
      while (v[j]! > pivot) j--;
      if (i <= j) {
        const t = v[i]!;
        v[i++] = v[j]!;
        v[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return v[k]!;
}

/** Robust noise estimate 1.4826 × MAD over (a subsample of) the finite pixels. */
export function robustSigma(a: ArrayLike<number>, maxSamples = 2000): number {
  const step = Math.max(1, Math.floor(a.length / maxSamples));
  // Two linear-time selections instead of two sorts: the grid decodes a row of stamps (4 bands
  // each) inside one animation frame, and sorting dominated that (bench/review.ts).
  const buf = new Float64Array(Math.ceil(a.length / step));
  let n = 0;
  for (let i = 0; i < a.length; i += step) if (Number.isFinite(a[i]!)) buf[n++] = a[i]!;
  if (!n) return 1;
  const v = buf.subarray(0, n);
  const med = select(v, n >> 1);
  for (let i = 0; i < n; i++) v[i] = Math.abs(v[i]! - med);
  return 1.4826 * select(v, n >> 1) || 1;
}
