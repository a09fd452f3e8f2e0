// Runs one mass map from a shear catalog file to a FITS file (and optional peaks file): shared by
// `lensdesk massmap` and the 'massmap' job kind. Formulas in src-core/massmap/, docs/massmap.md.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { openFitsCatalog, type CatalogStream } from '../../src-core/catalog/read';
import { InputError } from '../../src-core/errors';
import { writeFits } from '../../src-core/fits/writer';
import { Rng } from '../../src-core/rng';
import { autoGrid, gridShear, gridToSky, gridWcsCards } from '../../src-core/massmap/grid';
import { ARCMIN_RAD, ksKernel } from '../../src-core/massmap/ks93';
import { findPeaks, peaksCsv, peaksTable } from '../../src-core/massmap/peaks';
import { massMapHdus, reconstruct, type MassMapMethod } from '../../src-core/massmap/reconstruct';
import { readShearCatalog, type ShearIssue } from '../../src-core/massmap/shear-catalog';
import { modeVariance, parsePowerTable } from '../../src-core/massmap/spectrum';
import { openCatalogFile } from '../catalog/open-catalog';
import { openFitsFile } from '../fits/file-source';
import { bundledScorePrior } from '../score/bundled-prior';
import { hybridHdus, KAPPA_PRIOR, noKappaPrior } from './hybrid-files';
import { hybridMassMap, loadHybridPrior } from './hybrid';

const hookSignal = (h: MassMapRunHooks) => h.signal as { aborted: boolean } | undefined;

export interface MassMapRunOptions {
  catalog: string;
  out: string;
  method: MassMapMethod;
  /** arcmin */
  pixArcmin?: number;
  fieldArcmin?: number;
  center?: [number, number];
  pad?: number;
  /** Power-spectrum table file (ell, C_ell). */
  ps?: string;
  smoothArcmin?: number;
  sigmaE?: number;
  samples?: number;
  seed?: number;
  columns?: { e1?: string; e2?: string; weight?: string; z?: string; ra?: string; dec?: string };
  flipE1?: boolean;
  flipE2?: boolean;
  peaks?: string;
  peakSnr?: number;
  tol?: number;
  /** hybrid: prior folder (default: the bundled κ prior), chains, onnxruntime threads, ladder. */
  prior?: string;
  threads?: number;
  levels?: number;
  stepsPerLevel?: number;
}

export interface MassMapRunHooks {
  signal?: { readonly aborted: boolean };
  progress?: (done: number, total: number, label: string) => void;
  /** Called once with the rows left out (first 100) before the map is computed. */
  badRows?: (file: string, bad: number, total: number, issues: ShearIssue[]) => void;
}

async function openShearStream(path: string, ra?: string, dec?: string): Promise<{ stream: CatalogStream; ucds: Record<string, string | undefined> }> {
  const opts = { skipInvalid: true, raColumn: ra, decColumn: dec };
  if (/\.(fits?|fts)(\.gz)?$/i.test(path)) {
    const file = openFitsFile(path);
    const hdu = file.hdus().find((h) => h.type === 'bintable' || h.type === 'table');
    const stream = openFitsCatalog(file, opts);
    const ucds: Record<string, string | undefined> = {};
    if (hdu) stream.schema.columns.forEach((c, i) => { ucds[c] = hdu.header.getString(`TUCD${i + 1}`) ?? undefined; });
    return { stream, ucds };
  }
  return { stream: await openCatalogFile(path, opts), ucds: {} };
}

export async function runMassMap(o: MassMapRunOptions, h: MassMapRunHooks = {}): Promise<Record<string, unknown>> {
  const method = o.method;
  const hybrid = method === 'hybrid' ? loadHybridPrior(o.prior ?? bundledScorePrior(KAPPA_PRIOR) ?? noKappaPrior()) : null;
  if (method !== 'hybrid' && method !== 'ks93' && method !== 'wiener') throw new InputError('INPUT_INVALID', `method must be ks93, wiener or hybrid, got '${String(method)}'`, { option: 'method' });
  if (method === 'wiener' && !o.ps) throw new InputError('MASSMAP_PS', 'the Wiener filter needs --ps FILE (columns ell, C_ell)', { option: 'ps' });
  const table = o.ps ? parsePowerTable(readFileSync(o.ps, 'utf8'), o.ps) : undefined;
  const col = o.columns ?? {};
  const { stream, ucds } = await openShearStream(o.catalog, col.ra, col.dec);
  const cat = await readShearCatalog(stream, { ucds, choice: { e1Column: col.e1, e2Column: col.e2, weightColumn: col.weight, zColumn: col.z } });
  if (cat.badRows) h.badRows?.(cat.file, cat.badRows, cat.totalRows, cat.issues);
  const grid = autoGrid(cat.ra, cat.dec, { pixArcmin: o.pixArcmin ?? hybrid?.pixArcmin, fieldArcmin: o.fieldArcmin, ra0: o.center?.[0], dec0: o.center?.[1], pad: o.pad });
  const gs = gridShear(grid, { ra: cat.ra, dec: cat.dec, e1: cat.e1, e2: cat.e2, weight: cat.weight ?? undefined }, {
    sigmaE: o.sigmaE, e1Sign: o.flipE1 ? -1 : 1, e2Sign: o.flipE2 ? 1 : -1,
  });
  let samples: Float64Array[] | null = null;
  const m = hybrid ? await (async () => {
    const ks = reconstruct(gs, { method: 'ks93', smoothArcmin: o.smoothArcmin });
    const r = await hybridMassMap(gs, hybrid, {
      chains: Math.max(2, o.samples ?? 16), rng: new Rng(o.seed ?? 0, 15), threads: o.threads, levels: o.levels, stepsPerLevel: o.stepsPerLevel,
      signal: hookSignal(h), onProgress: (d, t) => h.progress?.(d, t, 'hybrid sampling'),
    });
    samples = r.samples;
    return { ...ks, kappaE: r.mean, std: r.std, stdKind: `hybrid-prior posterior std, ${r.samples.length} annealed-Langevin chains`, info: { ...ks.info, method: 'hybrid', prior: hybrid.dir, chains: r.samples.length, levels: r.sigmas.length, sigmaMin: r.sigmas[r.sigmas.length - 1]! } };
  })() : reconstruct(gs, {
    method, smoothArcmin: o.smoothArcmin, tol: o.tol,
    modeVariance: table ? modeVariance(ksKernel(grid.rows, grid.cols, grid.pixArcmin * ARCMIN_RAD), table) : undefined,
    samples: o.samples, rng: new Rng(o.seed ?? 0, 15), signal: h.signal,
    onProgress: (stage, done, total) => h.progress?.(done, total, stage),
  });
  const hdus = massMapHdus(gs, m, [{ keyword: 'CATALOG', value: cat.file.slice(0, 60) }]);
  if (samples) hdus.push(...hybridHdus(gs, m.kappaE, m.std!, samples));
  const bytes = writeFits(hdus);
  const tmp = `${o.out}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, o.out);

  let nPeaks: number | undefined;
  if (o.peaks) {
    if (!m.std) throw new InputError('MASSMAP_PEAKS', 'peaks need a per-pixel std; for a masked Wiener map pass --samples N', { option: 'peaks' });
    const wcs = gridWcsCards(grid);
    const peaks = findPeaks(m.kappaE, m.std, grid.rows, grid.cols, { threshold: o.peakSnr ?? 3, mask: gs.mask, toSky: (x, y) => gridToSky(grid, x, y) });
    nPeaks = peaks.length;
    const out = /\.fits?$/i.test(o.peaks) ? writeFits([peaksTable(peaks, wcs.filter((c) => c.keyword.startsWith('CRVAL')))]) : peaksCsv(peaks);
    writeFileSync(o.peaks, out);
  }
  return {
    out: o.out, method, grid, galaxies: cat.ra.length, badRows: cat.badRows, issues: cat.issues.slice(0, 20), sigmaE: gs.sigmaE,
    outside: gs.outside, maskedFraction: 1 - gs.mask.reduce((s, v) => s + v, 0) / gs.mask.length, std: m.stdKind, info: m.info, peaks: nPeaks,
  };
}
