// `lensdesk finetune`: the reviewers' grades feed back into the lens finder — the 'finetune' job
// (src-main/jobs/kinds/finetune.ts, docs/classify.md "Labels feed back") from the command line.
import { parseArgs } from 'node:util';
import { InputError } from '../../../src-core/errors';
import type { CliCommand } from '../command';
import { runJobCli, WORKSPACE_HELP } from '../job-runner';

/** "A=1,B=1,C=-,X=0" → {A: 1, B: 1, C: null, X: 0}; "A=2,X=0.5" → weights. */
function pairs(s: string, option: string, value: (v: string) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of s.split(',')) {
    const [k, v] = part.split('=');
    if (!k || v === undefined) throw new InputError('CLI_ARG', `--${option}: expected GRADE=VALUE[,…], got '${part}'`, { option });
    out[k.trim().toUpperCase()] = value(v.trim());
  }
  return out;
}

export const finetuneCommand: CliCommand = {
  name: 'finetune',
  summary: "fine-tune the lens finder on the reviewers' grades: a new model version, rescored, old vs new ROC",
  usage: `Usage: lensdesk finetune [--model-id N | --model DIR] [--mapping A=1,B=1,C=-,X=0] [--weights A=1,B=1,X=1]
                         [--epochs 3] [--lr 1e-4] [--batch 32] [--simulated N] [--no-rescore]
                         [--promote | --no-promote]
                         [--workspace DIR] [--json]

Grades → labels with the mapping (1 lens, 0 non-lens, - ignored; default A,B lens, X non-lens,
C ignored), trains a new version from the active model (or --model-id / --model DIR, else the
bundled one) with N simulated cutouts mixed in (default: as many as graded sources), saves it in
<workspace>/models/<name>-<version>/ with its lineage, rescores the workspace and prints old vs
new AUROC/TPR0/TPR10 on a held-out quarter of the graded set (in-sample when a class has < 10).
The new version becomes the active model only when its held-out AUROC is at least the current
one's (never on an in-sample evaluation); otherwise it stays a candidate, promoted later in the
models view (L). --promote promotes it regardless; --no-promote always leaves the choice to you.
Resumable: lensdesk jobs resume ID.
${WORKSPACE_HELP}`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        'model-id': { type: 'string' }, model: { type: 'string' }, mapping: { type: 'string' }, weights: { type: 'string' },
        epochs: { type: 'string' }, lr: { type: 'string' }, batch: { type: 'string' }, simulated: { type: 'string' },
        'no-rescore': { type: 'boolean' }, promote: { type: 'boolean' }, 'no-promote': { type: 'boolean' }, workspace: { type: 'string' }, json: { type: 'boolean' },
      },
    });
    const params: Record<string, unknown> = {};
    if (values['model-id']) params.parentModelId = Number(values['model-id']);
    if (values.model) params.parentPath = values.model;
    if (values.mapping) params.mapping = pairs(values.mapping, 'mapping', (v) => (v === '-' || v === 'null' ? null : Number(v)));
    if (values.weights) params.weights = pairs(values.weights, 'weights', Number);
    if (values.epochs) params.epochs = Number(values.epochs);
    if (values.lr) params.learningRate = Number(values.lr);
    if (values.batch) params.batchSize = Number(values.batch);
    if (values.simulated) params.simulated = Number(values.simulated);
    if (values['no-rescore']) params.rescore = false;
    if (values.promote && values['no-promote']) throw new InputError('CLI_ARG', '--promote and --no-promote contradict each other', { option: 'promote' });
    params.promote = values.promote ? 'always' : values['no-promote'] ? 'never' : 'auto';
    return runJobCli(io, values.workspace, (jm) => jm.start('finetune', params), values.json);
  },
};
