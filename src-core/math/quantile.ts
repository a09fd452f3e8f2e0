// The one quantile of sorted values in LensDesk: numpy's default 'linear' method (Hyndman & Fan
// type 7, R's default): virtual index h = (n − 1)·q, interpolated with numpy's `_lerp`, which
// uses b − (b − a)(1 − t) for t ≥ 0.5, so results agree with numpy to the last bit.
// Used for display intervals (percentiles), posterior summaries and calibration.
import { InputError } from '../errors';

/** Quantile q ∈ [0, 1] of ascending-sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new InputError('EMPTY_SAMPLE', 'quantile of an empty set');
  const h = (n - 1) * q;
  const lo = Math.min(Math.max(Math.floor(h), 0), n - 1);
  const hi = Math.min(lo + 1, n - 1);
  const t = h - lo;
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}
