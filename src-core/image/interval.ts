// Display intervals: map data values to [0, 1] before a stretch, following astropy.visualization
// (interval.py): an interval only chooses (vmin, vmax) from the finite values; `normalize` then
// computes (v - vmin) / (vmax - vmin), clipped to [0, 1]. Non-finite values (NaN, ±Inf: BLANK
// pixels, off-chip areas) are ignored when choosing limits and stay NaN after normalisation.
import { InputError } from '../errors';
import { zscaleLimits, type ZScaleOptions } from './zscale';
import { quantileSorted } from '../math/quantile';

/** Pixel values in any numeric typed array (or a plain array); C/FITS order (x fastest). */
export type PixelValues = ArrayLike<number>;
export type Limits = readonly [vmin: number, vmax: number];

export interface Interval {
  /** Short name for UIs and provenance ('zscale', 'percentile 99.5', 'minmax'). */
  readonly name: string;
  /** (vmin, vmax) chosen from the finite values. Throws InputError when there are none. */
  limits(values: PixelValues): Limits;
}

/** Finite values copied out (astropy `_process_values`); keeps float32 when the input is float32. */
export function finiteValues(values: PixelValues): Float64Array | Float32Array {
  const out = values instanceof Float32Array ? new Float32Array(values.length) : new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) out[n++] = v;
  }
  return out.subarray(0, n);
}

function requireSome(n: number, what: string): void {
  if (n === 0) throw new InputError('IMAGE_NO_FINITE', `${what}: the image has no finite pixel values`);
}

/** Full range of the finite values (astropy MinMaxInterval). */
export class MinMaxInterval implements Interval {
  readonly name = 'minmax';
  limits(values: PixelValues): Limits {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v === v && v !== Infinity && v !== -Infinity) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    requireSome(lo === Infinity ? 0 : 1, this.name);
    return [lo, hi];
  }
}

/** Fixed limits; a missing end falls back to the data's min or max (astropy ManualInterval). */
export class ManualInterval implements Interval {
  readonly name: string;
  constructor(
    readonly vmin?: number,
    readonly vmax?: number,
  ) {
    this.name = `manual ${vmin ?? 'min'}..${vmax ?? 'max'}`;
  }
  limits(values: PixelValues): Limits {
    if (this.vmin !== undefined && this.vmax !== undefined) return [this.vmin, this.vmax];
    const [lo, hi] = new MinMaxInterval().limits(values);
    return [this.vmin ?? lo, this.vmax ?? hi];
  }
}

/** numpy.percentile (default 'linear' method) of sorted values, p in percent (src-core/math/quantile.ts). */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new InputError('IMAGE_NO_FINITE', 'percentile of an empty set');
  return quantileSorted(sorted, p / 100);
}

/**
 * Limits at two percentiles of the finite values (astropy AsymmetricPercentileInterval, without
 * its random sub-sampling: all finite pixels are used so the result is reproducible).
 */
export class AsymmetricPercentileInterval implements Interval {
  readonly name: string;
  constructor(
    readonly lowerPercentile: number,
    readonly upperPercentile: number,
  ) {
    if (!(lowerPercentile >= 0 && upperPercentile <= 100 && lowerPercentile <= upperPercentile))
      throw new InputError('INTERVAL_PERCENTILE', `percentiles must satisfy 0 ≤ lower ≤ upper ≤ 100 (got ${lowerPercentile}, ${upperPercentile})`);
    this.name = `percentile ${lowerPercentile}..${upperPercentile}`;
  }
  limits(values: PixelValues): Limits {
    const v = finiteValues(values);
    requireSome(v.length, this.name);
    v.sort();
    return [percentileOfSorted(v, this.lowerPercentile), percentileOfSorted(v, this.upperPercentile)];
  }
}

/** Keeps the central `percentile` % of pixels, cutting (100 − p)/2 % at each end (astropy PercentileInterval). */
export class PercentileInterval extends AsymmetricPercentileInterval {
  constructor(readonly percentile: number) {
    super((100 - percentile) * 0.5, 100 - (100 - percentile) * 0.5);
  }
}

/** IRAF zscale (astropy ZScaleInterval); see zscale.ts. */
export class ZScaleInterval implements Interval {
  readonly name = 'zscale';
  constructor(readonly options: ZScaleOptions = {}) {}
  limits(values: PixelValues): Limits {
    return zscaleLimits(values, this.options);
  }
}

/**
 * (v − vmin)/(vmax − vmin), clipped to [0, 1] unless clip is false (astropy BaseInterval.__call__).
 * A zero-width interval leaves v − vmin undivided, as astropy does. NaN stays NaN.
 */
export function normalize(values: PixelValues, limits: Limits, clip = true, out?: Float32Array | Float64Array): Float32Array | Float64Array {
  const [vmin, vmax] = limits;
  const res = out ?? (values instanceof Float64Array ? new Float64Array(values.length) : new Float32Array(values.length));
  const span = vmax - vmin;
  const scale = span !== 0 ? 1 / span : 1;
  for (let i = 0; i < values.length; i++) {
    let y = (values[i]! - vmin) * scale;
    if (clip) y = y < 0 ? 0 : y > 1 ? 1 : y; // NaN fails both comparisons and stays NaN
    res[i] = y;
  }
  return res;
}

/** Parses a CLI/UI interval name: 'minmax', 'zscale', 'percentile:99.5', 'manual:LO:HI'. */
export function parseInterval(spec: string): Interval {
  const [kind, a, b] = spec.split(':');
  switch (kind) {
    case 'minmax':
      return new MinMaxInterval();
    case 'zscale':
      return new ZScaleInterval();
    case 'percentile': {
      const p = a === undefined ? 99.5 : Number(a);
      if (!(p > 0 && p <= 100)) throw new InputError('INTERVAL_PERCENTILE', `percentile must be in (0, 100], got '${a}'`, { field: 'interval' });
      return new PercentileInterval(p);
    }
    case 'manual': {
      const lo = Number(a);
      const hi = Number(b);
      if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo))
        throw new InputError('INTERVAL_MANUAL', `manual interval needs manual:LO:HI with HI > LO, got '${spec}'`, { field: 'interval' });
      return new ManualInterval(lo, hi);
    }
    default:
      throw new InputError('INTERVAL_UNKNOWN', `unknown interval '${spec}' (minmax, zscale, percentile[:P], manual:LO:HI)`, { field: 'interval' });
  }
}
