// Encodes a CutoutBatch as one FITS file (bytes; src-main writes them) with the project's writer
// (src-core/fits, FITS Standard 4.0):
//   primary HDU  float32 cube NAXIS1 = W, NAXIS2 = H, NAXIS3 = bands, NAXIS4 = N (C order
//                N × bands × H × W), e⁻ over the co-add, sky subtracted, TAN WCS at a nominal position
//   VARIANCE     same shape, e⁻²
//   TRUTH        BINTABLE, one row per cutout: fixed numeric columns (NaN where not drawn), the
//                kind, and TRUTH_JSON holding every drawn parameter (the full truth record).
// WCS: north up, east left (CDELT1 < 0), so +x (columns) points west and the lens-model angle φ
// (CCW from +x) is the east-of-north position angle + 90°. Axes 3 and 4 are linear band / index axes.
import { writeFits, type CardInput } from '../fits';
import { configRecord } from './config';
import { getPreset } from './presets';
import type { CutoutBatch } from './simulate';

/** Numeric truth columns; lens_mag_<b>, source_mag_<b> (unlensed) and lensed_src_mag_<b> follow per band. */
export const TRUTH_COLUMNS = [
  'index', 'seed', 'is_lens', 'theta_E', 'mass_q', 'mass_phi', 'gamma1', 'gamma2',
  'lens_re', 'lens_n', 'lens_q', 'lens_phi', 'lens_rmag',
  'src_x', 'src_y', 'src_re', 'src_n', 'src_q', 'src_phi', 'src_rmag', 'n_clumps', 'clump_frac',
  'mu', 'snr', 'resolved', 'detectable', 'attempts',
] as const;

export interface CubeOptions {
  /** Nominal sky position of the cutout centres (deg). */
  ra?: number;
  dec?: number;
}

const c = (keyword: string, value: string | number | boolean, comment?: string): CardInput => ({ keyword, value, comment });

function wcsCards(batch: CutoutBatch, o: CubeOptions): CardInput[] {
  const ps = getPreset(batch.config.preset).pixelScale;
  const mid = (batch.size + 1) / 2;
  return [
    c('CTYPE1', 'RA---TAN'), c('CTYPE2', 'DEC--TAN'), c('CTYPE3', 'BAND'), c('CTYPE4', 'INDEX'),
    c('CUNIT1', 'deg'), c('CUNIT2', 'deg'),
    c('CRPIX1', mid, 'lens centre (1-based)'), c('CRPIX2', mid), c('CRPIX3', 1), c('CRPIX4', 1),
    c('CRVAL1', o.ra ?? 150, 'nominal RA (deg)'), c('CRVAL2', o.dec ?? 2, 'nominal Dec (deg)'),
    c('CRVAL3', 1, 'band number, see BAND1...'), c('CRVAL4', batch.start, 'first cutout index'),
    c('CDELT1', -ps / 3600, 'deg/pixel, east left'), c('CDELT2', ps / 3600, 'deg/pixel'),
    c('CDELT3', 1), c('CDELT4', 1), c('RADESYS', 'ICRS'),
  ];
}

const ascii = (v: string) => v.replace(/[^\x20-\x7e]/g, '?');

/**
 * Where pixelised PSFs and source stamps came from (only when used): per band index n,
 * PSFFILEn (file name), PSFSHAn (SHA-256 of the file), PSFPLNn (plane of a cube); STAMPLIB (the
 * stamp library's content id), NSTAMPS, STAMPFRC (fraction of lenses with a stamp source).
 */
function provenanceCards(batch: CutoutBatch): CardInput[] {
  const out: CardInput[] = [];
  batch.bands.forEach((b, i) => {
    const s = batch.config.psfOverride?.[b];
    if (s?.type !== 'pixel' || !s.origin) return;
    out.push(c(`PSFFILE${i + 1}`, ascii(s.origin.file).slice(0, 68), `PSF file of band ${b}`));
    out.push(c(`PSFSHA${i + 1}`, s.origin.sha256, 'SHA-256 of the PSF file'));
    if (s.origin.plane !== undefined) out.push(c(`PSFPLN${i + 1}`, s.origin.plane, 'plane of the PSF cube (0-based)'));
  });
  const lib = batch.config.sourceStamps;
  if (lib) {
    out.push(c('STAMPLIB', ascii(lib.id).slice(0, 68), 'source stamp library id'));
    out.push(c('NSTAMPS', lib.stamps.length, 'source stamps in the library'));
    out.push(c('STAMPFRC', lib.fraction, 'fraction of lenses with a stamp source'));
  }
  return out;
}

function stampColumn(batch: CutoutBatch) {
  const names = batch.truths.map((t) => ascii(String(t.src_stamp ?? '')));
  return { name: 'src_stamp', format: `${Math.max(1, ...names.map((s) => s.length))}A`, values: names, comment: 'source stamp file [plane]' };
}

export function encodeSimulationFits(batch: CutoutBatch, o: CubeOptions = {}): Uint8Array {
  const { size, bands, count } = batch;
  const preset = getPreset(batch.config.preset);
  const shape = [count, bands.length, size, size];
  const n = count * bands.length * size * size;
  const meta: CardInput[] = [
    c('BUNIT', 'electron'), ...wcsCards(batch, o),
    c('ORIGIN', 'LensDesk simulate'), c('PRESET', preset.name), c('PIXSCALE', preset.pixelScale, 'arcsec/pixel'),
    c('SEED', batch.seed), c('START', batch.start, 'index of the first cutout'), c('NCUTOUT', count),
    c('BANDS', bands.join(','), 'band of each plane (NAXIS3 order), as stamps'),
    ...bands.map((b, i) => c(`BAND${i + 1}`, b)),
    c('SUPERSMP', batch.config.supersample, 'sub-pixels per pixel side (stamp)'),
    { keyword: 'COMMENT', value: 'Sky-subtracted electrons summed over the co-add; remake any cutout from (SEED, index).' },
    { keyword: 'COMMENT', value: 'CONFIG ' + JSON.stringify(configRecord(batch.config)) },
    ...provenanceCards(batch),
    ...preset.sources.map((s): CardInput => ({ keyword: 'HISTORY', value: 'source: ' + s.replace(/[^\x20-\x7e]/g, '?') })),
  ];
  const stamps = !!batch.config.sourceStamps;
  const cols = [...TRUTH_COLUMNS, ...(stamps ? ['src_stamp_index'] : []), ...bands.map((b) => `lens_mag_${b}`), ...bands.map((b) => `source_mag_${b}`), ...bands.map((b) => `lensed_src_mag_${b}`)];
  const json = batch.truths.map((t) => JSON.stringify(t).replace(/[^\x20-\x7e]/g, '?'));
  const jw = Math.max(1, ...json.map((s) => s.length));
  return writeFits([
    { kind: 'image', shape, data: batch.images.subarray(0, n), cards: meta },
    { kind: 'image', shape, data: batch.variance.subarray(0, n), extname: 'VARIANCE', cards: [c('BUNIT', 'electron**2'), ...wcsCards(batch, o)] },
    {
      kind: 'bintable', extname: 'TRUTH', nrows: batch.truths.length,
      columns: [
        ...cols.map((name) => ({ name, format: 'D', values: batch.truths.map((t) => (typeof t[name] === 'number' ? (t[name] as number) : NaN)) })),
        { name: 'kind', format: '16A', values: batch.truths.map((t) => String(t.kind ?? '')) },
        ...(stamps ? [stampColumn(batch)] : []),
        { name: 'TRUTH_JSON', format: `${jw}A`, values: json, comment: 'every drawn parameter' },
      ],
    },
  ]);
}
