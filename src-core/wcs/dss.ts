// Digitized Sky Survey plate solution (the DSS header keywords PLTRAH…, PPO3/PPO6, XPIXELSZ,
// CNPIX1/2, AMDX1–13/AMDY1–13; STScI "The Digitized Sky Survey" documentation, as in WCSTools'
// platepos.c). wcslib, and so astropy, use it instead of CTYPE/CD when a header carries it
// (checked against astropy's all_pix2world on dss.14.29.56-62.41.05.fits.gz to 1e-10″).
// Plate (x, y) in mm from the plate centre, then standard coordinates (ξ, η) in arcsec by a
// 13-term polynomial; (ξ, η) are the gnomonic (TAN) coordinates about the plate centre.
import { WcsError } from '../errors';
import type { WcsKeywordSource } from './params';

export interface DssPlate {
  /** Plate centre, degrees. */
  readonly ra0: number;
  readonly dec0: number;
  readonly ppo3: number;
  readonly ppo6: number;
  readonly xPixelSize: number;
  readonly yPixelSize: number;
  readonly cnpix1: number;
  readonly cnpix2: number;
  /** AMDX1…13 and AMDY1…13 (index 0 = coefficient 1), arcsec per mm^k. */
  readonly amdx: readonly number[];
  readonly amdy: readonly number[];
}

const n = (src: WcsKeywordSource, k: string): number | undefined => {
  const v = src.get(k);
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
};

/** The DSS plate solution when PLTRAH and AMDX1 are present; undefined otherwise. */
export function readDssPlate(src: WcsKeywordSource): DssPlate | undefined {
  if (n(src, 'PLTRAH') === undefined || n(src, 'AMDX1') === undefined) return undefined;
  const need = (k: string): number => {
    const v = n(src, k);
    if (v === undefined) throw new WcsError('WCS_BAD_DSS', `DSS plate solution needs ${k}`, { keyword: k });
    return v;
  };
  const ra0 = (need('PLTRAH') + need('PLTRAM') / 60 + need('PLTRAS') / 3600) * 15;
  const sign = String(src.get('PLTDECSN') ?? '+').trim() === '-' ? -1 : 1;
  const dec0 = sign * (need('PLTDECD') + need('PLTDECM') / 60 + need('PLTDECS') / 3600);
  const coeffs = (p: string): number[] => Array.from({ length: 13 }, (_, i) => n(src, `${p}${i + 1}`) ?? 0);
  return {
    ra0, dec0, ppo3: need('PPO3'), ppo6: need('PPO6'), xPixelSize: need('XPIXELSZ'), yPixelSize: need('YPIXELSZ'),
    cnpix1: n(src, 'CNPIX1') ?? 0, cnpix2: n(src, 'CNPIX2') ?? 0, amdx: coeffs('AMDX'), amdy: coeffs('AMDY'),
  };
}

/** ξ (or η with the roles of x and y swapped) in arcsec, and its derivatives ∂/∂x, ∂/∂y. */
function poly(c: readonly number[], x: number, y: number): [number, number, number] {
  const r2 = x * x + y * y;
  const f = c[0] * x + c[1] * y + c[2] + c[3] * x * x + c[4] * x * y + c[5] * y * y + c[6] * r2 +
    c[7] * x ** 3 + c[8] * x * x * y + c[9] * x * y * y + c[10] * y ** 3 + c[11] * x * r2 + c[12] * x * r2 * r2;
  const fx = c[0] + 2 * c[3] * x + c[4] * y + 2 * c[6] * x + 3 * c[7] * x * x + 2 * c[8] * x * y + c[9] * y * y +
    c[11] * (r2 + 2 * x * x) + c[12] * (r2 * r2 + 4 * x * x * r2);
  const fy = c[1] + c[4] * x + 2 * c[5] * y + 2 * c[6] * y + c[8] * x * x + 2 * c[9] * x * y + 3 * c[10] * y * y +
    c[11] * 2 * x * y + c[12] * 4 * x * y * r2;
  return [f, fx, fy];
}

/** 1-based FITS pixel → gnomonic plane (ξ, η) in degrees. */
export function dssPixel1ToPlane(d: DssPlate, px: number, py: number): [number, number] {
  const x = (d.ppo3 - d.xPixelSize * (px + d.cnpix1 - 0.5)) / 1000;
  const y = (d.yPixelSize * (py + d.cnpix2 - 0.5) - d.ppo6) / 1000;
  return [poly(d.amdx, x, y)[0] / 3600, poly(d.amdy, y, x)[0] / 3600];
}

/** Gnomonic plane (ξ, η) in degrees → 1-based FITS pixel, Newton on the plate polynomial. */
export function dssPlaneToPixel1(d: DssPlate, xiDeg: number, etaDeg: number): [number, number] {
  const xi = xiDeg * 3600;
  const eta = etaDeg * 3600;
  // Start from the linear terms.
  let x = 0;
  let y = 0;
  for (let it = 0; it < 50; it++) {
    const [f, fx, fy] = poly(d.amdx, x, y);
    const [g, gy, gx] = poly(d.amdy, y, x);
    const det = fx * gy - fy * gx;
    if (det === 0 || !Number.isFinite(det)) return [NaN, NaN];
    const dx = (gy * (f - xi) - fy * (g - eta)) / det;
    const dy = (-gx * (f - xi) + fx * (g - eta)) / det;
    x -= dx;
    y -= dy;
    if (Math.abs(dx) < 1e-14 && Math.abs(dy) < 1e-14) break;
  }
  const px = (d.ppo3 - x * 1000) / d.xPixelSize - d.cnpix1 + 0.5;
  const py = (y * 1000 + d.ppo6) / d.yPixelSize - d.cnpix2 + 0.5;
  return [px, py];
}
