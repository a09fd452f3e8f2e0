// Which lens-finder model scores a survey: the one whose card matches the survey's bands and pixel
// scale. A CNN sees a lens through its colours (the bands, in the trained order) and its angular
// size in pixels (θE / pixel scale), so a model is usable only on cutouts that carry every band
// it was trained on and a pixel scale near its training one (Lanusse et al. 2018 §3 train and test
// at one survey's pixel scale; Metcalf et al. 2019 score ground and space sets with separate
// networks). Pure: the caller lists the cards and describes the survey; this explains the choice.
import { InputError } from '../errors';
import { isPlaceholderBand, normaliseBandName } from '../stamps/band-names';

export interface ModelOption {
  name: string;
  /** Folder of the model (model.json + card.json), as the caller wants it reported. */
  path: string;
  bands: string[];
  /** Arcsec per pixel of the training cutouts; null when the card does not say. */
  pixelScale: number | null;
  /** Side of the square input; larger stamps are centre-cropped (same parity only). */
  inputSize: number;
  /** Survey preset the training set was simulated with, when known (for the explanation). */
  preset?: string | null;
}

export interface SurveyShape {
  bands: string[];
  pixelScale: number | null;
  width: number;
  height: number;
}

export interface ModelFit {
  ok: boolean;
  /** Why it cannot score the survey (ok = false), or what to know about it (ok = true). */
  why: string;
  /** |ln(survey scale / model scale)|: 0 is a perfect match; Infinity when either is unknown. */
  scaleOffset: number;
}

export interface ModelChoice {
  model: ModelOption;
  /** One sentence: what was chosen and why, and why the others were not. */
  reason: string;
  rejected: { name: string; why: string }[];
}

/** Pixel scales further apart than this factor are refused: θE in pixels would be off by > 50 %. */
export const MAX_SCALE_FACTOR = 1.5;
/** Within this factor a scale difference is only noted, not held against the model (10 %). */
export const NOTE_SCALE_FACTOR = 1.1;

const fmt = (x: number) => `${+x.toFixed(3)}″/px`;

/** Can this model score cutouts of this survey, and with what caveats? */
export function modelFits(survey: SurveyShape, m: ModelOption): ModelFit {
  const have = new Set(survey.bands.map(normaliseBandName));
  const need = m.bands.map(normaliseBandName);
  const missing = need.filter((b) => !have.has(b));
  if (missing.length) {
    const hint = survey.bands.length && survey.bands.every(isPlaceholderBand)
      ? ` (the cutouts' bands are unnamed: name them with --bands ${need.join(',')} in plane order if that is what they are)`
      : '';
    return { ok: false, why: `needs bands ${need.join(',')}, the cutouts have ${survey.bands.join(',') || 'none'}: missing ${missing.join(',')}${hint}`, scaleOffset: Infinity };
  }
  const s = m.inputSize;
  if (survey.width < s || survey.height < s || (survey.width - s) % 2 || (survey.height - s) % 2) {
    return { ok: false, why: `needs ${s}×${s} cutouts (or larger by an even number of pixels, centre-cropped), the cutouts are ${survey.width}×${survey.height}`, scaleOffset: Infinity };
  }
  const notes: string[] = [];
  const extra = survey.bands.length - need.length;
  notes.push(`bands ${need.join(',')}${extra > 0 ? ` (${extra} more band(s) of the cutouts left unused)` : ''}`);
  let scaleOffset = Infinity;
  if (m.pixelScale && survey.pixelScale) {
    const r = survey.pixelScale / m.pixelScale;
    scaleOffset = Math.abs(Math.log(r));
    if (scaleOffset > Math.log(MAX_SCALE_FACTOR)) {
      return {
        ok: false,
        why: `trained at ${fmt(m.pixelScale)}, the cutouts are ${fmt(survey.pixelScale)} (×${r.toFixed(2)}; more than ×${MAX_SCALE_FACTOR} apart, lenses would look ${r > 1 ? 'smaller' : 'larger'} than any it learned)`,
        scaleOffset,
      };
    }
    notes.push(scaleOffset <= Math.log(NOTE_SCALE_FACTOR) ? `trained at ${fmt(m.pixelScale)} like the cutouts` : `trained at ${fmt(m.pixelScale)}, the cutouts are ${fmt(survey.pixelScale)} (×${r.toFixed(2)}: scores less reliable)`);
  } else {
    notes.push(survey.pixelScale ? 'the card gives no pixel scale' : `the cutouts give no pixel scale (no WCS or PIXSCALE); trained at ${m.pixelScale ? fmt(m.pixelScale) : 'an unknown scale'}`);
  }
  if (survey.width > s) notes.push(`cutouts centre-cropped from ${survey.width}×${survey.height} to ${s}×${s}`);
  return { ok: true, why: notes.join('; '), scaleOffset };
}

/**
 * The best model for the survey: among those that fit, the closest pixel scale, then the one using
 * the most of the survey's bands, then the least cropping, then by name. Throws NO_MODEL_FITS,
 * saying why each was refused, when none fits.
 */
export function chooseModel(survey: SurveyShape, options: ModelOption[]): ModelChoice {
  if (!options.length) throw new InputError('NO_MODEL', 'no lens-finder model is available (models/ holds no folder with a card.json)', {});
  const judged = options.map((m) => ({ m, f: modelFits(survey, m) }));
  const fits = judged.filter((j) => j.f.ok);
  const rejected = judged.filter((j) => !j.f.ok).map((j) => ({ name: j.m.name, why: j.f.why }));
  const scale = survey.pixelScale ? fmt(survey.pixelScale) : 'unknown pixel scale';
  if (!fits.length) {
    throw new InputError(
      'NO_MODEL_FITS',
      `no model fits cutouts with bands ${survey.bands.join(',')} at ${scale}, ${survey.width}×${survey.height}: ` +
        rejected.map((r) => `${r.name} ${r.why}`).join('; '),
      { field: 'model' },
    );
  }
  const q = (x: number) => (Number.isFinite(x) ? Math.round(x * 1000) : 1e9); // ties below 0.1 % are ties
  fits.sort((a, b) =>
    q(a.f.scaleOffset) - q(b.f.scaleOffset) ||
    b.m.bands.length - a.m.bands.length ||
    b.m.inputSize - a.m.inputSize ||
    a.m.name.localeCompare(b.m.name));
  const best = fits[0]!;
  const others = [
    ...fits.slice(1).map((j) => `${j.m.name} fits less well (${j.f.why})`),
    ...rejected.map((r) => `${r.name} ${r.why}`),
  ];
  const reason =
    `${best.m.name}${best.m.preset ? ` (${best.m.preset})` : ''} for cutouts with bands ${survey.bands.join(',')} at ${scale}: ${best.f.why}` +
    (others.length ? `. Not chosen: ${others.join('; ')}` : '');
  return { model: best.m, reason, rejected };
}

/** The chooser's view of a model card (src-core/classify/card.ts, or any card with these fields). */
export function modelOptionFromCard(card: Record<string, unknown>, path: string): ModelOption | null {
  const arch = card.architecture as { bands?: unknown; inputSize?: unknown } | undefined;
  if (!arch || !Array.isArray(arch.bands) || typeof arch.inputSize !== 'number') return null;
  const src = (card.trainingSet as { source?: { simulator?: { preset?: unknown } } } | undefined)?.source?.simulator?.preset;
  return {
    name: String(card.name ?? path),
    path,
    bands: arch.bands.map(String),
    pixelScale: typeof card.pixelScale === 'number' && card.pixelScale > 0 ? card.pixelScale : null,
    inputSize: arch.inputSize,
    preset: typeof src === 'string' ? src : null,
  };
}
