// Issue 17 end to end on a real single-node Slurm: a small simulated survey is planned into 4
// shards, `lensdesk cluster slurm` writes the array script, sbatch runs it with the built CLI, one
// shard is killed mid-way (its task blocked on a cutout, then scancel'd), `lensdesk shard status`
// names it and prints the resubmission, which redoes only it; `lensdesk merge` then equals
// single-machine scoring of the same cutouts, nothing duplicated, and imports the top K.
// Needs the built CLI with the shard/merge commands (npm run build) and Slurm (slurm-harness.ts);
// skips naming what is missing.
import Database from 'better-sqlite3';
import { DuckDBInstance } from '@duckdb/node-api';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../shared';
import { type SlurmCluster, slurmMissing, startSlurm } from './slurm-harness';

const CLI = join(PROJECT_ROOT, 'out', 'main', 'cli.js');
const help = existsSync(CLI) ? spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8', timeout: 60_000 }) : null;
const listed = (name: string) => new RegExp(`^\\s*${name}\\b`, 'm').test(`${help?.stdout ?? ''}${help?.stderr ?? ''}`);
const missingCommands = ['shard', 'merge', 'cluster'].filter((c) => !listed(c));
const commandsExist = existsSync(CLI) && missingCommands.length === 0;
const cliReason = !existsSync(CLI) ? `${CLI} missing (npm run build)` : `the built CLI lacks: ${missingCommands.join(', ')} (rebuild with npm run build)`;

let cluster: SlurmCluster | null = null;
let skipReason: string | null = commandsExist ? slurmMissing() : cliReason;

beforeAll(async () => {
  if (skipReason) return console.warn(`[slurm e2e skipped] ${skipReason}`);
  try {
    cluster = await startSlurm({ timeoutMs: 40_000 });
  } catch (e) {
    skipReason = `a local Slurm could not start: ${(e as Error).message}`;
    console.warn(`[slurm e2e skipped] ${skipReason}`);
  }
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
}, 30_000);

function lensdesk(args: string[], okCodes = [0]): { code: number; stdout: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 180_000, env: { ...process.env, CI: '1' } });
  if (r.status === null || !okCodes.includes(r.status)) throw new Error(`lensdesk ${args.join(' ')} → ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  return { code: r.status, stdout: r.stdout };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Generous: under a loaded CI machine each shard task (Node + tfjs start, model load) can take tens of seconds.
async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 300_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(300);
  }
}

describe('sharded scoring as a Slurm array job (real slurmctld + slurmd)', () => {
  it.skipIf(!commandsExist)(`plan → sbatch → kill one shard → status + resubmit → merge equals single-machine scoring${commandsExist ? '' : ` (skipped: ${cliReason})`}`, async (ctx) => {
    if (!cluster) return ctx.skip(skipReason ?? 'no cluster');
    const c = cluster;
    const dir = join(c.dir, 'e2e');
    const [sim, ws, single, plan] = ['sim', 'ws', 'ws-single', 'plan'].map((x) => join(dir, x));
    const N = 24;
    lensdesk(['simulate', '--preset', 'lsst', '--n', String(N), '--chunk', '12', '--seed', '17', '--workers', '1', '--out', sim]);
    expect(JSON.parse(lensdesk(['ingest', sim, '--catalog', 'sim-slurm', '--workspace', ws, '--json']).stdout)).toMatchObject({ added: N, failed: 0 });
    // Single-machine reference: the same workspace, copied before any scoring, scored in one go.
    cpSync(ws, single, { recursive: true });
    expect(JSON.parse(lensdesk(['score', '--workspace', single, '--json']).stdout)).toMatchObject({ written: N, failed: 0 });

    expect(JSON.parse(lensdesk(['shard', 'plan', ws, '--shards', '4', '--out', plan, '--json']).stdout)).toMatchObject({ shards: 4, items: N });
    const script = JSON.parse(lensdesk(['cluster', 'slurm', plan, '--array-limit', '4', '--time', '00:10:00', '--json']).stdout);
    expect(script.path).toBe(join(plan, 'slurm.sh'));

    // Kill shard 2 mid-way: its last cutout becomes a FIFO, so its task blocks reading it after
    // scoring the others started; scancel then kills it (SIGTERM) with temp files left behind.
    const items = readFileSync(join(plan, 'shards', 'shard-2.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { path: string });
    const victim = items[items.length - 1]!.path;
    for (const i of [0, 1, 3]) expect(readFileSync(join(plan, 'shards', `shard-${i}.ndjson`), 'utf8')).not.toContain(JSON.stringify(victim));
    const original = readFileSync(victim);
    rmSync(victim);
    expect(spawnSync('mkfifo', [victim]).status).toBe(0);

    const sub = await c.client('sbatch', ['--parsable', script.path]);
    const job = sub.stdout.trim().split(';')[0]!;
    const queued = async () => (await c.client('squeue', ['-h', '-r', '-j', job, '-o', '%i %T'])).stdout.trim().split('\n').filter(Boolean);
    // Shards 0, 1, 3 finish; shard 2 stays running, blocked on the FIFO.
    await until('shards 0, 1, 3 done and shard 2 running', async () => {
      const q = await queued();
      return [0, 1, 3].every((i) => existsSync(join(plan, 'out', `shard-${i}._SUCCESS`))) && q.length === 1 && q[0] === `${job}_2 RUNNING`;
    });
    await until('shard 2 to have started', () => existsSync(join(plan, 'out', 'shard-2.log')) && readFileSync(join(plan, 'out', 'shard-2.log'), 'utf8').includes('start'));
    await c.client('scancel', [`${job}_2`]);
    await until('the array to leave the queue', async () => (await queued()).length === 0, 120_000);
    rmSync(victim);
    writeFileSync(victim, original);
    const before = Object.fromEntries([0, 1, 3].map((i) => [i, statSync(join(plan, 'out', `shard-${i}.parquet`)).mtimeMs]));

    const st = lensdesk(['shard', 'status', plan, '--json'], [1]);
    const status = JSON.parse(st.stdout);
    expect(status.done).toEqual([0, 1, 3]);
    expect(status.failed).toEqual([2]);
    expect(status.resubmit).toBe('2');
    const resubmit = (status.commands as string[]).find((x) => x.startsWith('sbatch '))!;
    expect(resubmit).toBe(`sbatch --array=2 ${join(plan, 'slurm.sh')}`);
    const again = await c.client('sbatch', ['--wait', ...resubmit.split(' ').slice(1)], { timeoutMs: 300_000 });
    expect(again.stdout).toMatch(/Submitted batch job \d+/);
    expect(lensdesk(['shard', 'status', plan, '--json']).code).toBe(0);
    // Only shard 2 ran again.
    for (const i of [0, 1, 3]) expect(statSync(join(plan, 'out', `shard-${i}.parquet`)).mtimeMs).toBe(before[i]);

    const K = 5;
    lensdesk(['merge', plan, '--top', String(K), '--json']);
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    const merged = (await conn.runAndReadAll(`SELECT row_id, score FROM read_parquet('${join(plan, 'merged', 'scores.parquet').replace(/'/g, "''")}') ORDER BY row_id`)).getRowObjects();
    conn.closeSync();
    inst.closeSync();
    const db = new Database(join(single, 'lensdesk.sqlite'), { readonly: true });
    const ref = db.prepare('SELECT source_id, probability FROM scores ORDER BY source_id').all() as { source_id: number; probability: number }[];
    db.close();
    expect(ref).toHaveLength(N);
    expect(merged).toHaveLength(N); // every cutout once: nothing lost, nothing duplicated
    expect(new Set(merged.map((r) => Number(r.row_id))).size).toBe(N);
    merged.forEach((r, k) => {
      expect(Number(r.row_id)).toBe(ref[k]!.source_id);
      expect(Number(r.score)).toBeCloseTo(ref[k]!.probability, 5);
    });
    // The top K came back into the workspace the plan was made from.
    const wsDb = new Database(join(ws, 'lensdesk.sqlite'), { readonly: true });
    const imported = (wsDb.prepare('SELECT source_id FROM scores ORDER BY probability DESC, source_id').all() as { source_id: number }[]).map((r) => r.source_id);
    wsDb.close();
    const topRef = [...ref].sort((a, b) => b.probability - a.probability || a.source_id - b.source_id).slice(0, K).map((r) => r.source_id);
    expect(new Set(imported)).toEqual(new Set(topRef));
  }, 900_000);
});
