// The deblend product FITS (docs/deblend.md), written by `lensdesk deblend --out` and by the app's
// 'deblend' job (products/deblend/<source>.fits): MODEL, RESIDUAL, one COMPn per source (bands × rows ×
// cols, the cutout's WCS cards), optionally LENSSUB (data − deflector), and a SOURCES table.
import type { DeblendResult } from '../../src-core/deblend/index';
import type { CardInput } from '../../src-core/fits/card-format';
import { writeFits, type HduSpec } from '../../src-core/fits/writer';

export interface ProductMeta {
  bands: string[];
  wcsCards: CardInput[];
  prior: string;
  constraints: string[];
  lensSubtracted?: Float64Array[];
}

export function deblendProductFits(r: DeblendResult, m: ProductMeta): Uint8Array {
  const { rows, cols } = r, B = m.bands.length, n = rows * cols;
  const shape = B === 1 ? [rows, cols] : [B, rows, cols];
  const cube = (p: Float64Array[]) => { const c = new Float64Array(B * n); p.forEach((x, b) => c.set(x, b * n)); return c; };
  const bandsCard = { keyword: 'BANDS', value: m.bands.join(','), comment: 'band order of the planes' };
  const meta: CardInput[] = [
    bandsCard,
    { keyword: 'DBPRIOR', value: m.prior.slice(0, 60), comment: 'morphology prior' },
    { keyword: 'DBCONS', value: m.constraints.join(','), comment: 'constraints' },
    { keyword: 'DBITER', value: r.iterations, comment: 'iterations' },
    { keyword: 'DBCONV', value: r.converged, comment: 'converged (relative loss change < 1e-4)' },
    { keyword: 'DBCHI2', value: Number.isFinite(r.chi2PerPixel) ? r.chi2PerPixel : 'NaN', comment: 'chi^2 per unmasked pixel' },
  ];
  const hdus: HduSpec[] = [
    { kind: 'image', shape, data: cube(r.model), extname: 'MODEL', cards: [...m.wcsCards, ...meta] },
    { kind: 'image', shape, data: cube(r.residual), extname: 'RESIDUAL', cards: [...m.wcsCards, bandsCard] },
    ...r.sources.map((s, k): HduSpec => ({ kind: 'image', shape, data: cube(s.model), extname: `COMP${k + 1}`, cards: [...m.wcsCards, bandsCard] })),
    ...(m.lensSubtracted ? [{ kind: 'image', shape, data: cube(m.lensSubtracted), extname: 'LENSSUB', cards: [...m.wcsCards, bandsCard] } as HduSpec] : []),
    {
      kind: 'bintable', extname: 'SOURCES', nrows: r.sources.length,
      columns: [
        { name: 'id', format: 'J', values: r.sources.map((_, k) => k + 1) },
        { name: 'x', format: 'D', unit: 'pix', comment: '0-based centroid', values: r.sources.map((s) => s.x) },
        { name: 'y', format: 'D', unit: 'pix', values: r.sources.map((s) => s.y) },
        { name: 'peak_x', format: 'J', unit: 'pix', values: r.sources.map((s) => s.peakX) },
        { name: 'peak_y', format: 'J', unit: 'pix', values: r.sources.map((s) => s.peakY) },
        ...m.bands.map((b, i) => ({ name: `flux_${b}`, format: 'D', comment: 'model flux (SED)', values: r.sources.map((s) => s.flux[i]!) })),
        ...m.bands.map((b, i) => ({ name: `data_flux_${b}`, format: 'D', comment: 're-apportioned data flux', values: r.sources.map((s) => s.dataFlux[i]!) })),
      ],
    },
  ];
  return writeFits(hdus);
}
