// A workspace stamp (src-core/stamps) as a lens-fit input: bands × size × size in e⁻ with the stamp's
// VARIANCE planes (simulated and survey stamps with weight maps), or — when absent — a per-band constant
// background variance estimated from the stamp border (1.4826 · MAD of the outer 4-pixel ring, squared;
// no source Poisson term, since the gain of an ingested image is unknown). PSFs: Gaussians with the
// per-band seeing of a survey preset (src-core/lens/presets).
import { InputError } from '../errors';
import { getPreset } from '../lens/presets';
import type { Stamp } from '../stamps/stamp';
import type { LensFitInput } from './lens-fit';

function borderSigma(p: Float32Array, w: number, h: number): number {
  const v: number[] = [];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (x >= 4 && x < w - 4 && y >= 4 && y < h - 4) continue;
      const a = p[y * w + x]!;
      if (Number.isFinite(a)) v.push(a);
    }
  v.sort((a, b) => a - b);
  const med = v[v.length >> 1]!;
  const dev = v.map((a) => Math.abs(a - med)).sort((a, b) => a - b);
  return 1.4826 * dev[dev.length >> 1]!;
}

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
    else variance.fill(borderSigma(s.planes[b]!, s.width, s.height) ** 2, b * n, (b + 1) * n);
  }
  const psf = s.bands.map((b) => {
    const spec = preset.bands[b];
    if (!spec) throw new InputError('FIT_PSF', `preset ${preset.name} has no band '${b}' for the PSF`, { band: b, preset: preset.name });
    return { type: 'gaussian' as const, fwhm: spec.seeing };
  });
  return { input: { bands: [...s.bands], size: s.width, pixelScale, image, variance, psf }, varianceFrom: hasVar ? 'stamp' : 'border' };
}
