// `lensdesk score --plan PLAN [--shard I]`: the sharded form of `lensdesk score` (src-main/cluster/shard-score.ts).
import { parseArgs } from 'node:util';
import { shardIndexFrom } from '../../../src-core/cluster/partition';
import { readPlan } from '../../cluster/plan-read';
import { scoreShard } from '../../cluster/shard-score';
import type { CliIO } from '../command';

export async function scoreShardCli(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { plan: { type: 'string' }, shard: { type: 'string' }, 'memory-limit': { type: 'string' }, json: { type: 'boolean' } } });
  const planDir = values.plan!;
  const plan = readPlan(planDir);
  const i = shardIndexFrom(values.shard, process.env, plan.shards.length);
  const r = await scoreShard(planDir, i, {
    signal: io.signal, memoryLimit: values['memory-limit'],
    progress: (d, t, label) => io.progress(d, t, label), log: (t) => io.err(t),
  });
  if (values.json) io.out(JSON.stringify(r, null, 2));
  else io.out(r.skipped ? `shard ${i} already done (${r.rows} rows, checksum ok): skipped` : `shard ${i} done: ${r.rows} scored, ${r.failed} failed, ${r.model} (${r.runtime})`);
  return 0;
}
