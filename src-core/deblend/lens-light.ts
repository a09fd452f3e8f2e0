// Lens-light subtraction, two ways (issue 14 "For lens review"):
// - the RingFinder baseline (Gavazzi et al. 2014, ApJ 785, 144: the seed's slide): g − α·i, with α the
//   least-squares ratio g ≈ α i on the lens core (r ≤ coreRadius px about the cutout centre). Blue arcs
//   survive because the red deflector's g/i ratio is fitted where the deflector dominates.
// - the deblender's: the deflector modelled as ONE source at the cutout centre (positivity,
//   monotonicity and symmetry about the centre: the lens sits on the centre pixel) and removed from
//   every band; arcs and counter-images, which are not monotonic about the centre, stay in the residual.
import type { PsfArray } from '../inverse/operators/convolution';
import type { ConstraintName } from './constraints';
import { deblend } from './solver';

export interface BaselineResult { alpha: number; subtracted: Float64Array }

export function ringFinderSubtract(g: ArrayLike<number>, i: ArrayLike<number>, rows: number, cols: number, coreRadius = 3): BaselineResult {
  const cx = (cols - 1) / 2, cy = (rows - 1) / 2;
  let gi = 0, ii = 0;
  for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) {
    if ((x - cx) ** 2 + (y - cy) ** 2 > coreRadius * coreRadius) continue;
    const a = g[y * cols + x]!, b = i[y * cols + x]!;
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    gi += a * b;
    ii += b * b;
  }
  const alpha = ii > 0 ? gi / ii : 0;
  return { alpha, subtracted: Float64Array.from(g, (v, k) => v - alpha * i[k]!) };
}

export interface DeflectorResult {
  /** Per band: data − deflector model (the "lens subtracted" frame). */
  subtracted: Float64Array[];
  deflector: Float64Array[];
  flux: number[];
  iterations: number;
}

export function deflectorSubtract(
  images: ArrayLike<number>[], rows: number, cols: number,
  o: { variance?: ArrayLike<number>[]; psfs?: PsfArray[]; maxIter?: number; constraints?: Set<ConstraintName> } = {},
): DeflectorResult {
  const r = deblend({
    images, rows, cols, variance: o.variance, psfs: o.psfs,
    positions: [{ x: (cols - 1) / 2, y: (rows - 1) / 2 }],
    constraints: o.constraints ?? new Set<ConstraintName>(['positive', 'monotonic', 'symmetric']),
    maxIter: o.maxIter ?? 100,
  });
  const src = r.sources[0]!;
  return {
    subtracted: images.map((im, b) => Float64Array.from(im, (v, k) => v - src.model[b]![k]!)),
    deflector: src.model, flux: src.flux, iterations: r.iterations,
  };
}
