// Encodes a CutoutBatch as one FITS file (bytes; src-main writes them):
//   primary HDU  float32 cube NAXIS1 = W, NAXIS2 = H, NAXIS3 = bands, NAXIS4 = N (C order
//                N × bands × H × W), e⁻ over the co-add, sky subtracted, TAN WCS at a nominal position
//   VARIANCE     same shape, e⁻²
//   TRUTH        BINTABLE, one row per cutout: fixed numeric columns (NaN where not drawn), the
//                kind, and TRUTH_JSON holding every drawn parameter (the full truth record).
// WCS: north up, east left (CDELT1 < 0), so +x (columns) points west and the lens-model angle φ
// (CCW from +x) is the east-of-north position angle + 90°. Axes 3 and 4 are linear band / index axes.
import { card, commentary, float32Block, headerBlock } from './fits-cards';
import { getPreset } from './presets';
import type { CutoutBatch } from './simulate';

/** Numeric truth columns; band magnitudes are appended per band. */
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

function columnsFor(bands: string[]): string[] {
  return [...TRUTH_COLUMNS, ...bands.map((b) => `src_mag_${b}`), ...bands.map((b) => `lensed_src_mag_${b}`)];
}

export function encodeSimulationFits(batch: CutoutBatch, o: CubeOptions = {}): Uint8Array {
  const { size, bands, count } = batch;
  const preset = getPreset(batch.config.preset);
  const ps = preset.pixelScale;
  const shape = (xt: boolean, extname?: string, bunit = 'electron') => [
    xt ? card('XTENSION', 'IMAGE', 'image extension') : card('SIMPLE', true, 'conforms to FITS Standard 4.0'),
    card('BITPIX', -32, 'IEEE float32'),
    card('NAXIS', 4),
    card('NAXIS1', size, 'x (columns)'),
    card('NAXIS2', size, 'y (rows)'),
    card('NAXIS3', bands.length, 'band'),
    card('NAXIS4', count, 'cutout'),
    ...(xt ? [card('PCOUNT', 0), card('GCOUNT', 1), card('EXTNAME', extname!)] : [card('EXTEND', true)]),
    card('BUNIT', bunit),
    card('CTYPE1', 'RA---TAN'), card('CTYPE2', 'DEC--TAN'), card('CTYPE3', 'BAND'), card('CTYPE4', 'INDEX'),
    card('CUNIT1', 'deg'), card('CUNIT2', 'deg'),
    card('CRPIX1', (size + 1) / 2, 'lens centre (1-based)'), card('CRPIX2', (size + 1) / 2),
    card('CRPIX3', 1), card('CRPIX4', 1),
    card('CRVAL1', o.ra ?? 150.0, 'nominal RA (deg)'), card('CRVAL2', o.dec ?? 2.0, 'nominal Dec (deg)'),
    card('CRVAL3', 1, 'band number (see BAND1...)'), card('CRVAL4', batch.start, 'first cutout index'),
    card('CDELT1', -ps / 3600, 'deg/pixel, east left'), card('CDELT2', ps / 3600, 'deg/pixel'),
    card('CDELT3', 1), card('CDELT4', 1),
    card('RADESYS', 'ICRS'),
  ];
  const meta = [
    card('ORIGIN', 'LensDesk simulate'),
    card('PRESET', preset.name), card('PIXSCALE', ps, 'arcsec/pixel'),
    card('SEED', batch.seed), card('START', batch.start, 'index of the first cutout'),
    card('NCUTOUT', count),
    ...bands.map((b, i) => card(`BAND${i + 1}`, b)),
    card('SUPERSMP', batch.config.supersample, 'sub-pixels per pixel side (stamp)'),
    ...commentary('COMMENT', 'Sky-subtracted electrons summed over the co-add; remake any cutout from (SEED, index).'),
    ...commentary('COMMENT', 'CONFIG ' + JSON.stringify(batch.config)),
    ...preset.sources.flatMap((s) => commentary('HISTORY', 'source: ' + s)),
  ];
  const primary = headerBlock([...shape(false), ...meta]);
  const imgData = float32Block(batch.images.subarray(0, count * bands.length * size * size));
  const varHdr = headerBlock(shape(true, 'VARIANCE', 'electron**2'));
  const varData = float32Block(batch.variance.subarray(0, count * bands.length * size * size));
  const [tabHdr, tabData] = truthTable(batch);
  const parts = [primary, imgData, varHdr, varData, tabHdr, tabData];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

function truthTable(batch: CutoutBatch): [Uint8Array, Uint8Array] {
  const cols = columnsFor(batch.bands);
  const json = batch.truths.map((t) => JSON.stringify(t).replace(/[^\x20-\x7e]/g, '?'));
  const jw = Math.max(1, ...json.map((s) => s.length));
  const kw = 16;
  const rowBytes = cols.length * 8 + kw + jw;
  const cards = [
    card('XTENSION', 'BINTABLE', 'binary table extension'), card('BITPIX', 8), card('NAXIS', 2),
    card('NAXIS1', rowBytes, 'bytes per row'), card('NAXIS2', batch.truths.length, 'rows = cutouts'),
    card('PCOUNT', 0), card('GCOUNT', 1), card('TFIELDS', cols.length + 2), card('EXTNAME', 'TRUTH'),
  ];
  cols.forEach((c, i) => cards.push(card(`TTYPE${i + 1}`, c), card(`TFORM${i + 1}`, 'D')));
  cards.push(card(`TTYPE${cols.length + 1}`, 'kind'), card(`TFORM${cols.length + 1}`, `${kw}A`));
  cards.push(card(`TTYPE${cols.length + 2}`, 'TRUTH_JSON'), card(`TFORM${cols.length + 2}`, `${jw}A`, 'every drawn parameter'));
  const len = Math.ceil((rowBytes * batch.truths.length) / 2880) * 2880;
  const data = new Uint8Array(len);
  const dv = new DataView(data.buffer);
  batch.truths.forEach((t, r) => {
    let o = r * rowBytes;
    for (const c of cols) {
      const v = t[c];
      dv.setFloat64(o, typeof v === 'number' ? v : NaN, false);
      o += 8;
    }
    const kind = String(t.kind ?? '').slice(0, kw).padEnd(kw);
    for (let i = 0; i < kw; i++) data[o + i] = kind.charCodeAt(i);
    o += kw;
    const s = json[r].padEnd(jw);
    for (let i = 0; i < jw; i++) data[o + i] = s.charCodeAt(i);
  });
  return [headerBlock(cards), data];
}
