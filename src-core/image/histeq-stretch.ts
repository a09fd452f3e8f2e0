// Histogram-equalisation stretch (astropy HistEqStretch): y = the empirical CDF of a reference
// image, so each output level holds about the same number of pixels. The reference values are
// sorted, NaN/Inf dropped, rescaled to [0, 1] by their own min–max, and paired with equally spaced
// levels linspace(0, 1, n); the stretch interpolates linearly between them (numpy.interp), and the
// inverse swaps the two tables. With repeated reference values the forward map has jumps, so the
// round trip x → y → x is exact only where the reference values are distinct (y → x → y always is).
import { InputError } from '../errors';
import { BaseStretch, type Stretch } from './stretch';

/** numpy.interp for increasing xp: clamps outside [xp[0], xp[n−1]]; uses the last j with xp[j] ≤ x. */
export function interp(x: number, xp: ArrayLike<number>, fp: ArrayLike<number>): number {
  const n = xp.length;
  if (x !== x) return NaN;
  if (x <= xp[0]!) return x < xp[0]! ? fp[0]! : fp[upperBound(xp, x) - 1]!;
  if (x >= xp[n - 1]!) return fp[n - 1]!;
  const j = upperBound(xp, x) - 1;
  const x0 = xp[j]!;
  const x1 = xp[j + 1]!;
  return fp[j]! + ((fp[j + 1]! - fp[j]!) * (x - x0)) / (x1 - x0);
}

/** First index with xp[i] > x. */
function upperBound(xp: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = xp.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xp[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class HistEqStretch extends BaseStretch {
  readonly name = 'histeq';
  /** Sorted reference values rescaled to [0, 1]. */
  readonly data: Float64Array;
  /** Output level for each reference value (default linspace(0, 1, n)). */
  readonly levels: Float64Array;

  constructor(reference: ArrayLike<number>, levels?: Float64Array, alreadyNormalised = false) {
    super();
    if (alreadyNormalised) {
      this.data = Float64Array.from(reference);
    } else {
      const v: number[] = [];
      for (let i = 0; i < reference.length; i++) if (Number.isFinite(reference[i]!)) v.push(reference[i]!);
      if (v.length < 2) throw new InputError('STRETCH_HISTEQ', 'histogram equalisation needs at least two finite reference values');
      const d = Float64Array.from(v).sort();
      const lo = d[0]!;
      const span = d[d.length - 1]! - lo;
      for (let i = 0; i < d.length; i++) d[i] = span > 0 ? (d[i]! - lo) / span : 0;
      this.data = d;
    }
    const n = this.data.length;
    this.levels = levels ?? Float64Array.from({ length: n }, (_, i) => (n === 1 ? 0 : i / (n - 1)));
  }
  forward(x: number): number {
    return interp(x, this.data, this.levels);
  }
  get inverse(): Stretch {
    return new InvertedHistEqStretch(this);
  }
}

class InvertedHistEqStretch extends BaseStretch {
  readonly name = 'invhisteq';
  constructor(private readonly of: HistEqStretch) {
    super();
  }
  forward(y: number): number {
    return interp(y, this.of.levels, this.of.data);
  }
  get inverse(): Stretch {
    return this.of;
  }
}
