// Runs one mass map from a shear catalog file to a FITS file (and optional peaks file): shared by
// `lensdesk massmap` and the 'massmap' job kind. Formulas in src-core/massmap/, docs/massmap.md.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { openFitsCatalog, type CatalogStream } from '../../src-core/catalog/read';
import { InputError } from '../../src-core/errors';
import { writeFits } from '../../src-core/fits/writer';
import { Rng } from '../../src-core/rng';
import { autoGrid, gridShear, gridToSky, gridWcsCards, type GriddedShear } from '../../src-core/massmap/grid';
import { ARCMIN_RAD, ksKernel } from '../../src-core/massmap/ks93';
import { findPeaks, peaksCsv, peaksTable, type Peak } from '../../src-core/massmap/peaks';
import { fitPowerSpectrum, psFitCsv } from '../../src-core/massmap/ps-fit';
import { massMapHdus, reconstruct, type MassMap, type MassMapMethod } from '../../src-core/massmap/reconstruct';
import { readShearCatalog, type ShearIssue } from '../../src-core/massmap/shear-catalog';
import { modeVariance, parsePowerTable } from '../../src-core/massmap/spectrum';
import { openCatalogFile } from '../catalog/open-catalog';
import { openFitsFile } from '../fits/file-source';
import { bundledScorePrior } from '../score/bundled-prior';
import { hybridHdus, KAPPA_PRIOR, noKappaPrior } from './hybrid-files';
import { hybridMassMap, loadHybridPrior } from './hybrid';
import type { HybridSampler } from '../../src-core/massmap/hybrid';

const SAMPLER_WORDS = { langevin: 'annealed-Langevin chains', diffusion: 'denoising-diffusion samples', gibbs: 'Gibbs/diffusion samples', pcn: 'pCN-Langevin samples' } as const;

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
  /** Write the fitted power spectrum (ell, C_ell, raw_E, noise) here when it is fitted. */
  psOut?: string;
  /** hybrid: prior folder (default: the bundled κ prior), chains, onnxruntime threads, ladder. */
  prior?: string;
  threads?: number;
  /** hybrid sampler: auto (default) | diffusion | pcn | langevin (src-core/massmap/hybrid.ts). */
  sampler?: HybridSampler;
  levels?: number;
  stepsPerLevel?: number;
}

export interface MassMapRunHooks {
  signal?: { readonly aborted: boolean };
  progress?: (done: number, total: number, label: string) => void;
  /** Called once with the rows left out (first 100) before the map is computed. */
  badRows?: (file: string, bad: number, total: number, issues: ShearIssue[]) => void;
  /** Called once after the map is written: peaks (S/N ≥ peakSnr), the map's rms, the field, the fitted spectrum. */
  done?: (r: MassMapExtras) => void;
}

export interface MassMapExtras {
  peaks: Peak[];
  /** Which std the peaks' S/N divides by. */
  snrFrom: string;
  /** rms of κ_E over observed pixels. */
  rms: number;
  /** Grid side, arcmin (x, y). */
  fieldArcmin: [number, number];
  psFit?: { ell: number[]; cl: number[]; noise: number };
}

function mapRms(map: ArrayLike<number>, mask: ArrayLike<number>): number {
  let s = 0, n = 0;
  for (let i = 0; i < map.length; i++) if (mask[i]) { s += map[i]! ** 2; n++; }
  return n ? Math.sqrt(s / n) : NaN;
}

function mapPeaks(gs: GriddedShear, m: MassMap, thr: number, strict: boolean): { peaks: Peak[]; snrFrom: string } {
  const { grid } = gs;
  if (!m.std && strict) throw new InputError('MASSMAP_PEAKS', 'peaks need a per-pixel std; for a masked Wiener map pass --samples N', { option: 'peaks' });
  const std = m.std ?? mapRms(m.kappaE, gs.mask);
  const peaks = findPeaks(m.kappaE, std, grid.rows, grid.cols, { threshold: thr, mask: gs.mask, toSky: (x, y) => gridToSky(grid, x, y) });
  return { peaks, snrFrom: m.std ? m.stdKind : 'rms of the map (no per-pixel std: pass samples)' };
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
  // Wiener without --ps (or --ps fit): C_ℓ fitted from the data (src-core/massmap/ps-fit.ts).
  const fitPs = method === 'wiener' && (!o.ps || o.ps === 'fit');
  const table = o.ps && o.ps !== 'fit' ? parsePowerTable(readFileSync(o.ps, 'utf8'), o.ps) : undefined;
  const col = o.columns ?? {};
  const { stream, ucds } = await openShearStream(o.catalog, col.ra, col.dec);
  const cat = await readShearCatalog(stream, { ucds, choice: { e1Column: col.e1, e2Column: col.e2, weightColumn: col.weight, zColumn: col.z } });
  if (cat.badRows) h.badRows?.(cat.file, cat.badRows, cat.totalRows, cat.issues);
  const grid = autoGrid(cat.ra, cat.dec, { pixArcmin: o.pixArcmin ?? hybrid?.pixArcmin, fieldArcmin: o.fieldArcmin, ra0: o.center?.[0], dec0: o.center?.[1], pad: o.pad });
  const gs = gridShear(grid, { ra: cat.ra, dec: cat.dec, e1: cat.e1, e2: cat.e2, weight: cat.weight ?? undefined }, {
    sigmaE: o.sigmaE, e1Sign: o.flipE1 ? -1 : 1, e2Sign: o.flipE2 ? 1 : -1,
  });
  const kern = ksKernel(grid.rows, grid.cols, grid.pixArcmin * ARCMIN_RAD);
  const fitted = fitPs ? fitPowerSpectrum(kern, gs) : undefined;
  if (fitted && o.psOut) writeFileSync(o.psOut, psFitCsv(fitted));
  const usedTable = table ?? fitted?.table;
  let samples: Float64Array[] | null = null;
  const m = hybrid ? await (async () => {
    const ks = reconstruct(gs, { method: 'ks93', smoothArcmin: o.smoothArcmin });
    const r = await hybridMassMap(gs, hybrid, {
      chains: Math.max(2, o.samples ?? 16), rng: new Rng(o.seed ?? 0, 15), threads: o.threads, sampler: o.sampler, levels: o.levels, stepsPerLevel: o.stepsPerLevel,
      signal: hookSignal(h), onProgress: (d, t) => h.progress?.(d, t, 'hybrid sampling'),
    });
    samples = r.samples;
    return { ...ks, kappaE: r.mean, std: r.std, stdKind: `hybrid-prior posterior std, ${r.samples.length} ${SAMPLER_WORDS[r.sampler]}`, info: { ...ks.info, method: 'hybrid', prior: hybrid.dir, sampler: r.sampler, chains: r.samples.length, levels: r.sigmas.length, sigmaMin: r.sigmas[r.sigmas.length - 1]! } };
  })() : reconstruct(gs, {
    method, smoothArcmin: o.smoothArcmin, tol: o.tol,
    modeVariance: usedTable ? modeVariance(kern, usedTable) : undefined,
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
  // S/N from the map's own std (KS noise, Wiener posterior: closed form or --samples); without one (masked
  // Wiener, no samples) the CLI refuses --peaks, and the job falls back to the map's rms (mapPeaks).
  const pk = mapPeaks(gs, m, o.peakSnr ?? 3, !!o.peaks);
  if (o.peaks) {
    const wcs = gridWcsCards(grid);
    nPeaks = pk.peaks.length;
    const out = /\.fits?$/i.test(o.peaks) ? writeFits([peaksTable(pk.peaks, wcs.filter((c) => c.keyword.startsWith('CRVAL')))]) : peaksCsv(pk.peaks);
    writeFileSync(o.peaks, out);
  }
  h.done?.({ peaks: pk.peaks, snrFrom: pk.snrFrom, rms: mapRms(m.kappaE, gs.mask), fieldArcmin: [grid.cols * grid.pixArcmin, grid.rows * grid.pixArcmin], psFit: fitted ? { ell: [...fitted.ell], cl: [...fitted.fitted], noise: fitted.noise } : undefined });
  return {
    ps: fitted ? 'fit' : o.ps,
    out: o.out, method, grid, galaxies: cat.ra.length, badRows: cat.badRows, issues: cat.issues.slice(0, 20), sigmaE: gs.sigmaE,
    outside: gs.outside, maskedFraction: 1 - gs.mask.reduce((s, v) => s + v, 0) / gs.mask.length, std: m.stdKind, info: m.info, peaks: nPeaks,
  };
}
