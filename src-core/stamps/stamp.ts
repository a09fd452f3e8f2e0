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

/** Robust noise estimate 1.4826 × MAD over (a subsample of) the finite pixels. */
export function robustSigma(a: ArrayLike<number>, maxSamples = 2000): number {
  const step = Math.max(1, Math.floor(a.length / maxSamples));
  const v: number[] = [];
  for (let i = 0; i < a.length; i += step) if (Number.isFinite(a[i]!)) v.push(a[i]!);
  if (!v.length) return 1;
  v.sort((x, y) => x - y);
  const med = v[v.length >> 1]!;
  const dev = v.map((x) => Math.abs(x - med)).sort((x, y) => x - y);
  return 1.4826 * dev[dev.length >> 1]! || 1;
}
