// Posterior draws of a lens fit as a FITS BINTABLE (FITS 4.0 §7.3), EXTNAME 'SAMPLES': one row per draw,
// in chain order (all draws of chain 0, then chain 1, …). Pure: returns the HDU spec for the project's
// FITS writer (src-core/fits/writer) and the file bytes; src-main writes them to disk.
// Columns:
//   CHAIN (J, 0-based), DRAW (J, 0-based within the chain, after warm-up),
//   one D column per physical parameter (LENS_PARAM_NAMES order; TUNIT arcsec for angles on the sky),
//   LP (D: the sampler's log density, i.e. −χ²/2 + log|J| of the constraint transform, up to a constant —
//       Stan's lp__; the Laplace preconditioning is linear so it adds only a constant),
//   ACCEPT_STAT (D), N_LEAPFROG (J), DIVERGENT (L), TREEDEPTH (I), ENERGY (D) — the NUTS per-draw statistics.
// Header keywords record what was fitted and how (FITFILE, BANDS, SAMPLER, NCHAINS, NWARMUP, NDRAWS, SEED,
// RHATMAX, …; see docs/infer.md "Posterior draws as FITS").
import { InputError } from '../errors';
import type { CardInput } from '../fits/card-format';
import { writeFits, type BinColumnSpec, type BinTableHduSpec } from '../fits/writer';
import type { ChainResult } from './sample';

/** TUNIT per physical lens parameter; dimensionless ones (ellipticities, shear, Sérsic n) have none. */
export const LENS_PARAM_UNITS: Readonly<Record<string, string>> = {
  theta_E: 'arcsec', src_x: 'arcsec', src_y: 'arcsec', src_r_e: 'arcsec', lens_r_e: 'arcsec',
};

export interface SamplesTableMeta {
  /** Name of the cutout file fitted (a base name; non-ASCII characters become '?'). */
  file: string;
  bands: string[];
  /** Sampler name written to SAMPLER ('NUTS'). */
  sampler: string;
  warmup: number;
  seed: number;
  /** Largest rank-normalised split R̂ over the parameters (Vehtari et al. 2021). */
  rhatMax: number;
  software: string;
  /** ISO 8601 UTC time of writing. */
  date: string;
  /** Optional extras (written when given). */
  index?: number;
  grid?: string;
  psf?: string;
  pixelScale?: number;
  size?: number;
  mapChi2?: number;
  maxDepth?: number;
}

const ascii = (s: string) => s.replace(/[^\x20-\x7e]/g, '?');
const finiteOr = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : undefined);

/**
 * The SAMPLES table from chains whose draws are already physical parameters (toPhysicalChains) and whose
 * stats are the sampler's per-draw statistics. All chains must have the same dimension as `names`.
 */
export function samplesTable(chains: ChainResult[], names: readonly string[], meta: SamplesTableMeta): BinTableHduSpec {
  if (chains.length === 0) throw new InputError('SAMPLES_EMPTY', 'no chains to write');
  const dim = names.length;
  for (const c of chains)
    if (c.dim !== dim) throw new InputError('SAMPLES_DIM', `chain ${c.chain} has ${c.dim} parameters, expected ${dim}`, { chain: c.chain });
  const nrows = chains.reduce((a, c) => a + c.nSamples, 0);
  const chain = new Int32Array(nrows);
  const draw = new Int32Array(nrows);
  const params = names.map(() => new Float64Array(nrows));
  const lp = new Float64Array(nrows);
  const accept = new Float64Array(nrows);
  const nLeapfrog = new Int32Array(nrows);
  const divergent: boolean[] = new Array<boolean>(nrows);
  const depth = new Int16Array(nrows);
  const energy = new Float64Array(nrows);
  let r = 0;
  for (const c of chains) {
    for (let i = 0; i < c.nSamples; i++, r++) {
      chain[r] = c.chain;
      draw[r] = i;
      for (let k = 0; k < dim; k++) params[k]![r] = c.draws[i * dim + k]!;
      lp[r] = c.stats.logDensity[i]!;
      accept[r] = c.stats.acceptProb[i]!;
      nLeapfrog[r] = c.stats.nSteps[i]!;
      divergent[r] = c.stats.divergent[i] === 1;
      depth[r] = c.stats.treeDepth[i]!;
      energy[r] = c.stats.energy[i]!;
    }
  }
  const columns: BinColumnSpec[] = [
    { name: 'CHAIN', format: 'J', values: chain, comment: 'chain index (0-based)' },
    { name: 'DRAW', format: 'J', values: draw, comment: 'draw index in the chain after warm-up (0-based)' },
    ...names.map((n, k): BinColumnSpec => ({ name: n, format: 'D', values: params[k]!, ...(LENS_PARAM_UNITS[n] ? { unit: LENS_PARAM_UNITS[n] } : {}) })),
    { name: 'LP', format: 'D', values: lp, comment: 'log density (lp__), up to a constant' },
    { name: 'ACCEPT_STAT', format: 'D', values: accept, comment: 'mean Metropolis acceptance in the tree' },
    { name: 'N_LEAPFROG', format: 'J', values: nLeapfrog, comment: 'leapfrog steps (gradient evaluations)' },
    { name: 'DIVERGENT', format: 'L', values: divergent, comment: 'energy error above 1000 in the tree' },
    { name: 'TREEDEPTH', format: 'I', values: depth, comment: 'NUTS tree depth' },
    { name: 'ENERGY', format: 'D', values: energy, comment: 'Hamiltonian of the draw (E-BFMI)' },
  ];
  const cards: CardInput[] = [
    { keyword: 'FITFILE', value: ascii(meta.file), comment: 'cutout fitted' },
    ...(meta.index !== undefined ? [{ keyword: 'FITINDEX', value: meta.index, comment: 'cutout index in the file' }] : []),
    { keyword: 'BANDS', value: ascii(meta.bands.join(',')), comment: 'bands fitted' },
    { keyword: 'NBANDS', value: meta.bands.length },
    { keyword: 'MODEL', value: 'SIE+shear, Sersic source, deV lens light', comment: 'lens model (docs/infer.md)' },
    { keyword: 'SAMPLER', value: ascii(meta.sampler), comment: 'MCMC algorithm' },
    ...(meta.maxDepth !== undefined ? [{ keyword: 'MAXDEPTH', value: meta.maxDepth, comment: 'NUTS maximum tree depth' }] : []),
    { keyword: 'NCHAINS', value: chains.length, comment: 'chains' },
    { keyword: 'NWARMUP', value: meta.warmup, comment: 'warm-up iterations per chain (not stored)' },
    { keyword: 'NDRAWS', value: chains[0]!.nSamples, comment: 'draws per chain' },
    { keyword: 'SEED', value: meta.seed, comment: 'random seed (chains: Rng(seed, chain))' },
    ...(finiteOr(meta.rhatMax) !== undefined ? [{ keyword: 'RHATMAX', value: meta.rhatMax, type: 'float' as const, comment: 'max rank-normalised split R-hat' }] : []),
    ...(meta.grid ? [{ keyword: 'GRID', value: ascii(meta.grid), comment: 'pixel integration grid' }] : []),
    ...(meta.psf ? [{ keyword: 'PSF', value: ascii(meta.psf), comment: 'PSF used' }] : []),
    ...(finiteOr(meta.pixelScale) !== undefined ? [{ keyword: 'PIXSCALE', value: meta.pixelScale!, type: 'float' as const, comment: '[arcsec/pixel]' }] : []),
    ...(meta.size !== undefined ? [{ keyword: 'STAMPSZ', value: meta.size, comment: 'stamp side [pixel]' }] : []),
    ...(finiteOr(meta.mapChi2) !== undefined ? [{ keyword: 'MAPCHI2', value: meta.mapChi2!, type: 'float' as const, comment: 'chi-squared at the MAP' }] : []),
    { keyword: 'CREATOR', value: ascii(meta.software), comment: 'software' },
    { keyword: 'DATE', value: ascii(meta.date), comment: 'file creation time (UTC)' },
  ];
  return { kind: 'bintable', columns, nrows, extname: 'SAMPLES', cards };
}

/** The whole file: empty primary HDU + the SAMPLES table, with CHECKSUM/DATASUM. */
export function encodeSamplesFits(chains: ChainResult[], names: readonly string[], meta: SamplesTableMeta): Uint8Array {
  return writeFits([samplesTable(chains, names, meta)], { checksum: true });
}
