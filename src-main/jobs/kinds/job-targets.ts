// Which candidates a per-candidate job (fit, restore, deblend, …) runs on: an explicit selection, a
// catalog, or every candidate whose review consensus is at least a grade. One parser so every job
// rejects the same bad input with the same message, naming the job and the field.
import { InputError } from '../../../src-core/errors';

export interface JobTargets {
  sourceIds?: number[];
  catalogId?: number;
  /** Consensus grade on the 0–3 scale (2 = "consensus ≥ B"). */
  minConsensus?: number;
}

/**
 * Reads sourceIds / catalogId / minConsensus from raw job params. `consensus` false: the job takes only
 * a selection or a catalog (minConsensus is then not accepted as a target).
 */
export function parseJobTargets(job: string, p: Record<string, unknown>, opts: { consensus: boolean }): JobTargets {
  const bad = (field: string, msg: string) => new InputError('INVALID_PARAMS', `${job}: ${msg}`, { field: field ? `params.${field}` : 'params' });
  const out: JobTargets = {};
  if (p.sourceIds !== undefined) {
    if (!Array.isArray(p.sourceIds) || !p.sourceIds.length || !p.sourceIds.every((x) => Number.isInteger(x) && x > 0))
      throw bad('sourceIds', 'sourceIds must be a non-empty array of source ids');
    out.sourceIds = p.sourceIds as number[];
  }
  if (p.catalogId !== undefined) {
    if (!Number.isInteger(p.catalogId) || (p.catalogId as number) < 1 || (p.catalogId as number) > 2 ** 31 - 1)
      throw bad('catalogId', 'catalogId must be a positive integer');
    out.catalogId = p.catalogId as number;
  }
  if (opts.consensus && p.minConsensus !== undefined) {
    const v = Number(p.minConsensus);
    if (!(v >= 0 && v <= 3)) throw bad('minConsensus', 'minConsensus must be within [0, 3]');
    out.minConsensus = v;
  }
  if (out.sourceIds === undefined && out.catalogId === undefined && out.minConsensus === undefined)
    throw bad(opts.consensus ? '' : 'sourceIds',
      opts.consensus ? 'give sourceIds, catalogId or minConsensus (e.g. 2 for "consensus ≥ B")' : 'give sourceIds or catalogId');
  return out;
}
