// Real single-node Slurm (slurm-wlm + munge started by slurm-harness.ts): an array job runs every
// task, and the script `lensdesk cluster slurm` writes runs under sbatch as an array, one shard
// per task, logs per task, a failed task visible and redone by resubmitting only its index.
// Skips, naming what failed, where Slurm is not installed or cannot start.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slurmScript } from '../../src-core/cluster/slurm-script';
import { type SlurmCluster, slurmMissing, startSlurm } from './slurm-harness';

let cluster: SlurmCluster | null = null;
let skipReason: string | null = slurmMissing();

beforeAll(async () => {
  if (skipReason) return;
  try {
    // Two fake GPUs (gres on /dev/null and /dev/zero; task/none binds no devices) so that the
    // script's --gres=gpu:N is scheduled as on a GPU node.
    cluster = await startSlurm({ timeoutMs: 40_000, extraConf: ['GresTypes=gpu'], nodeGres: 'gpu:2', gresConf: ['AutoDetect=off', 'Name=gpu File=/dev/null', 'Name=gpu File=/dev/zero'] });
  } catch (e) {
    skipReason = `a local Slurm could not start: ${(e as Error).message}`;
  }
  if (skipReason) console.warn(`[slurm tests skipped] ${skipReason}`);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
}, 30_000);

/** sbatch --wait: returns the exit status instead of throwing (a failed array task makes it non-zero). */
async function sbatchWait(c: SlurmCluster, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await c.client('sbatch', ['--wait', ...args], { timeoutMs: 90_000 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string; killed?: boolean };
    if (err.killed) throw new Error(`sbatch --wait timed out: ${err.stderr ?? ''}`);
    return { code: typeof err.code === 'number' ? err.code : -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

describe('local single-node Slurm (slurm-wlm + munge)', () => {
  it('runs all 4 tasks of an array job submitted with sbatch --wait', async (ctx) => {
    if (!cluster) return ctx.skip(skipReason ?? 'no cluster');
    const work = join(cluster.dir, 'plain-array');
    mkdirSync(work);
    const script = join(work, 'array.sh');
    writeFileSync(
      script,
      ['#!/bin/bash', '#SBATCH --array=0-3', `#SBATCH --output=${work}/task-%a.log`, `echo "ran $SLURM_ARRAY_TASK_ID of job $SLURM_ARRAY_JOB_ID" > ${work}/done-$SLURM_ARRAY_TASK_ID`, ''].join('\n'),
    );
    const r = await sbatchWait(cluster, [script]);
    expect(r.code, r.out).toBe(0);
    const jobId = /Submitted batch job (\d+)/.exec(r.out)?.[1];
    expect(jobId).toBeDefined();
    for (let i = 0; i < 4; i++) expect(readFileSync(join(work, `done-${i}`), 'utf8').trim()).toBe(`ran ${i} of job ${jobId}`);
    expect(readdirSync(work).filter((f) => f.startsWith('done-')).sort()).toEqual(['done-0', 'done-1', 'done-2', 'done-3']);
  }, 120_000);

  it('runs the generated lensdesk script: one shard per task, per-task logs, a failed shard redone by --array=I', async (ctx) => {
    if (!cluster) return ctx.skip(skipReason ?? 'no cluster');
    const plan = join(cluster.dir, 'plan');
    const logs = join(plan, 'logs');
    mkdirSync(logs, { recursive: true });
    // Stands in for bin/lensdesk.js: records its argv per shard, and fails shard 2 once (a
    // "killed" task) while the file fail-2 exists, as a crashed `score` would.
    const stub = join(cluster.dir, 'fake-lensdesk.mjs');
    writeFileSync(
      stub,
      [
        "import { appendFileSync, existsSync, rmSync } from 'node:fs';",
        'const a = process.argv.slice(2);',
        "const plan = a[a.indexOf('--plan') + 1], shard = a[a.indexOf('--shard') + 1];",
        "if (existsSync(plan + '/fail-' + shard)) { rmSync(plan + '/fail-' + shard); console.error('shard ' + shard + ' killed'); process.exit(3); }",
        "appendFileSync(plan + '/ran-' + shard, a.join(' ') + ' gpu=' + process.env.CUDA_VISIBLE_DEVICES + '\\n');",
        '',
      ].join('\n'),
    );
    writeFileSync(join(plan, 'fail-2'), '');
    const text = slurmScript({ shards: 4, arrayLimit: 2, gpus: 1, time: '00:05:00', partition: 'debug', cpusPerTask: 1, mem: '100M' }, { plan, node: process.execPath, lensdesk: stub, logs });
    const script = join(plan, 'slurm.sh');
    writeFileSync(script, text);
    chmodSync(script, 0o755);

    const first = await sbatchWait(cluster, [script]);
    expect(first.code, first.out).not.toBe(0); // shard 2 failed: sbatch --wait reports it
    const ran = () => [0, 1, 2, 3].filter((i) => existsSync(join(plan, `ran-${i}`)));
    expect(ran()).toEqual([0, 1, 3]);
    // Each task got one of the node's two GPUs (Slurm sets CUDA_VISIBLE_DEVICES from --gres=gpu:1).
    for (const i of [0, 1, 3]) expect(readFileSync(join(plan, `ran-${i}`), 'utf8')).toMatch(new RegExp(`^score --plan ${plan} --shard ${i} gpu=[01]\n$`));
    const jobId = /Submitted batch job (\d+)/.exec(first.out)?.[1];
    expect(readFileSync(join(logs, `shard-2.job-${jobId}.err`), 'utf8')).toContain('shard 2 killed');
    expect(readdirSync(logs).filter((f) => f.endsWith('.out')).sort()).toEqual([0, 1, 2, 3].map((i) => `shard-${i}.job-${jobId}.out`));

    // Resubmit only the failed index: a command-line --array overrides the script's directive.
    const again = await sbatchWait(cluster, ['--array=2', script]);
    expect(again.code, again.out).toBe(0);
    expect(ran()).toEqual([0, 1, 2, 3]);
    // Nothing ran twice.
    for (const i of [0, 1, 2, 3]) expect(readFileSync(join(plan, `ran-${i}`), 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
  }, 180_000);

  it('refuses a script asking for more GPUs per task than the node has', async (ctx) => {
    if (!cluster) return ctx.skip(skipReason ?? 'no cluster');
    const plan = join(cluster.dir, 'plan-3gpu');
    mkdirSync(join(plan, 'logs'), { recursive: true });
    const script = join(plan, 'slurm.sh');
    writeFileSync(script, slurmScript({ shards: 2, arrayLimit: 2, gpus: 3, time: '5' }, { plan, node: process.execPath, lensdesk: '/nonexistent.js', logs: join(plan, 'logs') }));
    const r = await sbatchWait(cluster, [script]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/Requested node configuration is not available/);
  }, 60_000);
});

describe('local Slurm start-up failures', () => {
  it('names the daemon and log when the node cannot register, and leaves nothing behind', async (ctx) => {
    if (slurmMissing()) return ctx.skip(slurmMissing()!);
    // Two GPUs declared for the node but no gres.conf: slurmctld marks the node INVAL.
    const err = await startSlurm({ timeoutMs: 40_000, extraConf: ['GresTypes=gpu'], nodeGres: 'gpu:2' }).then(
      async (c) => {
        await c.stop();
        return null;
      },
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toMatch(/slurmctld refused the node \(sinfo: inval/);
    expect(err!.message).toMatch(/gres\/gpu count reported lower than configured/);
    const dir = /--- (\/\S+)\/log\/slurmctld\.log ---/.exec(err!.message)?.[1];
    expect(dir).toBeDefined();
    expect(existsSync(dir!)).toBe(false);
  }, 60_000);
});
