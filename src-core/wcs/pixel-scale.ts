// A FITS image's pixel scale (arcsec per pixel) from its header cards alone, for the many places that
// need only a scale, not a full celestial WCS (stamp libraries, PSF files, LensDesk's own stamps, and
// the fallback when a science image's WCS cannot be read). Order: the linear WCS matrix (CD, else
// CDELT with PC; FITS WCS Paper I §2.1.2, |det|^½ so a rotated or flipped matrix gives the same
// scale), then the plain keywords pipelines write when there is no WCS.
import type { FitsHeader } from '../fits/header';

/** Plain keywords, in order: PIXSCALE (LensDesk, many pipelines), PIXELSCL (WebbPSF), PIXSCAL1. Arcsec. */
export const PIXEL_SCALE_KEYWORDS = ['PIXSCALE', 'PIXELSCL', 'PIXSCAL1'] as const;

/** From CD, or CDELT (+PC), in CUNIT1 (degrees by default); undefined when absent or singular. */
export function linearPixelScale(h: FitsHeader): number | undefined {
  const unit = (h.getString('CUNIT1') ?? 'deg').trim().toLowerCase();
  const toArcsec = unit === 'arcsec' ? 1 : unit === 'arcmin' ? 60 : 3600;
  const cd = ['CD1_1', 'CD1_2', 'CD2_1', 'CD2_2'].map((k) => h.getNumber(k));
  if (cd.some((v) => v !== undefined)) {
    const [a = 0, b = 0, c = 0, d = 0] = cd;
    const det = Math.abs(a * d - b * c);
    if (det > 0) return Math.sqrt(det) * toArcsec;
  }
  const c1 = h.getNumber('CDELT1'), c2 = h.getNumber('CDELT2');
  if (c1 && c2) {
    const pc = [h.getNumber('PC1_1') ?? 1, h.getNumber('PC1_2') ?? 0, h.getNumber('PC2_1') ?? 0, h.getNumber('PC2_2') ?? 1];
    const det = Math.abs(c1 * c2 * (pc[0]! * pc[3]! - pc[1]! * pc[2]!));
    if (det > 0) return Math.sqrt(det) * toArcsec;
  }
  return undefined;
}

/** The first positive plain pixel-scale keyword of the first header that has one (e.g. [image, primary]). */
export function keywordPixelScale(...headers: FitsHeader[]): { scale: number; keyword: string } | undefined {
  for (const h of headers) {
    for (const k of PIXEL_SCALE_KEYWORDS) {
      const v = h.getNumber(k);
      if (v !== undefined && v > 0 && Number.isFinite(v)) return { scale: v, keyword: k };
    }
  }
  return undefined;
}

/** Linear WCS, else a plain keyword; undefined when the header states no scale. */
export function headerPixelScale(h: FitsHeader): number | undefined {
  return linearPixelScale(h) ?? keywordPixelScale(h)?.scale;
}
