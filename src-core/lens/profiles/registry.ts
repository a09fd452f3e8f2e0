// Registry of profiles by name, as lenstronomy's LensModel / LightModel lists. Scenes refer to
// profiles by these names so a truth record names the exact model that made an image.
import { InputError } from '../../errors';
import { CLUMPY_SOURCE } from './clumpy-source';
import { POINT_MASS } from './point-mass';
import { GAUSSIAN_RING } from './ring';
import { SERSIC } from './sersic';
import { SHEAR } from './shear';
import { SIE } from './sie';
import { SIS } from './sis';
import { SPIRAL } from './spiral';
import { STAMP_SOURCE } from './stamp-source';
import type { LightProfile, MassProfile } from './types';

export const MASS_PROFILES: Readonly<Record<string, MassProfile>> = { SIE, SIS, POINT_MASS, SHEAR };
export const LIGHT_PROFILES: Readonly<Record<string, LightProfile>> = {
  SERSIC, CLUMPY_SOURCE, GAUSSIAN_RING, SPIRAL, STAMP_SOURCE,
};

export function massProfile(name: string): MassProfile {
  const m = MASS_PROFILES[name];
  if (!m) throw new InputError('LENS_UNKNOWN_PROFILE', `unknown mass profile '${name}'`, { profile: name, known: Object.keys(MASS_PROFILES).join(',') });
  return m;
}

export function lightProfile(name: string): LightProfile {
  const l = LIGHT_PROFILES[name];
  if (!l) throw new InputError('LENS_UNKNOWN_PROFILE', `unknown light profile '${name}'`, { profile: name, known: Object.keys(LIGHT_PROFILES).join(',') });
  return l;
}

export type { LightProfile, MassProfile, ParamSpec, Params } from './types';
