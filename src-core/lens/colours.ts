// Rough colours (magnitude minus r) per band for the simulated populations. Not fitted to any
// catalogue: chosen so that lenses look red and sources blue in g/r/i composites, which is what lens
// finders key on (e.g. Metcalf et al. 2019 found multi-band ground data beat single-band space data).
// Early-type deflector at z ≈ 0.3–0.6 and star-forming source at z ≈ 1–2; VIS ≈ r + i + z.
import type { Rng } from '../rng';

export const RED: Record<string, number> = { u: 2.6, g: 1.1, r: 0, i: -0.4, z: -0.7, y: -0.9, Y: -0.9, VIS: -0.35 };
export const BLUE: Record<string, number> = { u: 0.5, g: 0.3, r: 0, i: -0.15, z: -0.25, y: -0.3, Y: -0.3, VIS: -0.12 };
/** Extra colour of star-forming knots relative to their host (bluer in u, g). */
export const KNOT_EXTRA: Record<string, number> = { u: -0.4, g: -0.25, r: 0, i: 0.1, z: 0.15, y: 0.2, Y: 0.2, VIS: 0 };

/** Magnitudes per band: r-band magnitude + colour + N(0, scatter) per band (scatter 0 = none). */
export function mags(bands: string[], rMag: number, colour: Record<string, number>, rng: Rng, scatter: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const b of bands) out[b] = rMag + (colour[b] ?? 0) + (scatter > 0 ? scatter * rng.normal() : 0);
  return out;
}

/** Stellar colours along a one-parameter (g − r) locus, roughly the SDSS stellar locus. */
export function starColour(gr: number): Record<string, number> {
  return { u: gr + 0.8 + 1.2 * gr, g: gr, r: 0, i: -0.35 * gr, z: -0.5 * gr, y: -0.55 * gr, Y: -0.55 * gr, VIS: -0.25 * gr };
}

export function offset(base: Record<string, number>, extra: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(base)) out[k] = base[k] + (extra[k] ?? 0);
  return out;
}
