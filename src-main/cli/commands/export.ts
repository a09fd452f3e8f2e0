import { parseArgs } from 'node:util';
import { gradeLetter, parseGrade } from '../../../src-core/grades';
import { InputError } from '../../../src-core/errors';
import type { CliCommand } from '../command';
import { runJobCli, WORKSPACE_HELP } from '../job-runner';
import { numberOption } from '../args';

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'export the vetted catalog as CSV, ECSV, FITS or VOTable',
  usage: `Usage: lensdesk export [--format csv|ecsv|fits|votable|bundle] [--out FILE] [--force] [--min-grade A|B|C|X|0-3] [--min-score P] [--hide-blends] [--workspace DIR] [--json]

Writes one row per source passing the filters: id, ra, dec (deg, ICRS), catalog, score (active
model), n_grades, grade_mean (0-3), grade_spread (max - min), consensus letter, disagreement flag,
grade_<reviewer> (each reviewer's current grade), and the latest lens-model fit (theta_e_mean,
theta_e_sd [arcsec], theta_e_rhat, fit_converged; empty where a source has no fit).
  csv      plain RFC 4180 CSV, CRLF line ends, one header row: what astropy Table.read(format='csv'),
           STILTS/TOPCAT (ifmt=csv), pandas and spreadsheets read as-is; no units or provenance.
  ecsv     astropy ECSV 1.0: the same CSV after a '# ' YAML header with each column's datatype,
           unit, description and UCD, and the provenance (models, thresholds, reviewers, date) as
           table meta. Read with Table.read(f) (or format='ascii.ecsv') or STILTS ifmt=ecsv.
  fits     FITS BINTABLE with TUNIT/TUCD/TCOMM and provenance keywords.
  votable  VOTable 1.4 (TABLEDATA) with COOSYS ICRS, units, UCDs, provenance as INFO/PARAM.
  bundle   a folder: cutouts.fits (N x bands x H x W cube, plane n = catalog row n), catalog.fits +
           catalog.csv, and png/ with a colour composite per candidate.
Default file: <workspace>/exports/lensdesk-<time>.<csv|ecsv|fits|vot>. An existing --out file
is never replaced unless --force is given. --hide-blends leaves out likely blends (the latest
blend-score job's P(blend) ≥ 0.5), as the grid's "hide likely blends" filter does.
${WORKSPACE_HELP}`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        format: { type: 'string', default: 'csv' },
        out: { type: 'string' },
        force: { type: 'boolean' },
        'min-grade': { type: 'string' },
        'min-score': { type: 'string' },
        'hide-blends': { type: 'boolean', default: false },
        workspace: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    let minConsensus: number | undefined;
    if (values['min-grade'] !== undefined) {
      const g = parseGrade(values['min-grade']);
      if (g === null) throw new InputError('BAD_GRADE', `--min-grade must be A, B, C, X or 0–3 (got '${values['min-grade']}')`);
      minConsensus = g;
      io.err(`selecting consensus grade ≥ ${gradeLetter(g)} (${g})`);
    }
    return runJobCli(io, values.workspace, (jm) =>
      jm.start('export', {
        format: values.format,
        out: values.out,
        ...(values.force ? { overwrite: true } : {}),
        ...(minConsensus !== undefined ? { minConsensus } : {}),
        ...(values['min-score'] !== undefined ? { minScore: numberOption(values, 'min-score', { min: 0, max: 1 }) } : {}),
        ...(values['hide-blends'] ? { hideBlends: true } : {}),
      }), values.json);
  },
};
