// Survey presets: camera + co-add observing conditions per band. Every number cites its source.
// Units: pixel scale arcsec; sky brightness mag/arcsec²; zero point = magnitude giving 1 e⁻/s
// (lenstronomy's convention); exposure time s per exposure; seeing = PSF FWHM arcsec; read noise e⁻
// per exposure. Images are in e⁻ summed over the co-add (t_total = nExp · tExp).
import { InputError } from '../errors';

export interface BandSpec {
  name: string;
  skyMag: number;
  zeroPoint: number;
  nExp: number;
  tExp: number;
  seeing: number;
  /** PSF model; Moffat β where used (Trujillo et al. 2001: β ≈ 2.5–4.765 for ground seeing). */
  psf: 'gaussian' | 'moffat';
  moffatBeta?: number;
}

export interface SurveyPreset {
  name: string;
  description: string;
  pixelScale: number;
  readNoise: number;
  /** e⁻/ADU; not used (images stay in e⁻) but kept for FITS headers. */
  gain: number;
  /** Default stamp size (pixels, odd so the lens sits on a pixel centre). */
  size: number;
  /** Bands rendered by default (a subset of `bands`). */
  defaultBands: string[];
  bands: Record<string, BandSpec>;
  /** Where each number comes from, printed in docs and FITS HISTORY cards. */
  sources: string[];
  /** True where some numbers are approximations rather than published values (see sources). */
  approximate: boolean;
}

const g = (name: string, skyMag: number, zeroPoint: number, nExp: number, tExp: number, seeing: number): BandSpec =>
  ({ name, skyMag, zeroPoint, nExp, tExp, seeing, psf: 'gaussian' });

// LSST: lenstronomy SimulationAPI/ObservationConfig/LSST.py (provisional, 10-year co-add):
// read noise 10 e⁻, pixel 0.2″, gain 2.3 e⁻/ADU, 15 s exposures; per band (sky, zp, N_exp, seeing).
const LSST_BANDS = {
  u: g('u', 22.99, 26.5, 140, 15, 0.81),
  g: g('g', 22.26, 28.3, 200, 15, 0.77),
  r: g('r', 21.2, 28.13, 460, 15, 0.73),
  i: g('i', 20.48, 27.79, 460, 15, 0.71),
  z: g('z', 19.6, 27.4, 400, 15, 0.69),
  y: g('y', 18.61, 26.58, 400, 15, 0.68),
};

export const PRESETS: Readonly<Record<string, SurveyPreset>> = {
  lsst: {
    name: 'lsst',
    description: 'Rubin LSST 10-year co-add, 0.2″ pixels',
    pixelScale: 0.2, readNoise: 10, gain: 2.3, size: 45,
    defaultBands: ['g', 'r', 'i', 'z'],
    bands: LSST_BANDS,
    sources: ['lenstronomy SimulationAPI/ObservationConfig/LSST.py (provisional; 10-year co-add)'],
    approximate: false,
  },
  des: {
    name: 'des',
    description: 'DES 3-year co-add (10 × 90 s), 0.263″ pixels',
    // lenstronomy SimulationAPI/ObservationConfig/DES.py: read noise 7 e⁻, pixel 0.263″, gain 4;
    // 10 exposures (coadd_years = 3) of 90 s (Y: 45 s).
    pixelScale: 0.263, readNoise: 7, gain: 4, size: 45,
    defaultBands: ['g', 'r', 'i', 'z'],
    bands: {
      g: g('g', 22.01, 26.58, 10, 90, 1.12),
      r: g('r', 21.15, 26.78, 10, 90, 0.96),
      i: g('i', 19.89, 26.75, 10, 90, 0.88),
      z: g('z', 18.72, 26.48, 10, 90, 0.84),
      Y: g('Y', 17.96, 25.4, 10, 45, 0.9),
    },
    sources: ['lenstronomy SimulationAPI/ObservationConfig/DES.py (provisional; coadd_years = 3)'],
    approximate: false,
  },
  hsc: {
    name: 'hsc',
    description: 'Subaru HSC-SSP Wide, 0.168″ pixels (approximate noise model)',
    // Pixel 0.168″: Miyazaki et al. 2018, PASJ 70, S1. Wide-layer exposure 10 min in g, r
    // (4 × 150 s) and 20 min in i, z, y (6 × 200 s): Aihara et al. 2018a, PASJ 70, S4, Table 2.
    // Seeing: median Wide-layer FWHM as recalled from Aihara et al. 2018b, PASJ 70, S8 (g 0.72,
    // r 0.67, i 0.56, z 0.63, y 0.64″; not re-checked against the table here). Sky brightness and e⁻/s zero points are NOT published in this form: taken as the
    // LSST values shifted by +0.45 mag for the larger collecting area (8.2 m vs 6.4 m effective);
    // read noise 4.5 e⁻ (Miyazaki et al. 2018). Treat depths as indicative.
    pixelScale: 0.168, readNoise: 4.5, gain: 3.0, size: 55,
    defaultBands: ['g', 'r', 'i', 'z'],
    bands: {
      g: g('g', 22.26, 28.75, 4, 150, 0.72),
      r: g('r', 21.2, 28.58, 4, 150, 0.67),
      i: g('i', 20.48, 28.24, 6, 200, 0.56),
      z: g('z', 19.6, 27.85, 6, 200, 0.63),
      y: g('y', 18.61, 27.03, 6, 200, 0.64),
    },
    sources: [
      'pixel: Miyazaki et al. 2018, PASJ 70, S1',
      'exposures: Aihara et al. 2018a, PASJ 70, S4 (Wide layer)',
      'seeing: Aihara et al. 2018b, PASJ 70, S8 (median; unverified transcription)',
      'sky and zero points: LSST values (lenstronomy LSST.py) + 0.45 mag for aperture; approximate',
    ],
    approximate: true,
  },
  euclid: {
    name: 'euclid',
    description: 'Euclid VIS, 0.1″ pixels, 101 × 101 (Metcalf et al. 2019 space layout)',
    // lenstronomy SimulationAPI/ObservationConfig/Euclid.py: VIS sky 22.35, zp 24.0, 4 × 565 s,
    // seeing 0.16″, read noise 4.2 e⁻, gain 3.1. Pixel 0.1″ (Euclid Collaboration: Cropper et al.,
    // "Euclid. III. The VIS instrument", arXiv:2405.13492; lenstronomy uses 0.101″). 101 × 101 stamps as Metcalf et al. 2019.
    pixelScale: 0.1, readNoise: 4.2, gain: 3.1, size: 101,
    defaultBands: ['VIS'],
    bands: { VIS: g('VIS', 22.35, 24.0, 4, 565, 0.16) },
    sources: ['lenstronomy SimulationAPI/ObservationConfig/Euclid.py', 'Metcalf et al. 2019, A&A 625, A119 (stamp size)'],
    approximate: false,
  },
  challenge: {
    name: 'challenge',
    description: 'Lens Finding Challenge ground layout (u, g, r, i; 0.2″; 101 × 101) with LSST noise',
    // Layout from Metcalf et al. 2019, A&A 625, A119 (KiDS-like ground set: u, g, r, i, 0.2″ pixels,
    // 101 × 101). The challenge drew its noise from KiDS weight maps, which are not tabulated in the
    // paper; like the numpy peer we use the LSST u/g/r/i numbers (lenstronomy LSST.py) instead.
    pixelScale: 0.2, readNoise: 10, gain: 2.3, size: 101,
    defaultBands: ['u', 'g', 'r', 'i'],
    bands: { u: LSST_BANDS.u, g: LSST_BANDS.g, r: LSST_BANDS.r, i: LSST_BANDS.i },
    sources: ['layout: Metcalf et al. 2019, A&A 625, A119', 'noise: lenstronomy LSST.py (u, g, r, i)'],
    approximate: true,
  },
};

export function getPreset(name: string): SurveyPreset {
  const p = PRESETS[name];
  if (!p) throw new InputError('SIM_UNKNOWN_PRESET', `unknown survey preset '${name}'`, { preset: name, known: Object.keys(PRESETS).join(',') });
  return p;
}

/** Sky e⁻ per pixel over the co-add: 10^{−0.4 (μ_sky − zp)} · t_total · pixel² (reference page). */
export function skyPerPixel(b: BandSpec, pixelScale: number): number {
  return 10 ** (-0.4 * (b.skyMag - b.zeroPoint)) * b.nExp * b.tExp * pixelScale * pixelScale;
}

/** e⁻ over the co-add for a source of AB magnitude m: 10^{−0.4 (m − zp)} · t_total. */
export function magToElectrons(mag: number, b: BandSpec): number {
  return 10 ** (-0.4 * (mag - b.zeroPoint)) * b.nExp * b.tExp;
}

/**
 * The preset of a workspace survey name: 'sim-lsst' (a catalog LensDesk simulated) or 'lsst' itself → 'lsst'
 * when that preset exists, else `fallback` (ingested surveys carry their own names; null lets the caller say
 * that no preset applies). Used by every per-candidate job that needs PSFs.
 */
export function presetOfSurvey(survey: string | null | undefined, fallback?: string): string;
export function presetOfSurvey(survey: string | null | undefined, fallback: null): string | null;
export function presetOfSurvey(survey: string | null | undefined, fallback: string | null = 'lsst'): string | null {
  const name = survey?.match(/^sim-(\w+)$/)?.[1] ?? survey;
  if (name) {
    try {
      return getPreset(name).name;
    } catch { /* not a preset name */ }
  }
  return fallback;
}
