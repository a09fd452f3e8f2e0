// Pixel-scale guard of the blend flag (issue 14): the morphology model learned galaxy shapes at one pixel
// scale (LSST's 0.2″ for the bundled model), and a shape is only comparable at that scale. A single HST
// galaxy reobserved at 0.1″ spans twice the pixels and its resolved structure looked like two objects
// (P(blend) = 0.9998 from the LSST model). So the cutout's scale (its WCS, CDELT or PIXSCALE,
// src-core/wcs/pixel-scale.ts) is compared with the model card's, and a difference over 10 % is refused
// (or, when the caller allows it, reported as a warning).
import { InputError } from '../errors';

/** Largest relative difference |cutout/model − 1| the blend score accepts. */
export const PIXEL_SCALE_TOLERANCE = 0.1;

export interface ScaleCheck {
  /** 'match' | 'mismatch' | 'unknown' (the cutout or the model states no scale: nothing to compare). */
  status: 'match' | 'mismatch' | 'unknown';
  cutoutScale: number | null;
  modelScale: number | null;
  /** A sentence for the user, when the status is not 'match'. */
  message?: string;
}

const ok = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

export function checkPixelScale(cutoutScale: number | null | undefined, modelScale: number | null | undefined, where = 'cutout'): ScaleCheck {
  const c = ok(cutoutScale) ? cutoutScale : null, m = ok(modelScale) ? modelScale : null;
  if (c === null || m === null) {
    return {
      status: 'unknown', cutoutScale: c, modelScale: m,
      message: c === null ? `${where} states no pixel scale (no CD/CDELT/PIXSCALE card); assumed to match the model's${m ? ` ${m}″` : ''}` : 'the blend model states no pixel scale; not checked',
    };
  }
  if (Math.abs(c / m - 1) <= PIXEL_SCALE_TOLERANCE) return { status: 'match', cutoutScale: c, modelScale: m };
  return {
    status: 'mismatch', cutoutScale: c, modelScale: m,
    message: `${where} has ${c.toPrecision(3)}″ pixels but the blend model was trained at ${m.toPrecision(3)}″ (differs by ${(100 * Math.abs(c / m - 1)).toFixed(0)} % > ${100 * PIXEL_SCALE_TOLERANCE} %): a galaxy's shape is not comparable across pixel scales, so the model does not apply; resample the cutout or use a model trained at its scale (lensdesk blend-model train --simulate PRESET)`,
  };
}

/** Throws an InputError naming both scales on a mismatch; returns the check otherwise. */
export function requirePixelScale(cutoutScale: number | null | undefined, modelScale: number | null | undefined, where = 'cutout'): ScaleCheck {
  const r = checkPixelScale(cutoutScale, modelScale, where);
  if (r.status === 'mismatch') throw new InputError('PIXEL_SCALE_MISMATCH', r.message!, { file: where, cutoutScale: r.cutoutScale, modelScale: r.modelScale });
  return r;
}
