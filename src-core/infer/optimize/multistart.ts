// Multi-start optimisation, the peer's recipe for lens MAPs (shared/peers/README.md, "MAP start"):
// draw many points from a start box, rank them by cost, refine only the best few with a local
// optimiser, keep the best result. Pure and seeded (Rng).
import type { Rng } from '../../rng';
import { levenbergMarquardt, type LeastSquaresOptions, type LeastSquaresResult } from './levenberg-marquardt';

export interface MultiStartResult<R> {
  best: R;
  /** All local results, best first. */
  runs: R[];
  /** Evaluations of the screening draws. */
  screeningEvals: number;
}

/**
 * Generic driver: `draw` makes a candidate start, `cost` screens it, `local` refines it and returns a
 * result with a `cost` field (lower is better).
 */
export function multiStart<R extends { cost: number }>(o: {
  rng: Rng;
  nDraws: number;
  nStarts: number;
  draw: (rng: Rng) => Float64Array;
  cost: (x: Float64Array) => number;
  local: (x0: Float64Array) => R;
  /** Checked after each local run: when true, no further starts are refined (a time budget). */
  stopWhen?: () => boolean;
}): MultiStartResult<R> {
  const draws = Array.from({ length: o.nDraws }, () => o.draw(o.rng));
  const scored = draws.map((x) => ({ x, c: o.cost(x) })).filter((d) => Number.isFinite(d.c));
  scored.sort((a, b) => a.c - b.c);
  const runs: R[] = [];
  for (const d of scored.slice(0, o.nStarts)) {
    runs.push(o.local(d.x));
    if (o.stopWhen?.()) break;
  }
  runs.sort((a, b) => a.cost - b.cost);
  if (runs.length === 0) throw new RangeError('multiStart: no start had a finite cost');
  return { best: runs[0]!, runs, screeningEvals: o.nDraws };
}

/**
 * Multi-start Levenberg–Marquardt in a box [lower, upper] (typically the unit box of the prior):
 * starts are drawn uniformly from [startLower, startUpper] (default the box itself).
 */
export function multiStartLeastSquares(
  o: Omit<LeastSquaresOptions, 'x0'> & {
    rng: Rng;
    nDraws: number;
    nStarts: number;
    startLower?: Float64Array;
    startUpper?: Float64Array;
  },
): MultiStartResult<LeastSquaresResult> {
  const lo = o.startLower ?? o.lower;
  const hi = o.startUpper ?? o.upper;
  if (!lo || !hi) throw new RangeError('multiStartLeastSquares needs a start box');
  const r = new Float64Array(o.nResiduals);
  return multiStart({
    rng: o.rng,
    nDraws: o.nDraws,
    nStarts: o.nStarts,
    draw: (rng) => Float64Array.from(lo, (l, i) => l + (hi[i]! - l) * rng.uniform()),
    cost: (x) => {
      o.residuals(x, r);
      let c = 0;
      for (const v of r) c += v * v;
      return 0.5 * c;
    },
    local: (x0) => levenbergMarquardt({ ...o, x0 }),
  });
}
