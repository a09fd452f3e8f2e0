// Registry: FITS projection code → constructor. Codes not listed raise WcsError naming CTYPE.
import { WcsError } from '../../errors';
import type { Projection, ProjectionParams } from './projection';
import { tan, sin, arc, zea, stg, zpn, azp } from './zenithal';
import { car, mer, cea, cyp, sfl, par, mol, ait } from './cylindrical';
import { coe, bon, hpx } from './conic';

export type { Projection, ProjectionParams } from './projection';

const REGISTRY: Record<string, (p: ProjectionParams) => Projection> = {
  TAN: tan, SIN: sin, ARC: arc, ZEA: zea, STG: stg, ZPN: zpn, AZP: azp,
  CAR: car, MER: mer, CEA: cea, CYP: cyp, SFL: sfl, GLS: sfl, PAR: par, MOL: mol, AIT: ait,
  COE: coe, BON: (p) => (p.get(1) ? bon(p) : sfl()), HPX: hpx,
};

export const SUPPORTED_PROJECTIONS: readonly string[] = Object.keys(REGISTRY);

/** Builds the projection for a 3-letter code with the latitude axis' PVi_m parameters. */
export function makeProjection(code: string, params: ProjectionParams, keyword = 'CTYPE'): Projection {
  const make = REGISTRY[code];
  if (!make) {
    throw new WcsError('WCS_UNSUPPORTED_PROJECTION', `projection '${code}' (${keyword}) is not supported; supported: ${SUPPORTED_PROJECTIONS.join(' ')}`, { keyword, projection: code });
  }
  return make(params);
}
