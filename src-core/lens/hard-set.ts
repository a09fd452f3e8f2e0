// The held-out "hard" evaluation set: the simulator at hardness 1 (faint sources, arc-like
// companions), Einstein radii down to 0.5″ (where ground-based finders lose lenses: Metcalf et al.
// 2019, A&A 625, A119, §6), a quarter of the lenses lensed quasars, and a negative mix dominated by
// the look-alikes finders confuse with lenses — rings, mergers, spirals, edge-on discs, blends,
// artefacts (Jacobs et al. 2019, ApJS 243, 17; Rojas et al. 2022, A&A 668, A73). Per-class false-
// positive rates and per-θE true-positive rates on it go into the model card (classify/breakdown.ts).
import type { SimulationConfig } from './config';

export const HARD_SET_MIX = {
  deflector: 0.1, ring: 0.2, spiral: 0.12, merger: 0.2, star: 0.06, artefact: 0.08, edgeon: 0.12, blend: 0.12,
} as const;

/** Default seed of the hard set: far from the training seeds (1, 2, …) used by `train`. */
export const HARD_SET_SEED = 9001;

/** θE bins (arcsec) for the per-bin true-positive rates. */
export const THETA_E_BINS = [0.5, 1, 1.5, 2, 2.5] as const;

export function hardSetConfig(base: Pick<SimulationConfig, 'preset' | 'bands' | 'size'>): SimulationConfig {
  return {
    ...base,
    lensFraction: 0.5,
    hardness: 1,
    thetaEMin: THETA_E_BINS[0],
    thetaEMax: THETA_E_BINS[THETA_E_BINS.length - 1],
    negativeMix: { ...HARD_SET_MIX },
    quasarFraction: 0.25,
  };
}
