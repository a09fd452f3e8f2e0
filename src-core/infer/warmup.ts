// Stan's windowed warm-up (Stan Reference Manual, "HMC algorithm parameters → Automatic
// parameter tuning"; stan/mcmc/windowed_adaptation.hpp): an initial fast window (75) where only
// the step size adapts, slow windows starting at 25 and doubling where the diagonal metric is
// estimated, and a final fast window (50). The last slow window is stretched to reach the final window.

export interface WarmupOptions {
  initBuffer: number;
  termBuffer: number;
  baseWindow: number;
}

export const WARMUP_DEFAULTS: WarmupOptions = { initBuffer: 75, termBuffer: 50, baseWindow: 25 };

/** Slow windows as [start, end) iteration ranges, for nWarmup iterations (Stan's exact rule). */
export function slowWindows(nWarmup: number, o: WarmupOptions = WARMUP_DEFAULTS): Array<[number, number]> {
  if (nWarmup < 20) return []; // Stan: too short for metric adaptation; step size only
  let { initBuffer, termBuffer, baseWindow } = o;
  if (initBuffer + baseWindow + termBuffer > nWarmup) {
    // Stan's fallback: 15 % / 75 % / 10 %.
    initBuffer = Math.floor(0.15 * nWarmup);
    termBuffer = Math.floor(0.1 * nWarmup);
    baseWindow = nWarmup - (initBuffer + termBuffer);
  }
  const windows: Array<[number, number]> = [];
  const lastEnd = nWarmup - termBuffer; // exclusive
  let start = initBuffer;
  let size = baseWindow;
  while (start < lastEnd) {
    let end = start + size;
    // If the window after this one would not fit, stretch this one to the terminal buffer
    // (Stan applies this from the second window on; the first one is always baseWindow long).
    if (windows.length > 0 && end + 2 * size > lastEnd) end = lastEnd;
    windows.push([start, end]);
    start = end;
    size *= 2;
  }
  return windows;
}

/** Welford's running mean and variance per coordinate (numerically stable one-pass). */
export class WelfordVariance {
  private n = 0;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;
  constructor(dim: number) {
    this.mean = new Float64Array(dim);
    this.m2 = new Float64Array(dim);
  }
  add(x: Float64Array): void {
    this.n++;
    for (let i = 0; i < x.length; i++) {
      const d = x[i]! - this.mean[i]!;
      this.mean[i] = this.mean[i]! + d / this.n;
      this.m2[i] = this.m2[i]! + d * (x[i]! - this.mean[i]!);
    }
  }
  get count(): number {
    return this.n;
  }
  /** Sample variance (n − 1 denominator). */
  variance(): Float64Array {
    return this.m2.map((v) => v / (this.n - 1));
  }
  reset(): void {
    this.n = 0;
    this.mean.fill(0);
    this.m2.fill(0);
  }
}

/** Stan's shrinkage of the window variance towards 1e-3: (n/(n+5))·var + 1e-3·(5/(n+5)). */
export function regularisedVariance(variance: Float64Array, n: number): Float64Array {
  return variance.map((v) => (n / (n + 5)) * v + 1e-3 * (5 / (n + 5)));
}
