// `lensdesk massmap`: a weak-lensing convergence map from a shear catalog (KS93 or Wiener filter),
// written as FITS with a TAN WCS; optional peak catalogue. Method and formulas: docs/massmap.md and
// src-core/massmap/. The hybrid learned prior is not implemented yet (issue 13's score prior).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openFitsCatalog, type CatalogStream } from '../../../src-core/catalog/read';
import { InputError } from '../../../src-core/errors';
import { writeFits } from '../../../src-core/fits/writer';
import { Rng } from '../../../src-core/rng';
import { autoGrid, gridShear } from '../../../src-core/massmap/grid';
import { findPeaks, peaksCsv, peaksTable } from '../../../src-core/massmap/peaks';
import { hybridNotImplemented, massMapHdus, reconstruct, type MassMapMethod } from '../../../src-core/massmap/reconstruct';
import { readShearCatalog } from '../../../src-core/massmap/shear-catalog';
import { modeVariance, parsePowerTable } from '../../../src-core/massmap/spectrum';
import { gridToSky, gridWcsCards } from '../../../src-core/massmap/grid';
import { ARCMIN_RAD, ksKernel } from '../../../src-core/massmap/ks93';
import { openCatalogFile } from '../../catalog/open-catalog';
import { openFitsFile } from '../../fits/file-source';
import type { CliCommand } from '../command';

const USAGE = `Usage:
  lensdesk massmap CATALOG --method ks93|wiener [--pixel 1arcmin] [--ps PS.csv] [--smooth ARCMIN] --out MAP.fits

Weak-lensing convergence map from a shear catalog (FITS table or CSV: RA, Dec, e1, e2, optional weight
and redshift, found by name or UCD). Galaxies are binned on a tangent-plane (TAN) grid; each pixel gets
the weighted mean shear and noise variance σ_e² Σw²/(Σw)²; pixels without galaxies are masked.
Rows with bad RA/Dec, non-finite e1/e2, |e| > 1 or bad weights are reported (row, column) and skipped.

Output FITS: KAPPA_E, KAPPA_B, KAPPA_STD (KS noise std; Wiener posterior std when available), MASK, NGAL,
each with the same TAN WCS (north up, east left).

Options:
  --method M          ks93 | wiener | hybrid (hybrid: not implemented yet)
  --pixel SIZE        pixel side: 1arcmin, 30arcsec, 0.01deg or a number of arcmin (default: ~10 galaxies/pixel)
  --field SIZE        field side (default: all galaxies); --center RA,DEC in degrees (default: the data's)
  --pad F             grid F times the field, padding masked (default 1; 2 reduces FFT wrap-around)
  --ps FILE           power spectrum table (columns ell, C_ell), required for wiener
  --smooth ARCMIN     Gaussian σ in arcmin for the KS93 map (default 0)
  --sigma-e S         shape noise per component (default: estimated from the catalog)
  --samples N         Wiener: constrained realisations for the posterior std when noise is not white (default 0)
  --seed S            seed for --samples (default 0)
  --e1/--e2/--weight/--z NAME, --ra/--dec NAME   column names (default: detected)
  --flip-e1, --flip-e2   negate a shear component (the grid runs east-left; see docs/massmap.md)
  --peaks FILE        write peaks (S/N ≥ --peak-snr, default 3) as .csv or .fits
  --tol T             Wiener messenger-field residual tolerance (default 1e-6)
  --json              print {out, method, grid, galaxies, badRows, issues, sigmaE, std, info, peaks}`;

const ANGLE = /^\s*([0-9.eE+-]+)\s*(arcmin|amin|'|arcsec|asec|"|deg|d)?\s*$/;

/** An angle in arcmin from '1arcmin', '30arcsec', '0.5deg' or a bare number (arcmin). */
export function parseAngleArcmin(v: string, option: string): number {
  const m = ANGLE.exec(v);
  const x = m ? Number(m[1]) : NaN;
  if (!m || !(x > 0)) throw new InputError('INPUT_INVALID', `--${option} must be a positive angle like 1arcmin, 30arcsec or 0.02deg, got '${v}'`, { option });
  const u = m[2] ?? 'arcmin';
  return u === 'arcsec' || u === 'asec' || u === '"' ? x / 60 : u === 'deg' || u === 'd' ? x * 60 : x;
}

function num(v: string | undefined, option: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new InputError('INPUT_INVALID', `--${option} must be a number, got '${v}'`, { option });
  return x;
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

export const massmapCommand: CliCommand = {
  name: 'massmap',
  summary: 'weak-lensing convergence map (KS93 / Wiener) from a shear catalog, as FITS with WCS',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: {
        method: { type: 'string', default: 'ks93' }, pixel: { type: 'string' }, field: { type: 'string' }, center: { type: 'string' },
        pad: { type: 'string' }, ps: { type: 'string' }, smooth: { type: 'string' }, 'sigma-e': { type: 'string' },
        samples: { type: 'string' }, seed: { type: 'string' }, e1: { type: 'string' }, e2: { type: 'string' },
        weight: { type: 'string' }, z: { type: 'string' }, ra: { type: 'string' }, dec: { type: 'string' },
        'flip-e1': { type: 'boolean', default: false }, 'flip-e2': { type: 'boolean', default: false },
        peaks: { type: 'string' }, 'peak-snr': { type: 'string' }, tol: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean', default: false },
      },
    });
    const method = values.method as MassMapMethod;
    if (method === 'hybrid') hybridNotImplemented();
    if (method !== 'ks93' && method !== 'wiener') throw new InputError('INPUT_INVALID', `--method must be ks93, wiener or hybrid, got '${values.method}'`, { option: 'method' });
    const path = positionals[0];
    if (!path) throw new InputError('INPUT_INVALID', 'massmap needs a CATALOG file (FITS table or CSV)', {});
    if (!values.out) throw new InputError('INPUT_INVALID', 'massmap needs --out MAP.fits', { option: 'out' });
    if (method === 'wiener' && !values.ps) throw new InputError('MASSMAP_PS', 'the Wiener filter needs --ps FILE (columns ell, C_ell)', { option: 'ps' });
    const table = values.ps ? parsePowerTable(readFileSync(values.ps, 'utf8'), values.ps) : undefined;
    let center: [number, number] | undefined;
    if (values.center) {
      const c = values.center.split(',').map(Number);
      if (c.length !== 2 || !c.every(Number.isFinite)) throw new InputError('INPUT_INVALID', `--center must be RA,DEC in degrees, got '${values.center}'`, { option: 'center' });
      center = [c[0]!, c[1]!];
    }

    const { stream, ucds } = await openShearStream(path, values.ra, values.dec);
    const cat = await readShearCatalog(stream, { ucds, choice: { e1Column: values.e1, e2Column: values.e2, weightColumn: values.weight, zColumn: values.z } });
    if (cat.badRows) {
      io.err(`${cat.file}: ${cat.badRows} of ${cat.totalRows} rows skipped:`);
      for (const s of cat.issues.slice(0, 10)) io.err(`  row ${s.row}, column ${s.column}: ${s.message}`);
      if (cat.badRows > 10) io.err(`  … ${cat.badRows - 10} more`);
    }
    const grid = autoGrid(cat.ra, cat.dec, {
      pixArcmin: values.pixel ? parseAngleArcmin(values.pixel, 'pixel') : undefined,
      fieldArcmin: values.field ? parseAngleArcmin(values.field, 'field') : undefined,
      ra0: center?.[0], dec0: center?.[1], pad: num(values.pad, 'pad'),
    });
    const gs = gridShear(grid, { ra: cat.ra, dec: cat.dec, e1: cat.e1, e2: cat.e2, weight: cat.weight ?? undefined }, {
      sigmaE: num(values['sigma-e'], 'sigma-e'), e1Sign: values['flip-e1'] ? -1 : 1, e2Sign: values['flip-e2'] ? 1 : -1,
    });
    const m = reconstruct(gs, {
      method, smoothArcmin: num(values.smooth, 'smooth'), tol: num(values.tol, 'tol'),
      modeVariance: table ? modeVariance(ksKernel(grid.rows, grid.cols, grid.pixArcmin * ARCMIN_RAD), table) : undefined,
      samples: num(values.samples, 'samples'), rng: new Rng(num(values.seed, 'seed') ?? 0, 15), signal: io.signal,
      onProgress: (stage, done, total) => io.progress(done, total, stage),
    });
    const bytes = writeFits(massMapHdus(gs, m, [{ keyword: 'CATALOG', value: cat.file.slice(0, 60) }]));
    const tmp = `${values.out}.tmp-${process.pid}`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, values.out);

    let nPeaks: number | undefined;
    if (values.peaks) {
      if (!m.std) throw new InputError('MASSMAP_PEAKS', 'peaks need a per-pixel std; for a masked Wiener map pass --samples N', { option: 'peaks' });
      const wcs = gridWcsCards(grid);
      const toSky = (x: number, y: number) => gridToSky(grid, x, y);
      const peaks = findPeaks(m.kappaE, m.std, grid.rows, grid.cols, { threshold: num(values['peak-snr'], 'peak-snr') ?? 3, mask: gs.mask, toSky });
      nPeaks = peaks.length;
      const out = /\.fits?$/i.test(values.peaks) ? writeFits([peaksTable(peaks, wcs.filter((c) => c.keyword.startsWith('CRVAL')))]) : peaksCsv(peaks);
      writeFileSync(values.peaks, out);
    }
    const summary = {
      out: values.out, method, grid, galaxies: cat.ra.length, badRows: cat.badRows, issues: cat.issues.slice(0, 20), sigmaE: gs.sigmaE,
      outside: gs.outside, maskedFraction: 1 - gs.mask.reduce((s, v) => s + v, 0) / gs.mask.length, std: m.stdKind, info: m.info, peaks: nPeaks,
    };
    if (values.json) io.out(JSON.stringify(summary));
    else io.out(`${values.out}: ${method} map ${grid.rows} × ${grid.cols} at ${grid.pixArcmin}′ from ${cat.ra.length} galaxies (σ_e = ${gs.sigmaE.toFixed(3)}); std: ${m.stdKind}${nPeaks !== undefined ? `; ${nPeaks} peaks → ${values.peaks}` : ''}`);
    return 0;
  },
};
