// The PSF of a lens fit: a FITS image (resampled to the cutout's pixel scale when its header states another), a
// FWHM with a Gaussian or Moffat profile (src-core/lens/psf.ts), or the survey preset's per-band seeing.
import { basename } from 'node:path';
import { InputError } from '../../src-core/errors';
import { imageInfo, isImageHdu } from '../../src-core/fits/image';
import { getPreset } from '../../src-core/lens/presets';
import { checkPixelPsf, type PsfSpec } from '../../src-core/lens/psf';
import { resamplePsf } from '../../src-core/lens/psf-resample';
import { pixelXY } from '../../src-core/units';
import { readWcs } from '../../src-core/wcs/wcs';
import { openFitsFile } from '../fits/file-source';
import { readPsf } from '../lens/psf-file';
import { keywordPixelScale } from '../../src-core/wcs/pixel-scale';

export interface FitPsfOptions {
  file?: string;
  fwhm?: number;
  profile?: 'gaussian' | 'moffat';
  beta?: number;
  preset?: string;
}

export interface FitPsf {
  specs: PsfSpec[];
  /** For people and the JSON: 'file psf.fits (0.05″/pixel, resampled to 0.2″)', 'moffat FWHM 0.8″ β 3', … */
  from: string;
  warnings: string[];
}

/** The PSF file's pixel scale from its header (WCS, else PIXSCALE / PIXELSCL as WebbPSF writes), or undefined. */
function psfFileScale(path: string): number | undefined {
  const f = openFitsFile(path);
  try {
    const h = f.hdus().find((x) => isImageHdu(x) && imageInfo(f, x).shape.length >= 2);
    if (!h) return undefined;
    const shape = imageInfo(f, h).shape;
    try {
      const s = readWcs(h.header).pixelScaleArcsecAt(pixelXY((shape[shape.length - 1]! - 1) / 2, (shape[shape.length - 2]! - 1) / 2));
      if (s > 0 && Number.isFinite(s)) return s;
    } catch {
      // No celestial WCS: look for the plain keywords.
    }
    return keywordPixelScale(h.header, f.hdu(0).header)?.scale;
  } finally {
    f.source.close?.();
  }
}

export function fitPsf(o: FitPsfOptions, bands: string[], pixelScale: number, presetHint?: string): FitPsf {
  if (o.file && o.fwhm !== undefined) throw new InputError('INPUT_INVALID', 'give either --psf FILE or --psf-fwhm, not both', { option: 'psf' });
  if (o.file) {
    const specs = readPsf(o.file, bands);
    const scale = psfFileScale(o.file);
    const warnings: string[] = [];
    let from = `file ${basename(o.file)}`;
    if (scale === undefined) {
      warnings.push(`${basename(o.file)} states no pixel scale (WCS, PIXSCALE or PIXELSCL): taken to be the cutout's ${pixelScale}″`);
    } else if (Math.abs(scale / pixelScale - 1) > 0.01) {
      from += ` (${Number(scale.toPrecision(4))}″/pixel, resampled to ${Number(pixelScale.toPrecision(4))}″)`;
      return {
        specs: specs.map((s, b) => {
          const p = s as Extract<PsfSpec, { type: 'pixel' }>;
          const r = resamplePsf(p.kernel, p.width, scale, pixelScale);
          warnings.push(...checkPixelPsf(r.kernel, r.width, `${basename(o.file!)} resampled (band ${bands[b]})`));
          return { type: 'pixel' as const, kernel: r.kernel, width: r.width, ...(p.origin ? { origin: p.origin } : {}) };
        }),
        from, warnings,
      };
    }
    return { specs, from, warnings };
  }
  if (o.fwhm !== undefined) {
    if (!(o.fwhm > 0)) throw new InputError('INPUT_INVALID', `--psf-fwhm must be > 0 arcsec, got ${o.fwhm}`, { option: 'psf-fwhm' });
    const profile = o.profile ?? 'gaussian';
    if (profile === 'moffat') {
      const beta = o.beta ?? 3;
      if (!(beta > 1)) throw new InputError('INPUT_INVALID', `--moffat-beta must be > 1, got ${beta}`, { option: 'moffat-beta' });
      return { specs: bands.map(() => ({ type: 'moffat' as const, fwhm: o.fwhm!, beta })), from: `moffat FWHM ${o.fwhm}″ β ${beta}`, warnings: [] };
    }
    if (profile !== 'gaussian') throw new InputError('INPUT_INVALID', `--psf-profile must be gaussian or moffat, got '${profile as string}'`, { option: 'psf-profile' });
    return { specs: bands.map(() => ({ type: 'gaussian' as const, fwhm: o.fwhm! })), from: `gaussian FWHM ${o.fwhm}″`, warnings: [] };
  }
  const preset = getPreset(o.preset ?? presetHint ?? 'lsst');
  const specs = bands.map((b) => {
    const spec = preset.bands[b];
    if (!spec) throw new InputError('FIT_PSF', `preset ${preset.name} has no band '${b}'; give --psf FILE or --psf-fwhm ARCSEC`, { band: b });
    return { type: 'gaussian' as const, fwhm: spec.seeing };
  });
  return { specs, from: `gaussian seeing of preset ${preset.name}`, warnings: [] };
}
