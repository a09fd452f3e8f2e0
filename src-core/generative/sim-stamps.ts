// Simulated Flow-VAE training stamps at a survey preset, with their noiseless truth kept for the
// moments test (issue 16 "Quality"): Sérsic galaxies rendered on the decoder grid (half the survey
// pixel, 2×2 sub-samples per pixel), convolved with the band's PSF sampled on that grid, averaged 2×2
// onto the survey pixel (the observation model of deblending-and-generative.md §B1, exactly the one
// the PSF-aware likelihood assumes) plus white Gaussian noise of the co-add's sky + read noise
// (source Poisson noise neglected: these galaxies are sky-dominated; documented).
// Units: e⁻ per survey pixel over the co-add; the truth is in e⁻ per *survey* pixel area sampled on
// the fine grid (so that its 2×2 average is flux per survey pixel, as the decoder's output).
import { InputError } from '../errors';
import { getPreset, magToElectrons, skyPerPixel } from '../lens/presets';
import { zigguratNormal } from '../lens/ziggurat';
import type { Rng } from '../rng';
import { sersicBn } from '../score/galaxies';
import { average2x2, convolveSeparable, gaussianPsf, gaussianPsf1d } from './observe';

export interface SimGalaxyParams {
  /** Half-light radius range, arcsec (log-uniform). */
  reArcsec: [number, number];
  sersicN: [number, number];
  axisRatio: [number, number];
  /** AB magnitude range (uniform). */
  mag: [number, number];
  /** Centre offset, ± survey pixels (uniform). */
  offset: number;
}

export const DEFAULT_SIM_GALAXIES: SimGalaxyParams = { reArcsec: [0.2, 1.0], sersicN: [0.5, 2.5], axisRatio: [0.3, 1], mag: [22, 25], offset: 0.5 };

export interface SimStampSet {
  /** count × S × S observed stamps, e⁻. */
  stamps: Float32Array;
  /** count × 2S × 2S noiseless, PSF-free truth on the decoder grid (only if `keepTruth`). */
  truth?: Float32Array;
  count: number;
  size: number;
  /** Noise σ per pixel (e⁻), the same for all stamps. */
  sigma: number;
  /** The PSF on the decoder grid (psfSize², unit sum). */
  psf: Float64Array;
  psfSize: number;
  pixelScale: number;
  description: Record<string, unknown>;
}

/** One Sérsic galaxy on an F×F grid of pixel `fine` arcsec, total flux `flux` in the grid. */
export function renderSersic(rng: Rng, F: number, fine: number, flux: number, p: SimGalaxyParams, out: Float64Array): void {
  const re = Math.exp(rng.range(Math.log(p.reArcsec[0]), Math.log(p.reArcsec[1]))) / fine;
  const n = rng.range(p.sersicN[0], p.sersicN[1]), q = rng.range(p.axisRatio[0], p.axisRatio[1]), phi = rng.range(0, Math.PI);
  const x0 = 2 * rng.range(-p.offset, p.offset), y0 = 2 * rng.range(-p.offset, p.offset);
  const bn = sersicBn(n), cp = Math.cos(phi), sp = Math.sin(phi), sub = 2;
  let sum = 0;
  for (let r = 0; r < F; r++)
    for (let c = 0; c < F; c++) {
      let s = 0;
      for (let a = 0; a < sub; a++)
        for (let b = 0; b < sub; b++) {
          const dy = r + (a + 0.5) / sub - F / 2 - y0, dx = c + (b + 0.5) / sub - F / 2 - x0;
          const xr = dx * cp + dy * sp, yr = -dx * sp + dy * cp;
          s += Math.exp(-bn * (Math.sqrt(q * xr * xr + (yr * yr) / q) / re) ** (1 / n));
        }
      sum += out[r * F + c] = s;
    }
  for (let i = 0; i < F * F; i++) out[i] = (out[i]! / sum) * flux;
}

export function simulateStamps(o: { preset: string; band?: string; size: number; count: number; psfSize: number; rng: Rng; keepTruth?: boolean; galaxies?: SimGalaxyParams }): SimStampSet {
  const preset = getPreset(o.preset);
  const bandName = o.band ?? (preset.bands.r ? 'r' : preset.defaultBands[0]!);
  const band = preset.bands[bandName];
  if (!band) throw new InputError('SIM_UNKNOWN_BAND', `preset ${preset.name} has no band '${bandName}' (bands: ${Object.keys(preset.bands).join(', ')})`, { preset: preset.name, band: bandName });
  if (band.psf !== 'gaussian') throw new InputError('FLOWVAE_PSF', `preset ${preset.name} band ${bandName}: only Gaussian PSFs are simulated here`, { preset: preset.name });
  const p = o.galaxies ?? DEFAULT_SIM_GALAXIES;
  const S = o.size, F = 2 * S, fine = preset.pixelScale / 2;
  const psf = gaussianPsf(band.seeing / fine, o.psfSize), psf1 = gaussianPsf1d(band.seeing / fine, o.psfSize);
  const sigma = Math.sqrt(skyPerPixel(band, preset.pixelScale) + band.nExp * preset.readNoise ** 2);
  const stamps = new Float32Array(o.count * S * S);
  const truth = o.keepTruth ? new Float32Array(o.count * F * F) : undefined;
  const g = new Float64Array(F * F);
  for (let k = 0; k < o.count; k++) {
    const flux = magToElectrons(o.rng.range(p.mag[0], p.mag[1]), band);
    // flux per fine pixel ×4 = flux per survey-pixel area: its 2×2 average is flux per survey pixel
    renderSersic(o.rng, F, fine, 4 * flux, p, g);
    truth?.set(g, k * F * F);
    // the k×k Gaussian kernel is the outer product of its 1-D profile: two passes, same result
    const obs = average2x2(convolveSeparable(g, F, psf1), F);
    for (let i = 0; i < S * S; i++) stamps[k * S * S + i] = obs[i]! + sigma * zigguratNormal(o.rng);
  }
  return {
    stamps, truth, count: o.count, size: S, sigma, psf, psfSize: o.psfSize, pixelScale: preset.pixelScale,
    description: {
      source: 'simulate', preset: preset.name, band: bandName, pixelScale: preset.pixelScale, psf: { type: 'gaussian', fwhmArcsec: band.seeing },
      noiseSigma: sigma, galaxies: { model: 'Sérsic', ...p }, count: o.count,
    },
  };
}
