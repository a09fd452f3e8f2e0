// Branded coordinate types: mixing pixel and sky coordinates is a compile error.
// Conventions: pixel positions in this API are 0-based (FITS is 1-based: say so in names when
// converting), x along NAXIS1 (columns), y along NAXIS2 (rows). Sky positions in degrees, ICRS
// unless a WCS says otherwise. Image-plane angles for lens models in arcseconds.

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** 0-based pixel position, x along NAXIS1. */
export type PixelXY = Brand<{ readonly x: number; readonly y: number }, 'PixelXY'>;
/** Sky position in degrees (RA/lon, Dec/lat). */
export type SkyRaDec = Brand<{ readonly ra: number; readonly dec: number }, 'SkyRaDec'>;
/** Image-plane offset from the cutout centre in arcseconds (x along RA-like axis, y along Dec). */
export type ArcsecXY = Brand<{ readonly x: number; readonly y: number }, 'ArcsecXY'>;

export const pixelXY = (x: number, y: number): PixelXY => ({ x, y }) as PixelXY;
export const skyRaDec = (ra: number, dec: number): SkyRaDec => ({ ra, dec }) as SkyRaDec;
export const arcsecXY = (x: number, y: number): ArcsecXY => ({ x, y }) as ArcsecXY;

export const DEG = Math.PI / 180;
export const ARCSEC_PER_DEG = 3600;
