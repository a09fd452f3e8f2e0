// A workspace stamp (src-core/stamps) as a lens-fit input: bands × size × size in e⁻ with the stamp's
// VARIANCE planes (simulated and survey stamps with weight maps), or — when absent — a per-band constant
// background variance estimated from the stamp border exactly as `lensdesk fit` does for real images
// (backgroundSigma: sigma-clipped differences of neighbouring border pixels, which the lens galaxy's wings
// do not inflate; no source Poisson term, since the gain of an ingested image is unknown). Non-finite
// pixels (NaN holes, masked by ingest) get infinite variance: no weight. PSFs: Gaussians with the
// per-band seeing of a survey preset (src-core/lens/presets).
import { InputError } from '../errors';
import { getPreset } from '../lens/presets';
import type { Stamp } from '../stamps/stamp';
import type { LensFitInput } from './lens-fit';
import { backgroundSigma } from './observation/noise';

export function fitInputFromStamp(s: Stamp, presetName = 'lsst'): { input: LensFitInput; varianceFrom: 'stamp' | 'border' } {
  if (s.width !== s.height || s.width % 2 !== 1)
    throw new InputError('FIT_STAMP', `lens fit needs an odd square stamp, got ${s.width} × ${s.height}`, { width: s.width, height: s.height });
  const preset = getPreset(presetName);
  const pixelScale = s.pixelScale ?? preset.pixelScale;
  const n = s.width * s.height;
  const nb = s.planes.length;
  const image = new Float64Array(nb * n);
  const variance = new Float64Array(nb * n);
  const hasVar = !!s.variance && s.variance.length === nb;
  for (let b = 0; b < nb; b++) {
    image.set(s.planes[b]!, b * n);
    if (hasVar) variance.set(s.variance![b]!, b * n);
    else variance.fill(backgroundSigma(s.planes[b]!, s.width, s.height).sigma ** 2, b * n, (b + 1) * n);
  }
  for (let i = 0; i < image.length; i++) if (!Number.isFinite(image[i]!) || !(variance[i]! > 0)) variance[i] = Infinity;
  const psf = s.bands.map((b) => {
    const spec = preset.bands[b];
    if (!spec) throw new InputError('FIT_PSF', `preset ${preset.name} has no band '${b}' for the PSF`, { band: b, preset: preset.name });
    return { type: 'gaussian' as const, fwhm: spec.seeing };
  });
  return { input: { bands: [...s.bands], size: s.width, pixelScale, image, variance, psf }, varianceFrom: hasVar ? 'stamp' : 'border' };
}
