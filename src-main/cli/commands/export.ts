import { parseArgs } from 'node:util';
import { gradeLetter, parseGrade } from '../../../src-core/grades';
import { InputError } from '../../../src-core/errors';
import type { CliCommand } from '../command';
import { runJobCli, WORKSPACE_HELP } from '../job-runner';

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'export the vetted catalog as CSV, FITS or VOTable',
  usage: `Usage: lensdesk export [--format csv|fits|votable|bundle] [--out FILE] [--force] [--min-grade A|B|C|X|0-3] [--min-score P] [--workspace DIR] [--json]

Writes one row per source passing the filters: id, ra, dec (deg, ICRS), catalog, score (active
model), n_grades, grade_mean (0–3), grade_spread, consensus letter, disagreement flag; provenance
(models, thresholds, reviewers, date) in the header / PARAMs. Default file: <workspace>/exports/.
An existing --out file is never replaced unless --force is given.
\`bundle\` writes a folder: cutouts.fits (N × bands × H × W cube, plane n = catalog row n),
catalog.fits + catalog.csv, and png/ with a colour composite per candidate.
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
        ...(values['min-score'] !== undefined ? { minScore: Number(values['min-score']) } : {}),
      }), values.json);
  },
};
