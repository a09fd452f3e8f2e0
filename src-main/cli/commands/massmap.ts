// `lensdesk massmap`: a weak-lensing convergence map from a shear catalog (KS93 or Wiener filter),
// written as FITS with a TAN WCS; optional peak catalogue. Method and formulas: docs/massmap.md and
// src-core/massmap/; --method hybrid: src-main/massmap/hybrid.ts (Remy et al. 2020 hybrid prior).
import { parseArgs } from 'node:util';
import { InputError } from '../../../src-core/errors';
import { type MassMapMethod } from '../../../src-core/massmap/reconstruct';
import { runMassMap } from '../../massmap/run';
import { HYBRID_SAMPLERS, type HybridSampler } from '../../../src-core/massmap/hybrid';
import type { CliCommand } from '../command';
import { numberOption } from '../args';

const USAGE = `Usage:
  lensdesk massmap CATALOG --method ks93|wiener [--pixel 1arcmin] [--ps PS.csv] [--smooth ARCMIN] --out MAP.fits
  lensdesk massmap CATALOG --method hybrid [--prior DIR] [--samples N] [--threads T] --out MAP.fits

Weak-lensing convergence map from a shear catalog (FITS table or CSV: RA, Dec, e1, e2, optional weight
and redshift, found by name or UCD). Galaxies are binned on a tangent-plane (TAN) grid; each pixel gets
the weighted mean shear and noise variance σ_e² Σw²/(Σw)²; pixels without galaxies are masked.
Rows with bad RA/Dec, non-finite e1/e2, |e| > 1 or bad weights are reported (row, column) and skipped.

Output FITS: KAPPA_E, KAPPA_B, KAPPA_STD (KS noise std; Wiener posterior std when available), MASK, NGAL,
each with the same TAN WCS (north up, east left).

Options:
  --method M          ks93 | wiener | hybrid (hybrid: Gaussian + learned-residual score prior of Remy et al.
                      2020, posterior samples; writes also MEAN, STD, SAMPLES)
  --prior DIR         hybrid: κ prior folder from \`lensdesk prior train --kappa …\` (default: the bundled one);
                      the grid's pixel defaults to the prior's (its training pixel scale)
  --threads T         hybrid: onnxruntime threads (default: all cores)
  --sampler S         hybrid: auto (default) | diffusion | gibbs | pcn | langevin. auto = diffusion (reverse
                      diffusion from the KS map; needs white noise and no mask on the square grid), else gibbs
                      (data augmentation around the diffusion, for masks and unequal noise; --levels per sweep)
  --levels L, --steps-per-level T   hybrid: σ ladder (diffusion 8 levels σ_pix → 0.003 → 0; langevin 30
                      levels 0.25 → 0.005, 10 steps each; pcn 8 levels 0.15 → 0.005, 3 steps)
  --pixel SIZE        pixel side: 1arcmin, 30arcsec, 0.01deg or a number of arcmin (default: ~10 galaxies/pixel)
  --field SIZE        field side (default: all galaxies); --center RA,DEC in degrees (default: the data's)
  --pad F             grid F times the field, padding masked (default 1; 2 reduces FFT wrap-around)
  --ps FILE|fit       power spectrum table (columns ell, C_ell) for wiener; 'fit' (the default for wiener)
                      fits C_ell from the data (KS93 E-mode spectrum minus shape noise; docs/massmap.md)
  --ps-out FILE       write the fitted spectrum (ell, C_ell, raw_E, noise) as CSV
  --smooth ARCMIN     Gaussian σ in arcmin for the KS93 map (default 0)
  --sigma-e S         shape noise per component (default: estimated from the catalog)
  --samples N         Wiener: constrained realisations for the posterior std when noise is not white (default 0);
                      hybrid: posterior samples = independent chains (default 16)
  --seed S            seed for --samples (default 0)
  --e1/--e2/--weight/--z NAME, --ra/--dec NAME   column names (default: detected)
  --flip-e1, --flip-e2   negate a shear component (the grid runs east-left; see docs/massmap.md)
  --peaks FILE        write peaks (S/N ≥ --peak-snr, default 3) as .csv or .fits
  --tol T             Wiener messenger-field residual tolerance (default 1e-6)
  --json              print {out, method, grid, galaxies, badRows, issues, sigmaE, std, info, peaks}`;

const ANGLE = /^\s*([0-9.eE+-]+)\s*(arcmin|amin|'|arcsec|asec|"|deg|d)?\s*$/;

/** An angle in arcmin from '1arcmin', '30arcsec', '0.5deg' or a bare number (arcmin). */
function hybridSamplerOption(v: string | undefined): HybridSampler | undefined {
  if (v === undefined) return undefined;
  if (!(HYBRID_SAMPLERS as readonly string[]).includes(v)) throw new InputError('INPUT_INVALID', `--sampler must be one of ${HYBRID_SAMPLERS.join(', ')}, got '${v}'`, { option: 'sampler' });
  return v as HybridSampler;
}

export function parseAngleArcmin(v: string, option: string): number {
  const m = ANGLE.exec(v);
  const x = m ? Number(m[1]) : NaN;
  if (!m || !(x > 0)) throw new InputError('INPUT_INVALID', `--${option} must be a positive angle like 1arcmin, 30arcsec or 0.02deg, got '${v}'`, { option });
  const u = m[2] ?? 'arcmin';
  return u === 'arcsec' || u === 'asec' || u === '"' ? x / 60 : u === 'deg' || u === 'd' ? x * 60 : x;
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
        pad: { type: 'string' }, ps: { type: 'string' }, 'ps-out': { type: 'string' }, smooth: { type: 'string' }, 'sigma-e': { type: 'string' },
        samples: { type: 'string' }, seed: { type: 'string' }, e1: { type: 'string' }, e2: { type: 'string' },
        weight: { type: 'string' }, z: { type: 'string' }, ra: { type: 'string' }, dec: { type: 'string' },
        'flip-e1': { type: 'boolean', default: false }, 'flip-e2': { type: 'boolean', default: false },
        prior: { type: 'string' }, threads: { type: 'string' }, sampler: { type: 'string' }, levels: { type: 'string' }, 'steps-per-level': { type: 'string' },
        peaks: { type: 'string' }, 'peak-snr': { type: 'string' }, tol: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean', default: false },
      },
    });
    const method = values.method as MassMapMethod;
    const path = positionals[0];
    if (!path) throw new InputError('INPUT_INVALID', 'massmap needs a CATALOG file (FITS table or CSV)', {});
    if (!values.out) throw new InputError('INPUT_INVALID', 'massmap needs --out MAP.fits', { option: 'out' });
    let center: [number, number] | undefined;
    if (values.center) {
      const c = values.center.split(',').map(Number);
      if (c.length !== 2 || !c.every(Number.isFinite)) throw new InputError('INPUT_INVALID', `--center must be RA,DEC in degrees, got '${values.center}'`, { option: 'center' });
      center = [c[0]!, c[1]!];
    }
    const summary = await runMassMap({
      catalog: path, out: values.out, method, ps: values.ps, psOut: values['ps-out'], center,
      pixArcmin: values.pixel ? parseAngleArcmin(values.pixel, 'pixel') : undefined,
      fieldArcmin: values.field ? parseAngleArcmin(values.field, 'field') : undefined,
      pad: numberOption(values, 'pad', { integer: true, min: 0 }), smoothArcmin: numberOption(values, 'smooth', { min: 0 }), sigmaE: numberOption(values, 'sigma-e', { min: 0 }),
      samples: numberOption(values, 'samples', { integer: true, min: 0 }), seed: numberOption(values, 'seed', { integer: true, min: 0 }), tol: numberOption(values, 'tol', { min: 0 }),
      columns: { e1: values.e1, e2: values.e2, weight: values.weight, z: values.z, ra: values.ra, dec: values.dec },
      prior: values.prior, threads: numberOption(values, 'threads', { integer: true, min: 1 }), sampler: hybridSamplerOption(values.sampler), levels: numberOption(values, 'levels', { integer: true, min: 2 }),
      stepsPerLevel: numberOption(values, 'steps-per-level', { integer: true, min: 1 }),
      flipE1: values['flip-e1'], flipE2: values['flip-e2'], peaks: values.peaks, peakSnr: numberOption(values, 'peak-snr'),
    }, {
      signal: io.signal, progress: (d, t, l) => io.progress(d, t, l),
      badRows: (file, bad, total, issues) => {
        io.err(`${file}: ${bad} of ${total} rows skipped:`);
        for (const s of issues.slice(0, 10)) io.err(`  row ${s.row}, column ${s.column}: ${s.message}`);
        if (bad > 10) io.err(`  … ${bad - 10} more`);
      },
    });
    const grid = summary.grid as { rows: number; cols: number; pixArcmin: number };
    if (values.json) io.out(JSON.stringify(summary));
    else io.out(`${values.out}: ${method} map ${grid.rows} × ${grid.cols} at ${grid.pixArcmin}′ from ${String(summary.galaxies)} galaxies (σ_e = ${(summary.sigmaE as number).toFixed(3)}); std: ${String(summary.std)}${summary.peaks !== undefined ? `; ${String(summary.peaks)} peaks → ${values.peaks}` : ''}`);
    return 0;
  },
};
