// `lensdesk shard plan|status`: cut a workspace's cutouts into shards for array jobs (Slurm,
// Kubernetes Indexed Jobs) and see which shards are done. Scoring one shard is `lensdesk score
// --plan PLAN --shard I`; bringing the results back is `lensdesk merge PLAN`. See docs/cluster.md.
import { parseArgs } from 'node:util';
import { InputError } from '../../../src-core/errors';
import { writePlan } from '../../cluster/plan-write';
import { planStatus } from '../../cluster/shard-status';
import { numberOption } from '../args';
import { imageList } from './ingest';
import type { CliCommand } from '../command';

export const shardCommand: CliCommand = {
  name: 'shard',
  summary: 'plan sharded scoring for cluster array jobs, and show which shards are done',
  usage: `Usage: lensdesk shard plan WORKSPACE|FOLDER --shards N --out PLAN [--catalog-id N] [--model DIR | --placeholder] [--no-checksums] [--json]
       lensdesk shard plan CATALOG.fits|CATALOG.csv --images g=G.fits,r=R.fits,… [--size 64] [--nearest] [--ra COL --dec COL --id COL]
                           --shards N --out PLAN [--model DIR | --placeholder] [--no-checksums] [--json]
       lensdesk shard status PLAN [--json]

plan: lists the workspace's stamps in source-id order (or a folder's FITS cutouts, cubes per cutout) and cuts them into N contiguous shards whose
sizes differ by at most one. Writes PLAN/plan.json (shards, model name/version/sha256, input checksums,
who/when), PLAN/shards/shard-I.ndjson (one line per cutout: row id, name, RA/Dec in degrees ICRS,
file, sha256) and a copy of the model in PLAN/model. The model is the one \`lensdesk score\` would use.
--no-checksums skips the sha256 of each cutout file (for very large surveys). Shards are numbered 0..N-1.
With --images, the input is a catalog (as \`lensdesk ingest --catalog-file … --images …\`, same options):
its data rows are counted and cut into N contiguous row ranges; each node cuts its rows' stamps from the
survey images itself. Rows off the images or without RA/Dec are reported as failures of their shard.

status: done (valid _SUCCESS), running (live pid on this host), failed (killed: temp files left, or
its log says failed) and missing shards, and the command that resubmits only failed + missing ones:
  sbatch --array=LIST PLAN/slurm.sh        (LIST like 1,3,5-7)
Exit code 0 when every shard is done, 1 otherwise.`,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'plan') {
      const { values, positionals } = parseArgs({
        args: rest, allowPositionals: true,
        options: { shards: { type: 'string' }, out: { type: 'string' }, 'catalog-id': { type: 'string' }, model: { type: 'string' }, placeholder: { type: 'boolean' }, 'no-checksums': { type: 'boolean' }, json: { type: 'boolean' },
          images: { type: 'string' }, size: { type: 'string' }, nearest: { type: 'boolean' }, ra: { type: 'string' }, dec: { type: 'string' }, id: { type: 'string' } },
      });
      if (positionals.length !== 1 || !values.out || !values.shards) {
        io.err(this.usage);
        return 2;
      }
      const shards = numberOption(values, 'shards', { integer: true, min: 1, max: 1_000_000 })!;
      const plan = await writePlan({
        input: positionals[0]!, shards, out: values.out,
        catalogId: numberOption(values, 'catalog-id', { integer: true, min: 1 }),
        ...(values.images ? { catalog: {
          catalogFile: positionals[0]!, images: imageList(values.images), resampling: values.nearest ? 'nearest' as const : 'bilinear' as const,
          ...(values.size ? { size: Number(values.size) } : {}), raColumn: values.ra, decColumn: values.dec, idColumn: values.id,
        } } : {}),
        modelPath: values.model, placeholder: values.placeholder, checksums: !values['no-checksums'],
        command: ['lensdesk', 'shard', ...argv].join(' '), signal: io.signal,
        progress: (d, t) => io.progress(d, t, 'planning'),
      });
      const sizes = plan.shards.map((s) => s.items);
      if (values.json) io.out(JSON.stringify({ plan: values.out, planId: plan.planId, items: plan.nItems, shards: plan.shards.length, minItems: Math.min(...sizes), maxItems: Math.max(...sizes), model: `${plan.model.name} ${plan.model.version}`, modelSha256: plan.model.sha256 }, null, 2));
      else io.out(`plan ${plan.planId}: ${plan.nItems} cutouts in ${plan.shards.length} shards (${Math.min(...sizes)}-${Math.max(...sizes)} each), model ${plan.model.name} ${plan.model.version}, written to ${values.out}`);
      return 0;
    }
    if (sub === 'status') {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean' } } });
      if (positionals.length !== 1) {
        io.err(this.usage);
        return 2;
      }
      const st = planStatus(positionals[0]!);
      if (values.json) io.out(JSON.stringify(st, null, 2));
      else {
        io.out(`plan ${st.planId}: ${st.done.length}/${st.shards} shards done, ${st.running.length} running, ${st.failed.length} failed, ${st.missing.length} missing`);
        for (const d of st.detail) if (d.state !== 'done') io.out(`  shard ${d.index}: ${d.state}${d.why ? ` (${d.why})` : ''}`);
        if (st.resubmit) io.out(`resubmit only these:\n  ${st.commands.join('\n  ')}`);
      }
      return st.done.length === st.shards ? 0 : 1;
    }
    throw new InputError('INPUT_INVALID', `lensdesk shard: expected 'plan' or 'status', got '${sub ?? ''}'`, { option: 'subcommand' });
  },
};
