// Simulation configuration: what a user or the job system passes, and its fully resolved form
// (every default filled in) that goes into manifests and FITS headers so a set can be re-made.
import { InputError } from '../errors';
import { DEFAULT_NEGATIVE_MIX, NEGATIVE_KINDS, type NegativeKind } from './negatives';
import { getPreset } from './presets';
import type { StampLibrary } from './profiles/stamp-source';
import type { PsfSpec } from './psf';

export interface SimulationConfig {
  preset: string;
  /** Subset of the preset's bands (default: the preset's defaultBands). */
  bands?: string[];
  /** Stamp side in pixels (odd; default the preset's). */
  size?: number;
  lensFraction?: number;
  hardness?: number;
  thetaEMin?: number;
  thetaEMax?: number;
  /** Unlensed source r magnitude range (default 21.5 … 23.5 + 1.5·hardness). */
  sourceRMin?: number;
  sourceRMax?: number;
  negativeMix?: Partial<Record<NegativeKind, number>>;
  starContamination?: number;
  artefactContamination?: number;
  /** Re-draw lens systems until μ > muMin, S/N > snrMin and the ring is resolved (LensPop cuts). */
  requireDetectable?: boolean;
  maxAttempts?: number;
  muMin?: number;
  snrMin?: number;
  /** Sub-pixels per stamp pixel side (≥ 3) and per margin pixel side. */
  supersample?: number;
  marginSupersample?: number;
  /** 'gaussian' (default), 'moffat' (β = moffatBeta), or a per-band override. */
  psf?: 'gaussian' | 'moffat';
  moffatBeta?: number;
  psfOverride?: Record<string, PsfSpec> | null;
  /** Poisson means at or above this use the normal approximation (Infinity = always exact). */
  gaussianNoiseAbove?: number;
  /**
   * Real galaxy stamps as lensed sources (profiles/stamp-source.ts): a fraction `fraction` of the
   * lenses get a stamp instead of a clumpy Sérsic source. Decoded by src-main; absent = none.
   */
  sourceStamps?: StampLibrary | null;
  /**
   * Fraction of lenses whose source is a lensed quasar (point images from the lens equation, with
   * their magnifications and the PSF, optionally a host galaxy): lens/quasar.ts. Default 0.
   */
  quasarFraction?: number;
}

export type ResolvedConfig = Required<Omit<SimulationConfig, 'psfOverride' | 'sourceStamps' | 'quasarFraction'>> & {
  negativeMix: Record<NegativeKind, number>;
  psfOverride: Record<string, PsfSpec> | null;
  /** Present only when stamps are used (so records of sets made without them stay unchanged). */
  sourceStamps?: StampLibrary;
  /** Present only when > 0 (so records of sets made without quasars stay unchanged). */
  quasarFraction?: number;
};

function num(v: unknown, name: string, lo: number, hi: number, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    throw new InputError('SIM_CONFIG', `${name} must be a number in [${lo}, ${hi}]`, { field: name, value: String(v) });
  }
  return v;
}

export function resolveConfig(c: SimulationConfig): ResolvedConfig {
  const p = getPreset(c.preset);
  const bands = c.bands ?? p.defaultBands;
  for (const b of bands) {
    if (!p.bands[b]) throw new InputError('SIM_CONFIG', `band '${b}' not in preset ${p.name}`, { field: 'bands', band: b, known: Object.keys(p.bands).join(',') });
  }
  const size = num(c.size, 'size', 9, 501, p.size);
  if (size % 2 !== 1) throw new InputError('SIM_CONFIG', 'size must be odd (the lens sits on a pixel centre)', { field: 'size', value: size });
  const mix = { ...DEFAULT_NEGATIVE_MIX };
  for (const [k, v] of Object.entries(c.negativeMix ?? {})) {
    if (!(NEGATIVE_KINDS as readonly string[]).includes(k)) throw new InputError('SIM_CONFIG', `unknown negative kind '${k}'`, { field: 'negativeMix', kind: k });
    mix[k as NegativeKind] = num(v, `negativeMix.${k}`, 0, 1e9, 0);
  }
  const r: ResolvedConfig = {
    preset: p.name,
    bands: [...bands],
    size,
    lensFraction: num(c.lensFraction, 'lensFraction', 0, 1, 0.5),
    hardness: num(c.hardness, 'hardness', 0, 1, 0.5),
    thetaEMin: num(c.thetaEMin, 'thetaEMin', 0.05, 20, 0.8),
    thetaEMax: num(c.thetaEMax, 'thetaEMax', 0.05, 20, 2.5),
    sourceRMin: num(c.sourceRMin, 'sourceRMin', 10, 35, 21.5),
    sourceRMax: num(c.sourceRMax, 'sourceRMax', 10, 35, 23.5 + 1.5 * num(c.hardness, 'hardness', 0, 1, 0.5)),
    negativeMix: mix,
    starContamination: num(c.starContamination, 'starContamination', 0, 1, 0.1),
    artefactContamination: num(c.artefactContamination, 'artefactContamination', 0, 1, 0.05),
    requireDetectable: c.requireDetectable ?? true,
    maxAttempts: num(c.maxAttempts, 'maxAttempts', 1, 1000, 20),
    muMin: num(c.muMin, 'muMin', 0, 1e6, 3),
    snrMin: num(c.snrMin, 'snrMin', 0, 1e9, 20),
    supersample: num(c.supersample, 'supersample', 1, 15, 3),
    marginSupersample: num(c.marginSupersample, 'marginSupersample', 1, 15, 1),
    psf: c.psf ?? 'gaussian',
    moffatBeta: num(c.moffatBeta, 'moffatBeta', 1.1, 20, 3.5),
    psfOverride: c.psfOverride ?? null,
    gaussianNoiseAbove: c.gaussianNoiseAbove === undefined ? 1e4 : num(c.gaussianNoiseAbove, 'gaussianNoiseAbove', 0, Infinity, 1e4),
  };
  if (c.sourceStamps) r.sourceStamps = checkStamps(c.sourceStamps);
  const qf = num(c.quasarFraction, 'quasarFraction', 0, 1, 0);
  if (qf > 0) r.quasarFraction = qf;
  if (r.thetaEMin > r.thetaEMax) throw new InputError('SIM_CONFIG', 'thetaEMin > thetaEMax', { field: 'thetaEMin' });
  if (r.sourceRMin > r.sourceRMax) throw new InputError('SIM_CONFIG', 'sourceRMin > sourceRMax', { field: 'sourceRMin' });
  return r;
}

function checkStamps(lib: StampLibrary): StampLibrary {
  if (typeof lib.id !== 'string' || !lib.id) throw new InputError('SIM_CONFIG', 'sourceStamps.id must name the library content', { field: 'sourceStamps.id' });
  const fraction = num(lib.fraction, 'sourceStamps.fraction', 0, 1, 1);
  if (!Array.isArray(lib.stamps) || lib.stamps.length === 0) throw new InputError('SIM_CONFIG', 'sourceStamps has no stamps', { field: 'sourceStamps.stamps' });
  for (const s of lib.stamps) {
    if (!(Number.isInteger(s.width) && Number.isInteger(s.height) && s.width >= 2 && s.height >= 2 && s.data?.length === s.width * s.height)) {
      throw new InputError('SIM_CONFIG', `source stamp ${s.name}: data must be height × width (${s.height} × ${s.width})`, { field: 'sourceStamps.stamps', stamp: s.name });
    }
    if (!(s.pixelScale > 0 && s.pixelScale < 60)) {
      throw new InputError('SIM_CONFIG', `source stamp ${s.name}: pixel scale must be in (0, 60) arcsec, got ${s.pixelScale}`, { field: 'sourceStamps.stamps', stamp: s.name });
    }
  }
  return { ...lib, fraction };
}

/**
 * The configuration as recorded in manifests and FITS headers: plain JSON, pixel data replaced by
 * where it came from. A pixelised PSF with an origin becomes {type, width, origin} (file name +
 * SHA-256 + plane); one without keeps its kernel as a plain array. Stamps become {id, fraction,
 * count}; the files and their hashes are listed in the CLI manifest. Configurations without
 * these fields record exactly as before.
 */
export function configRecord(c: ResolvedConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...c };
  if (c.psfOverride) {
    out.psfOverride = Object.fromEntries(Object.entries(c.psfOverride).map(([b, s]) => [b, s.type !== 'pixel' ? s
      : s.origin ? { type: 'pixel', width: s.width, origin: s.origin } : { type: 'pixel', width: s.width, kernel: Array.from(s.kernel) }]));
  }
  if (c.sourceStamps) out.sourceStamps = { id: c.sourceStamps.id, fraction: c.sourceStamps.fraction, count: c.sourceStamps.stamps.length };
  return out;
}
