// Observing decoded galaxies under a survey preset (deblending-and-generative.md §B4):
// x′ = P′(Π′ ∗ g) + n′. g is the decoder's PSF-free image (flux per decoded pixel); it is rebinned
// onto the preset's pixels (flux-conserving), convolved with the band's Gaussian PSF (survey-degrade.ts:
// for a PSF-free input the matching kernel is the whole target PSF; for the plain VAE, whose images
// already carry the training PSF, the kernel is the quadrature difference) and scaled from the
// training co-add's flux unit to the target's e⁻; sky + read + Poisson noise as the simulator's.
import { InputError } from '../errors';
import { degradeToSurvey } from '../lens/survey-degrade';
import { addNoise } from '../lens/noise';
import { getPreset, skyPerPixel, type BandSpec } from '../lens/presets';
import type { Rng } from '../rng';

export interface RenderTarget {
  preset: string;
  band?: string;
  /** Output side (odd), default: enough for the decoded field of view, at most the preset's. */
  size?: number;
}

export interface ResolvedTarget {
  preset: string;
  band: string;
  spec: BandSpec;
  pixelScale: number;
  readNoise: number;
  size: number;
}

export function resolveTarget(t: RenderTarget, fieldArcsec: number): ResolvedTarget {
  const p = getPreset(t.preset);
  const band = t.band ?? (p.bands.r ? 'r' : p.defaultBands[0]!);
  const spec = p.bands[band];
  if (!spec) throw new InputError('SIM_UNKNOWN_BAND', `preset ${p.name} has no band '${band}' (bands: ${Object.keys(p.bands).join(', ')})`, { preset: p.name, band });
  if (spec.psf !== 'gaussian') throw new InputError('FLOWVAE_PSF', `preset ${p.name} band ${band}: rendering supports Gaussian PSFs only`, { preset: p.name, band });
  let size = t.size ?? Math.round(fieldArcsec / p.pixelScale);
  if (size % 2 === 0) size += 1;
  if (size < 3) throw new InputError('INPUT_INVALID', `output size must be ≥ 3, got ${size}`, { size });
  return { preset: p.name, band, spec, pixelScale: p.pixelScale, readNoise: p.readNoise, size };
}

/**
 * e⁻ of the target co-add per unit of the training flux: for a training set simulated at a preset
 * band (zero point zp, N_exp·t_exp), 10^{0.4 (zp′ − zp)} · t′/t (magToElectrons ratio); 1 otherwise.
 */
export function fluxFactor(training: { preset?: unknown; band?: unknown }, target: ResolvedTarget): number {
  if (typeof training.preset !== 'string' || typeof training.band !== 'string') return 1;
  const b = getPreset(training.preset).bands[training.band];
  if (!b) return 1;
  return 10 ** (0.4 * (target.spec.zeroPoint - b.zeroPoint)) * (target.spec.nExp * target.spec.tExp) / (b.nExp * b.tExp);
}

/**
 * One decoded image (D×D at `scale` arcsec, flux per pixel, centred) observed at the target:
 * noiseless model and, with `rng`, a noisy image and its variance (e⁻ over the target co-add).
 * `inputFwhm`: PSF FWHM already in g (0 for the PSF-aware model).
 */
export function observeAt(g: ArrayLike<number>, D: number, scale: number, inputFwhm: number, factor: number, t: ResolvedTarget, rng?: Rng): { model: Float64Array; image?: Float32Array; variance?: Float32Array } {
  const c = (D - 1) / 2;
  const model = degradeToSurvey({ data: g, width: D, height: D, scale, fwhm: inputFwhm, cx: c, cy: c }, { scale: t.pixelScale, fwhm: t.spec.seeing, size: t.size });
  for (let i = 0; i < model.length; i++) model[i] = model[i]! * factor;
  if (!rng) return { model };
  const n = t.size * t.size, image = new Float32Array(n), variance = new Float32Array(n);
  addNoise(model, n, { sky: skyPerPixel(t.spec, t.pixelScale), readVar: t.spec.nExp * t.readNoise ** 2, gaussianAbove: 1e4 }, rng, image, variance);
  return { model, image, variance };
}
