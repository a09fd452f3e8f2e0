// Distortion lookup tables of the FITS WCS "Paper IV" draft (Calabretta et al. 2004), as HST's
// pipelines write them and astropy.wcs applies them (all_pix2world; wcslib itself ignores them):
//   D2IMDISj = 'LOOKUP'  detector → image correction, table in ('D2IMARR', D2IMj.EXTVER)
//   CPDISj   = 'LOOKUP'  prior (pixel-plane) distortion, table in ('WCSDVARR', DPj.EXTVER)
// Record-valued keywords: `DPj = 'EXTVER: 1'`, `DPj = 'AXIS.j: j'` (astropy reads them as
// DPj.EXTVER, DPj.AXIS.j; a table whose AXIS.j is not j is transposed). The old HST form
// `AXISCORR = 1|2` with a one-dimensional D2IMARR is read too.
// Pipeline (astropy pipeline_pix2foc), p the 1-based pixel:
//   q = p + D2IM(p);   foc = q + SIP(q − CRPIX) + CPDIS(q)
// Each table gives the offset (pixels) along its axis j by bilinear interpolation at table pixel
//   t_i = (p_i − CRVAL_i)/CDELT_i + CRPIX_i − 1   (0-based), clamped to the table's edges,
// as the draft standard reads and astropy ≥ 6.1 computes (astropy PR 16163; astropy < 6.1
// subtracted 1/CDELT instead of 1, which differs only for tables coarser than the image).
import { WcsError } from '../errors';
import type { WcsKeywordSource } from './params';

export interface LookupTable {
  /** Row-major (NAXIS1 fastest) offsets in pixels. */
  readonly data: Float64Array;
  readonly nx: number;
  readonly ny: number;
  readonly crpix: readonly [number, number];
  readonly crval: readonly [number, number];
  readonly cdelt: readonly [number, number];
}

export interface LookupDistortion {
  /** Detector → image corrections along axis 1 and 2 (null: none). */
  readonly det2im: readonly [LookupTable | null, LookupTable | null];
  /** Prior distortion along axis 1 and 2. */
  readonly cpdis: readonly [LookupTable | null, LookupTable | null];
}

/** An image extension the WCS reader may ask for: its header and numpy-order data. */
export interface LookupExtension {
  readonly header: WcsKeywordSource;
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}
export type ExtensionLookup = (extname: string, extver: number) => LookupExtension | undefined;

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

/** Offset of one table at a 1-based image pixel (x, y), exactly as astropy's get_distortion_offset. */
export function lookupOffset(t: LookupTable, x: number, y: number): number {
  const tx = clamp((x - t.crval[0]) / t.cdelt[0] + t.crpix[0] - 1, 0, t.nx - 1);
  const ty = clamp((y - t.crval[1]) / t.cdelt[1] + t.crpix[1] - 1, 0, t.ny - 1);
  const fx = Math.floor(tx);
  const fy = Math.floor(ty);
  const wx = tx - fx;
  const wy = ty - fy;
  const at = (i: number, j: number) => t.data[clamp(j, 0, t.ny - 1) * t.nx + clamp(i, 0, t.nx - 1)]!;
  return at(fx, fy) * (1 - wx) * (1 - wy) + at(fx, fy + 1) * (1 - wx) * wy + at(fx + 1, fy) * wx * (1 - wy) + at(fx + 1, fy + 1) * wx * wy;
}

/** Deltas (dx, dy) of a pair of tables at a 1-based pixel. */
export function lookupDeltas(pair: readonly [LookupTable | null, LookupTable | null], x: number, y: number): [number, number] {
  return [pair[0] ? lookupOffset(pair[0], x, y) : 0, pair[1] ? lookupOffset(pair[1], x, y) : 0];
}

/** Record-valued keyword `KEY = 'FIELD: value'` (Paper IV), e.g. DP1 'EXTVER: 1'. */
function recordValue(header: WcsKeywordSource, key: string, field: string): number | undefined {
  // Some readers keep the dotted name (DP1.EXTVER) as the keyword; accept both.
  const dotted = header.get(`${key}.${field}`);
  if (typeof dotted === 'number') return dotted;
  const all = header.getAll?.(key) ?? [];
  for (const card of all) {
    const m = /^\s*([A-Za-z0-9_.]+)\s*:\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*$/.exec(String(card.value));
    if (m && m[1]!.toUpperCase() === field.toUpperCase()) return Number(m[2]);
  }
  return undefined;
}

function tableFrom(ext: LookupExtension | undefined, what: string, transpose: boolean): LookupTable {
  if (!ext) throw new WcsError('WCS_LOOKUP_MISSING', `${what}: the lookup-table extension is not in the file`, { keyword: what });
  const shape = ext.shape.length === 1 ? [1, ext.shape[0]!] : ext.shape;
  if (shape.length !== 2 || shape[0]! < 1 || shape[1]! < 1) {
    throw new WcsError('WCS_LOOKUP_SHAPE', `${what}: a lookup table must be a 1-D or 2-D image (shape ${JSON.stringify(ext.shape)})`, { keyword: what });
  }
  let [ny, nx] = shape as [number, number];
  let data = Float64Array.from(ext.data as ArrayLike<number>);
  if (data.length !== nx * ny) throw new WcsError('WCS_LOOKUP_SHAPE', `${what}: table has ${data.length} values for shape ${ny}×${nx}`, { keyword: what });
  if (transpose) {
    const t = new Float64Array(nx * ny);
    for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) t[i * ny + j] = data[j * nx + i]!;
    data = t;
    [nx, ny] = [ny, nx];
  }
  const num = (k: string, d: number) => {
    const v = ext.header.get(k);
    return typeof v === 'number' ? v : d;
  };
  const cdelt: [number, number] = [num('CDELT1', 1), num('CDELT2', 1)];
  if (cdelt[0] === 0 || cdelt[1] === 0) throw new WcsError('WCS_LOOKUP_SHAPE', `${what}: CDELT of the lookup table is 0`, { keyword: what });
  return { data, nx, ny, crpix: [num('CRPIX1', 0), num('CRPIX2', 0)], crval: [num('CRVAL1', 0), num('CRVAL2', 0)], cdelt };
}

function readPair(header: WcsKeywordSource, ext: ExtensionLookup, dist: string, recKey: string, extname: string): [LookupTable | null, LookupTable | null] {
  const out: [LookupTable | null, LookupTable | null] = [null, null];
  for (const j of [1, 2] as const) {
    const kind = header.get(`${dist}${j}`);
    if (kind === undefined) continue;
    if (String(kind).trim().toUpperCase() !== 'LOOKUP') {
      throw new WcsError('WCS_LOOKUP_UNSUPPORTED', `${dist}${j} = '${String(kind)}': only LOOKUP distortion tables are supported (as in astropy)`, { keyword: `${dist}${j}` });
    }
    const extver = recordValue(header, `${recKey}${j}`, 'EXTVER') ?? 1;
    const axis = recordValue(header, `${recKey}${j}`, `AXIS.${j}`) ?? j;
    out[j - 1] = tableFrom(ext(extname, extver), `${dist}${j} (${extname}, ${extver})`, axis !== j);
  }
  return out;
}

/**
 * Reads the lookup-table distortions of a header, fetching the tables through `ext`; undefined when
 * the header has none. Throws WcsError naming the keyword when a table is missing or malformed.
 */
export function readLookupDistortion(header: WcsKeywordSource, ext: ExtensionLookup): LookupDistortion | undefined {
  const cpdis = readPair(header, ext, 'CPDIS', 'DP', 'WCSDVARR');
  let det2im: [LookupTable | null, LookupTable | null];
  const axiscorr = header.get('AXISCORR');
  if (typeof axiscorr === 'number') {
    // Deprecated HST form: one D2IMARR table applied along axis AXISCORR.
    const t = tableFrom(ext('D2IMARR', 1), 'AXISCORR (D2IMARR, 1)', false);
    det2im = axiscorr === 1 ? [t, null] : axiscorr === 2 ? [null, t] : [null, null];
  } else det2im = readPair(header, ext, 'D2IMDIS', 'D2IM', 'D2IMARR');
  if (!cpdis[0] && !cpdis[1] && !det2im[0] && !det2im[1]) return undefined;
  return { det2im, cpdis };
}

/** True when a header names lookup-table distortions (so the caller should supply its extensions). */
export function hasLookupDistortion(header: WcsKeywordSource): boolean {
  return ['CPDIS1', 'CPDIS2', 'D2IMDIS1', 'D2IMDIS2', 'AXISCORR'].some((k) => header.get(k) !== undefined);
}
