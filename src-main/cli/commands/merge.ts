// `lensdesk merge PLAN --top K`: the sharded scores back into one Parquet table and the top K into
// the workspace for review (src-main/cluster/merge.ts). See docs/cluster.md.
import { parseArgs } from 'node:util';
import { mergePlan } from '../../cluster/merge';
import { numberOption } from '../args';
import type { CliCommand } from '../command';

export const mergeCommand: CliCommand = {
  name: 'merge',
  summary: 'merge sharded scores (Parquet) and import the top K into the workspace',
  usage: `Usage: lensdesk merge PLAN --top K [--min-score P] [--workspace DIR] [--allow-partial] [--memory-limit 1GB] [--json]

Reads PLAN/out/shard-*.parquet with DuckDB, checks every shard is done (refuses naming the missing or
failed ones unless --allow-partial), that each file's row count matches its _SUCCESS marker and that
no row id appears twice, writes PLAN/merged/scores.parquet (row_id, source_id, ra, dec [deg ICRS],
score, model_version) and PLAN/merged/merge.json, then imports the K highest scores (≥ P when
--min-score) into the workspace (default: the one the plan was made from) as scores of the plan's
model, recorded under a 'shard-merge' job with the plan id, model and shards. --top 0 only merges.`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: { top: { type: 'string' }, 'min-score': { type: 'string' }, workspace: { type: 'string' }, 'allow-partial': { type: 'boolean' }, 'memory-limit': { type: 'string' }, json: { type: 'boolean' } },
    });
    if (positionals.length !== 1 || values.top === undefined) {
      io.err(this.usage);
      return 2;
    }
    const r = await mergePlan(positionals[0]!, {
      top: numberOption(values, 'top', { integer: true, min: 0 })!,
      minScore: numberOption(values, 'min-score', { min: 0, max: 1 }),
      workspace: values.workspace, allowPartial: values['allow-partial'], memoryLimit: values['memory-limit'],
    });
    if (values.json) io.out(JSON.stringify(r, null, 2));
    else {
      io.out(`plan ${r.planId}: merged ${r.rows} scores from ${r.shards.length} shards into ${r.merged}`);
      if (r.missingShards.length) io.out(`  partial: shards ${r.missingShards.join(',')} not included`);
      io.out(r.imported ? `  imported the top ${r.imported} into ${r.workspace} (job #${r.jobId}, model ${r.model})` : '  nothing imported');
    }
    return 0;
  },
};
