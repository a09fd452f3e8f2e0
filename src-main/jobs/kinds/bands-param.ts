// The `bands` job parameter (`--bands g,r,i,z` on ingest and score): the bands of a file's planes
// in plane order, for cutouts whose keywords do not name them (src-core/stamps/band-keywords.ts).
import { InputError } from '../../../src-core/errors';
import { isImageHdu } from '../../../src-core/fits/index';
import { singleBand } from '../../../src-core/stamps/band-keywords';
import { parseBandList } from '../../../src-core/stamps/band-names';
import { openFitsFile } from '../../fits/file-source';

/** A band list from a job's params (a 'g,r,i,z' string or an array), normalised; undefined when absent. */
export function prepareBandsParam(v: unknown): string[] | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const list = typeof v === 'string' ? parseBandList(v) : Array.isArray(v) ? parseBandList(v.map(String).join(',')) : null;
  if (!list?.length) throw new InputError('INVALID_PARAMS', `bands: expected a list such as 'g,r,i,z', got ${JSON.stringify(v)}`, { field: 'params.bands' });
  if (new Set(list).size !== list.length) throw new InputError('INVALID_PARAMS', `bands: '${list.join(',')}' names a band twice`, { field: 'params.bands' });
  return list;
}

/**
 * The band of a survey image given without `band=` (ingest --catalog-file --images FILE): its
 * FILTER/BAND/EXTNAME (or the primary header's FILTER), normalised; null when it names none.
 */
export function bandOfImageFile(path: string, hdu?: number): string | null {
  const file = openFitsFile(path);
  try {
    const h = hdu !== undefined ? file.hdu(hdu) : file.hdus().find((x) => isImageHdu(x) && (x.compressed || x.naxes.length >= 2));
    if (!h) return null;
    const own = singleBand(h.header, { file: file.name, hdu: h.index });
    const prim = h.index === 0 ? null : singleBand(file.hdu(0).header, { file: file.name, hdu: 0 });
    return (own ?? prim)?.bands[0] ?? null;
  } finally {
    file.source.close?.();
  }
}
