// Making a point-source fit affordable on large HST stamps (issue 18): the 'sie+ps' model re-solves the lens
// equation and renders four PSFs at every evaluation, and its cost grows with the stamp area and the PSF's FFT
// size. Both are cut to what the quasar images need: a central stamp reaching `margin` arcsec beyond the
// outermost detected image, and a pixelised PSF truncated to the radius enclosing `fraction` of its flux
// (renormalised; the point amplitudes are free, so the lost wing flux only leaves residuals, which the fit's
// variance rescaling absorbs). Both cuts are reported by the CLI.
import type { PsfSpec } from '../lens/psf';
import type { LensFitInput } from './lens-fit';

/** The central odd side × side part of every band (side ≤ input.size, odd). */
export function cropInput(input: LensFitInput, side: number): LensFitInput {
  const n = input.size;
  if (side >= n) return input;
  const o = (n - side) / 2;
  const crop = (a: Float64Array) => {
    const out = new Float64Array(input.bands.length * side * side);
    for (let b = 0; b < input.bands.length; b++)
      for (let j = 0; j < side; j++)
        for (let i = 0; i < side; i++) out[b * side * side + j * side + i] = a[b * n * n + (j + o) * n + i + o]!;
    return out;
  };
  return { ...input, size: side, image: crop(input.image), variance: crop(input.variance) };
}

/** Odd stamp side reaching `margin` arcsec beyond radius `rMax` (arcsec) from the centre. */
export function stampSideFor(rMax: number, margin: number, pixelScale: number): number {
  return 2 * Math.ceil((rMax + margin) / pixelScale) + 1;
}

/** A pixelised PSF cut to the smallest centred odd square holding `fraction` of its (positive) flux. */
export function truncatePixelPsf(spec: PsfSpec, fraction: number): PsfSpec {
  if (spec.type !== 'pixel') return spec;
  const w = spec.width, h = (w - 1) / 2;
  let total = 0;
  for (let k = 0; k < w * w; k++) total += Math.max(Number(spec.kernel[k]), 0);
  for (let r = 1; r < h; r++) {
    let s = 0;
    for (let j = h - r; j <= h + r; j++) for (let i = h - r; i <= h + r; i++) s += Math.max(Number(spec.kernel[j * w + i]), 0);
    if (s >= fraction * total) {
      const ww = 2 * r + 1;
      const kernel = new Float64Array(ww * ww);
      for (let j = 0; j < ww; j++) for (let i = 0; i < ww; i++) kernel[j * ww + i] = Number(spec.kernel[(j + h - r) * w + i + h - r]);
      return { type: 'pixel', kernel, width: ww, ...(spec.origin ? { origin: spec.origin } : {}) };
    }
  }
  return spec;
}
