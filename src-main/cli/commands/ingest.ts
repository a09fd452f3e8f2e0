import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { runJobCli, WORKSPACE_HELP } from '../job-runner';

export const ingestCommand: CliCommand = {
  name: 'ingest',
  summary: 'ingest a folder of FITS cutouts as a catalog (resumable job)',
  usage: `Usage: lensdesk ingest FOLDER [--catalog NAME] [--no-recursive] [--workspace DIR] [--json]

Each FITS file in FOLDER is one source: a band cube (NAXIS3 = bands, BANDS='g,r,i'), a single
image, or one image HDU per band (FILTER/BAND/EXTNAME names the band). RA/Dec come from RA/DEC
keywords or the WCS reference point. Unreadable files are listed and skipped. Ctrl-C stops; run
again (or \`lensdesk jobs resume ID\`) to continue without duplicates.
${WORKSPACE_HELP}`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { catalog: { type: 'string' }, workspace: { type: 'string' }, json: { type: 'boolean' }, 'no-recursive': { type: 'boolean' } },
    });
    if (positionals.length !== 1) {
      io.err(this.usage);
      return 2;
    }
    return runJobCli(io, values.workspace, (jm) =>
      jm.start('ingest', { folder: positionals[0], catalog: values.catalog, recursive: !values['no-recursive'] }), values.json);
  },
};
