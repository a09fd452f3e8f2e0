// Lens-light subtraction, two ways (issue 14 "For lens review"):
// - the RingFinder baseline (Gavazzi et al. 2014, ApJ 785, 144: the seed's slide): g − α·i, with α the
//   least-squares ratio g ≈ α i on the lens core (r ≤ coreRadius px about the cutout centre). Blue arcs
//   survive because the red deflector's g/i ratio is fitted where the deflector dominates.
// - the deblender's: the deflector modelled as a source at the cutout centre (positivity,
//   monotonicity and symmetry about the centre: the lens sits on the centre pixel), deblended together
//   with the off-centre light (arc knots, counter-images, companions) as sources of their own, as scarlet
//   models a lens field; only the deflector is removed. Alone, the deflector had to absorb that light
//   into its one SED and profile: on 24 simulated LSST lenses the residual lens light in g fell from
//   0.45–0.51 to 0.17–0.18 of the lens flux, and the arc flux kept rose from 0.55–0.74 to 0.94–0.98
//   (docs/deblend.md). The off-centre sources are the peaks of the detection image after removing its
//   centrally symmetric, monotonic part (pixel-pair minimum, then the monotonic projection): an almost
//   free stand-in for a first deblending pass that found the same peaks.
import type { PsfArray } from '../inverse/operators/convolution';
import { candidatePositions, lensSubtracted, summariseCandidate } from './candidate';
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
  /** The other sources modelled beside the deflector (0-based pixels). */
  neighbours: Array<{ x: number; y: number }>;
}

export function deflectorSubtract(
  images: ArrayLike<number>[], rows: number, cols: number,
  o: { variance?: ArrayLike<number>[]; psfs?: PsfArray[]; maxIter?: number; eRel?: number; constraints?: Set<ConstraintName>; neighbours?: boolean } = {},
): DeflectorResult {
  // The same positions and deflector choice as the app's Deblend job (candidate.ts), so what
  // lens-eval.ts measures is what reviewers see; `neighbours: false` is the deflector alone.
  const positions = o.neighbours === false ? [{ x: (cols - 1) / 2, y: (rows - 1) / 2 }] : candidatePositions(images, rows, cols, { variance: o.variance });
  const r = deblend({
    images, rows, cols, variance: o.variance, psfs: o.psfs, positions,
    constraints: o.constraints ?? new Set<ConstraintName>(['positive', 'monotonic', 'symmetric']),
    // 50 iterations: as good as 100 on the simulated lenses (residual lens light 0.18 vs 0.19 on 12,
    // seed 1) at half the cost, for the batch goal of ≥ 10 stamps/s.
    maxIter: o.maxIter ?? 50, eRel: o.eRel ?? 1e-3,
  });
  const k = summariseCandidate(r, images.map((_, b) => `b${b}`)).deflector;
  const src = k === null ? null : r.sources[k - 1]!;
  return {
    subtracted: lensSubtracted(images, r, k),
    deflector: images.map((im, b) => (src ? Float64Array.from(src.model[b]!) : new Float64Array(im.length))),
    flux: src ? src.flux : images.map(() => 0), iterations: r.iterations,
    neighbours: positions.filter((_, j) => j !== (k === null ? -1 : k - 1)).map((p) => ({ x: p.x, y: p.y })),
  };
}
