import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { runJobCli, WORKSPACE_HELP } from '../job-runner';
import { numberOption } from '../args';
import { scoreShardCli } from './score-shard';

export const scoreCommand: CliCommand = {
  name: 'score',
  summary: 'score every cutout of the workspace with the lens finder (resumable job)',
  usage: `Usage: lensdesk score [--catalog-id N] [--model DIR] [--placeholder] [--bands g,r,i,z] [--workspace DIR] [--json]
       lensdesk score --plan PLAN [--shard I] [--json]

Scores all stamps (or one catalog's) with the best available model: --model DIR, else the
workspace's active model (e.g. a promoted fine-tuned version) when it fits the cutouts, else the
bundled model in models/ whose card best fits the cutouts' bands and pixel scale, else the
placeholder heuristic (clearly labelled). The run prints and stores which model and why
(modelChoice). --bands names the planes of cutouts ingested without band names (plane order). Sources this model
version already scored are skipped; scores of other versions are kept.
${WORKSPACE_HELP}

With --plan (made by \`lensdesk shard plan\`): scores shard I of the plan on this machine, no workspace
needed, writing PLAN/out/shard-I.parquet and PLAN/out/shard-I._SUCCESS when complete. Without --shard,
I comes from $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX (array jobs). A finished shard is skipped;
a killed one starts again from a clean state. See docs/cluster.md.`,
  async run(argv, io) {
    if (argv.some((a) => a === '--plan' || a.startsWith('--plan='))) return scoreShardCli(argv, io);
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
