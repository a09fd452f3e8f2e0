import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { runJobCli, WORKSPACE_HELP } from '../job-runner';
import { numberOption } from '../args';

export const scoreCommand: CliCommand = {
  name: 'score',
  summary: 'score every cutout of the workspace with the lens finder (resumable job)',
  usage: `Usage: lensdesk score [--catalog-id N] [--model DIR] [--placeholder] [--bands g,r,i,z] [--workspace DIR] [--json]

Scores all stamps (or one catalog's) with the best available model: --model DIR, else the
workspace's active model (e.g. a promoted fine-tuned version) when it fits the cutouts, else the
bundled model in models/ whose card best fits the cutouts' bands and pixel scale, else the
placeholder heuristic (clearly labelled). The run prints and stores which model and why
(modelChoice). --bands names the planes of cutouts ingested without band names (plane order). Sources this model
version already scored are skipped; scores of other versions are kept.
${WORKSPACE_HELP}`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { 'catalog-id': { type: 'string' }, model: { type: 'string' }, placeholder: { type: 'boolean' }, bands: { type: 'string' }, workspace: { type: 'string' }, json: { type: 'boolean' } },
    });
    return runJobCli(io, values.workspace, (jm) =>
      jm.start('score', {
        ...(values['catalog-id'] ? { catalogId: numberOption(values, 'catalog-id', { integer: true, min: 1 }) } : {}),
        ...(values.model ? { modelPath: values.model } : {}),
        ...(values.placeholder ? { placeholder: true } : {}),
        ...(values.bands ? { bands: values.bands } : {}),
      }), values.json);
  },
};
