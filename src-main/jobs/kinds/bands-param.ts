// The `bands` job parameter (`--bands g,r,i,z` on ingest and score): the bands of a file's planes
// in plane order, for cutouts whose keywords do not name them (src-core/stamps/band-keywords.ts).
import { InputError } from '../../../src-core/errors';
import { parseBandList } from '../../../src-core/stamps/band-names';

/** A band list from a job's params (a 'g,r,i,z' string or an array), normalised; undefined when absent. */
export function prepareBandsParam(v: unknown): string[] | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const list = typeof v === 'string' ? parseBandList(v) : Array.isArray(v) ? parseBandList(v.map(String).join(',')) : null;
  if (!list?.length) throw new InputError('INVALID_PARAMS', `bands: expected a list such as 'g,r,i,z', got ${JSON.stringify(v)}`, { field: 'params.bands' });
  if (new Set(list).size !== list.length) throw new InputError('INVALID_PARAMS', `bands: '${list.join(',')}' names a band twice`, { field: 'params.bands' });
  return list;
}
