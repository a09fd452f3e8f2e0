// Public API of the WCS module. Pixel positions are 0-based unless a name says Pixel1 (FITS).
export { Wcs, readWcs, celestialWcsKeys } from './wcs';
export type { WcsOptions } from './wcs';
export { readWcsParams } from './params';
export type { WcsParams, WcsKeywordSource, SipPolynomial } from './params';
export { wcsHeaderCards, wcsCardInputs } from './cards';
export type { WcsCard } from './cards';
export { makeProjection, SUPPORTED_PROJECTIONS } from './projections/index';
export type { Projection } from './projections/index';
