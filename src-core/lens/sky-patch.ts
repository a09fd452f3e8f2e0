// Where simulated cutouts "are" on the sky. A simulated set has no real position, but every source in
// a workspace needs a distinct one (catalog exports, SAMP and cross-matches key on RA/Dec), so each set
// gets its own patch and each cutout a deterministic spot in it (issue 19: sets simulated from the app
// reused the demo's names and positions).
//
// Patch k is centred at RA 150.1° + 1.25°·k, Dec 2.2° (k = 0 is the COSMOS field the demo always used,
// inside the LSST/DES/HSC footprints); each patch spans ±0.5° (a square of 1° in RA·cos δ and Dec), so
// neighbouring patches never overlap (1.25° > 1°/cos 2.2°). Inside a patch, cutout i sits at the i-th
// point of the R2 low-discrepancy sequence (Roberts 2018: αₓ = 1/g, α_y = 1/g², g the plastic number),
// which never repeats a point, spreads any prefix evenly and needs no state to remake.

export interface SkyPatch {
  /** Patch centre (deg, ICRS) and half-width (deg of arc). */
  ra: number;
  dec: number;
  radiusDeg: number;
}

const G = 1.324717957244746; // plastic number: the real root of x³ = x + 1
const A1 = 1 / G;
const A2 = 1 / (G * G);
export const PATCH_STEP_DEG = 1.25;
export const PATCH_RADIUS_DEG = 0.5;

/** The k-th patch (k ≥ 0). */
export function skyPatch(k: number): SkyPatch {
  return { ra: (150.1 + PATCH_STEP_DEG * k) % 360, dec: 2.2, radiusDeg: PATCH_RADIUS_DEG };
}

/** The smallest patch index not in `used` (so a new set never lands on an existing one). */
export function freePatchIndex(used: Iterable<number>): number {
  const taken = new Set(used);
  let k = 0;
  while (taken.has(k)) k++;
  return k;
}

/** Position of cutout `index` in a patch (deg): the R2 point, scaled to the patch, RA widened by 1/cos δ. */
export function positionInPatch(p: SkyPatch, index: number): { ra: number; dec: number } {
  const u = (0.5 + A1 * (index + 1)) % 1;
  const v = (0.5 + A2 * (index + 1)) % 1;
  const dec = p.dec + (v - 0.5) * 2 * p.radiusDeg;
  const ra = (p.ra + ((u - 0.5) * 2 * p.radiusDeg) / Math.cos((p.dec * Math.PI) / 180) + 360) % 360;
  return { ra, dec };
}
