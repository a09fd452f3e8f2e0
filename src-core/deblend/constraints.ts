// Projections of a morphology S (rows × cols, row-major) used after each gradient step
// (Melchior et al. 2018 §2.3; reference deblending-and-generative.md §A3).
// - positivity: max(·, 0), the Euclidean projection.
// - monotonicity: scarlet's cheap nearest-neighbour form — visit pixels by increasing distance from
//   the peak and clip each to its reference neighbour one step closer to the peak,
//   S_i ← min(S_i, S_ref(i)). Not the exact (isotonic-regression) projection, but idempotent.
// - symmetry: 180° about the source centre rounded to half a pixel, S ← (S + R₁₈₀S)/2 (the projection onto symmetric images);
//   pixels whose mirror falls outside the frame are set to 0 (the symmetric part there is unknown,
//   and scarlet likewise drops unpaired pixels).
import { InputError } from '../errors';

export type ConstraintName = 'positive' | 'monotonic' | 'symmetric';
export const CONSTRAINT_NAMES: readonly ConstraintName[] = ['positive', 'monotonic', 'symmetric'];

export interface MonotonicPlan {
  /** Pixel indices by increasing distance from the peak (the peak itself excluded). */
  order: Int32Array;
  /** ref[j] = neighbour index one step closer to the peak for order[j]. */
  ref: Int32Array;
}

/** Precomputes the visiting order and reference neighbours for a peak at integer pixel (px, py). */
export function monotonicPlan(rows: number, cols: number, px: number, py: number): MonotonicPlan {
  const idx: number[] = [];
  for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) if (x !== px || y !== py) idx.push(y * cols + x);
  const d2 = (i: number) => ((i % cols) - px) ** 2 + (Math.floor(i / cols) - py) ** 2;
  idx.sort((a, b) => d2(a) - d2(b) || a - b);
  const order = Int32Array.from(idx);
  const ref = new Int32Array(order.length);
  for (let j = 0; j < order.length; j++) {
    const x = order[j]! % cols, y = Math.floor(order[j]! / cols);
    const dx = px - x, dy = py - y;
    // One step towards the peak along the dominant direction(s): the diagonal neighbour when the
    // direction is within 22.5° of a diagonal, else the axial one (the nearest-neighbour rule).
    const ax = Math.abs(dx), ay = Math.abs(dy);
    const sx = ax * 2.414 >= ay ? Math.sign(dx) : 0; // tan(67.5°) = 2.414
    const sy = ay * 2.414 >= ax ? Math.sign(dy) : 0;
    ref[j] = (y + sy) * cols + (x + sx);
  }
  return { order, ref };
}

export function projectPositive(s: Float64Array): void {
  for (let i = 0; i < s.length; i++) if (!(s[i]! > 0)) s[i] = 0;
}

export function projectMonotonic(s: Float64Array, plan: MonotonicPlan): void {
  const { order, ref } = plan;
  for (let j = 0; j < order.length; j++) {
    const i = order[j]!, r = s[ref[j]!]!;
    if (s[i]! > r) s[i] = r;
  }
}

/**
 * Symmetry about (c2x/2, c2y/2): the centre is given doubled (integers), so half-pixel centres map
 * pixels exactly onto pixels (a sub-pixel source is then off by ≤ ¼ px instead of ½).
 */
export function projectSymmetric(s: Float64Array, rows: number, cols: number, c2x: number, c2y: number): void {
  for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) {
    const mx = c2x - x, my = c2y - y, i = y * cols + x;
    if (mx < 0 || mx >= cols || my < 0 || my >= rows) { s[i] = 0; continue; }
    const m = my * cols + mx;
    if (m <= i) continue; // each pair once
    const v = 0.5 * (s[i]! + s[m]!);
    s[i] = v;
    s[m] = v;
  }
}

/** Parses `monotonic,symmetric` (positivity is always on). */
export function parseConstraints(text: string): Set<ConstraintName> {
  const set = new Set<ConstraintName>(['positive']);
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    if (part === 'none') continue;
    if (!(CONSTRAINT_NAMES as readonly string[]).includes(part)) {
      throw new InputError('DEBLEND_CONSTRAINT', `unknown constraint '${part}' (known: ${CONSTRAINT_NAMES.join(', ')}, none)`, { constraint: part });
    }
    set.add(part as ConstraintName);
  }
  return set;
}
