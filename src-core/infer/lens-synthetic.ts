// Synthetic cutouts for testing and benchmarking the lens fit without the simulator: the fit's own
// forward model at known parameters and amplitudes, LSST-like noise (Poisson approximated as Gaussian
// with variance model + sky + read), Gaussian PSFs. The numbers follow the peer's `lsst` preset.
import { Rng } from '../rng';
import { getPreset, skyPerPixel } from '../lens/presets';
import { makeKernel } from '../lens/psf';
import { LensModel, qPhiToEllipticity, type LensCutout } from './lens-model';

export interface SyntheticLens {
  cutout: LensCutout;
  truth: Float64Array;
  amplitudes: Float64Array;
  model: Float64Array;
}

/**
 * One LSST-like cutout (bands from the lsst preset, 0.2″ pixels). `size` defaults to 45. Truth and
 * amplitudes are given or the defaults below (a bright arc: source S/N of a few hundred).
 */
export function syntheticLens(o: { seed: number; size?: number; bands?: string[]; truth?: ArrayLike<number>; amplitudes?: ArrayLike<number> }): SyntheticLens {
  const preset = getPreset('lsst');
  const bands = o.bands ?? ['g', 'r', 'i', 'z'];
  const size = o.size ?? 45;
  const psf = bands.map((b) => makeKernel({ type: 'gaussian', fwhm: preset.bands[b]!.seeing }, preset.pixelScale));
  const truth = Float64Array.from(
    o.truth ?? [1.2, ...qPhiToEllipticity(0.75, 0.6), 0.02, -0.015, 0.12, -0.08, 0.25, 1.5, ...qPhiToEllipticity(0.7, 2.0), 0.9],
  );
  const sky = bands.map((b) => skyPerPixel(preset.bands[b]!, preset.pixelScale));
  const readVar = bands.map((b) => preset.bands[b]!.nExp * preset.readNoise ** 2);
  // e⁻ per pixel at R_e, in units of the sky noise per band: a bright blue arc (≈ 3σ per pixel at R_e
  // before lensing magnification) and a red lens galaxy (≈ 2–5σ at R_e), comparable to the peer's cutouts.
  const amplitudes = Float64Array.from(
    o.amplitudes ?? bands.flatMap((_, b) => [(3 - 0.3 * b) * Math.sqrt(sky[b]! + readVar[b]!), (2 + b) * Math.sqrt(sky[b]! + readVar[b]!)]),
  );
  const npix = size * size;
  const empty: LensCutout = {
    bands: bands.length, size, pixelScale: preset.pixelScale,
    image: new Float64Array(bands.length * npix), variance: new Float64Array(bands.length * npix).fill(1), psf,
  };
  const model = new LensModel(empty).modelImage(truth, amplitudes);
  const rng = new Rng(o.seed, 0x1e75);
  const image = new Float64Array(model.length);
  const variance = new Float64Array(model.length);
  for (let i = 0; i < model.length; i++) {
    const b = Math.floor(i / npix);
    variance[i] = Math.max(model[i]!, 0) + sky[b]! + readVar[b]!;
    image[i] = model[i]! + Math.sqrt(variance[i]!) * rng.normal();
  }
  return { cutout: { ...empty, image, variance }, truth, amplitudes, model };
}
