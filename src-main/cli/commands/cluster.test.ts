// `lensdesk cluster slurm|k8s PLAN` on a plan folder: files written, options checked, errors name the problem.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src-core/errors';
import { validateJobManifest } from '../../../src-core/cluster/k8s-job-schema';
import { appRoot } from '../../util/paths';
import type { CliIO } from '../command';
import { clusterCommand } from './cluster';

const root = mkdtempSync(join(tmpdir(), 'lensdesk-cluster-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function io(): CliIO & { lines: string[]; errs: string[] } {
  const lines: string[] = [];
  const errs: string[] = [];
  return { lines, errs, out: (t) => lines.push(t), err: (t) => errs.push(t), progress: () => {}, signal: new AbortController().signal };
}
/** A plan folder with the part of plan.json (format lensdesk-shard-plan/1) these commands read. */
function plan(name: string, shards: unknown): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'plan.json'), JSON.stringify({ format: 'lensdesk-shard-plan/1', planId: '0123456789abcdef', shards }));
  return dir;
}
const shardList = (n: number) => Array.from({ length: n }, (_, index) => ({ index, items: 10 }));

describe('lensdesk cluster slurm', () => {
  it('writes an executable PLAN/slurm.sh for every shard, calling this install by absolute path', async () => {
    const dir = plan('p5', shardList(5));
    const o = io();
    expect(await clusterCommand.run(['slurm', dir, '--gpus', '1', '--array-limit', '2', '--time', '1-00:00', '--partition', 'gpu', '--mem', '16G', '--cpus-per-task', '4', '--json'], o)).toBe(0);
    const r = JSON.parse(o.lines[0]);
    expect(r).toMatchObject({ path: join(dir, 'slurm.sh'), shards: 5, submit: `sbatch ${join(dir, 'slurm.sh')}` });
    const s = readFileSync(r.path, 'utf8');
    expect(statSync(r.path).mode & 0o111).not.toBe(0);
    expect(existsSync(join(dir, 'logs'))).toBe(true);
    for (const d of ['--array=0-4%2', '--gres=gpu:1', '--time=1-00:00', '--partition=gpu', '--mem=16G', '--cpus-per-task=4']) expect(s).toContain(`#SBATCH ${d}\n`);
    expect(s).toContain(`'${process.execPath}' '${join(appRoot(), 'bin', 'lensdesk.js')}' score --plan`);
    expect(existsSync(join(appRoot(), 'bin', 'lensdesk.js'))).toBe(true);
    // bash accepts it; outside Slurm it stops with a clear message instead of scoring shard "".
    expect(spawnSync('bash', ['-n', r.path]).status).toBe(0);
    const outside = spawnSync('bash', [r.path], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(outside.status).not.toBe(0);
    expect(outside.stderr).toMatch(/Slurm array task/);
  });
  it('rejects bad options and plans, naming them', async () => {
    const dir = plan('p2', shardList(2));
    await expect(clusterCommand.run(['slurm', dir, '--time', '2h'], io())).rejects.toThrow(/--time "2h"/);
    await expect(clusterCommand.run(['slurm', dir, '--array-limit', '0'], io())).rejects.toThrow(/--array-limit/);
    await expect(clusterCommand.run(['slurm', dir, '--gpus', '-1'], io())).rejects.toThrow(/--gpus/);
    await expect(clusterCommand.run(['slurm', dir, '--image', 'x'], io())).rejects.toThrow(/--image belongs to the other engine/);
    await expect(clusterCommand.run(['pbs', dir], io())).rejects.toBeInstanceOf(InputError);
    await expect(clusterCommand.run(['slurm', join(root, 'nope')], io())).rejects.toThrow(/not a plan folder/);
    await expect(clusterCommand.run(['slurm', plan('empty', [])], io())).rejects.toThrow(/"shards" must list/);
    await expect(clusterCommand.run(['slurm', plan('gap', [{ index: 0 }, { index: 2 }])], io())).rejects.toThrow(/shards\[1\]\.index/);
    expect(existsSync(join(dir, 'slurm.sh'))).toBe(false);
  });
});

describe('lensdesk cluster k8s', () => {
  it('writes a valid Indexed Job for every shard', async () => {
    const dir = plan('k3', shardList(3));
    const o = io();
    expect(await clusterCommand.run(['k8s', dir, '--image', 'registry.example.org/lensdesk:0.1.0', '--parallelism', '2', '--gpus', '1', '--json'], o)).toBe(0);
    const r = JSON.parse(o.lines[0]);
    expect(r.path).toBe(join(dir, 'k8s-job.json'));
    const job = JSON.parse(readFileSync(r.path, 'utf8'));
    expect(validateJobManifest(job)).toEqual([]);
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 2 });
    expect(job.spec.template.spec.containers[0].command).toEqual(['lensdesk', 'score', '--plan', dir]);
    expect(job.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    await expect(clusterCommand.run(['k8s', dir, '--name', 'Bad_Name'], io())).rejects.toThrow(/--name/);
    await expect(clusterCommand.run(['k8s', dir, '--time', '01:00:00'], io())).rejects.toThrow(/other engine/);
  });
});
