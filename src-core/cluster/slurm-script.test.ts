import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { checkPositiveInt, checkSlurmMem, checkSlurmName, checkSlurmTime } from './slurm-options';
import { shellQuote, slurmScript, slurmWarnings } from './slurm-script';

const paths = { plan: '/scratch/me/plan', node: '/opt/node/bin/node', lensdesk: '/opt/lensdesk/bin/lensdesk.js', logs: '/scratch/me/plan/logs' };
const base = { shards: 4, arrayLimit: 200, gpus: 0, time: '02:00:00' };
const directives = (s: string) => s.split('\n').filter((l) => l.startsWith('#SBATCH ')).map((l) => l.slice(8));

describe('slurm option checks', () => {
  it('accepts every sbatch --time form and rejects others with the accepted forms named', () => {
    for (const t of ['30', '30:15', '02:00:00', '1-0', '1-12:30', '2-00:00:01', 'UNLIMITED']) expect(checkSlurmTime(t)).toBe(t);
    for (const t of ['2h', '1:2:3:4', '00:61:00', '10:60', '1-24:00', '0', '00:00:00', '', '-1', '1.5']) {
      expect(() => checkSlurmTime(t), t).toThrow(InputError);
    }
    expect(() => checkSlurmTime('2h')).toThrow(/--time "2h".*HH:MM:SS/);
  });
  it('positive ints, memory sizes and names', () => {
    expect(checkPositiveInt('8', '--gpus')).toBe(8);
    expect(checkPositiveInt('0', '--gpus', { allowZero: true })).toBe(0);
    for (const v of ['0', '-1', '1.5', 'x', '']) expect(() => checkPositiveInt(v, '--array-limit'), v).toThrow(/--array-limit/);
    expect(checkSlurmMem('8g')).toBe('8G');
    expect(checkSlurmMem('4000')).toBe('4000');
    for (const v of ['8GB', '0', '1.5G', '']) expect(() => checkSlurmMem(v), v).toThrow(/--mem/);
    expect(checkSlurmName('gpu,gpu-long', '--partition')).toBe('gpu,gpu-long');
    expect(() => checkSlurmName('gpu; rm -rf /', '--partition')).toThrow(/--partition/);
  });
});

describe('slurmScript', () => {
  it('writes an array of one task per shard with a concurrency limit, per-task logs and absolute paths', () => {
    const s = slurmScript(base, paths);
    expect(s.startsWith('#!/bin/bash\n')).toBe(true);
    const d = directives(s);
    expect(d).toContain('--array=0-3%200');
    expect(d).toContain('--time=02:00:00');
    expect(d).toContain('--output=/scratch/me/plan/logs/shard-%a.job-%A.out');
    expect(d).toContain('--error=/scratch/me/plan/logs/shard-%a.job-%A.err');
    expect(d.some((x) => x.startsWith('--gres'))).toBe(false);
    expect(d.some((x) => x.startsWith('--partition'))).toBe(false);
    // Every #SBATCH line precedes the first command (sbatch stops reading directives there).
    const lines = s.split('\n');
    const firstCmd = lines.findIndex((l) => l !== '' && !l.startsWith('#'));
    const lastDirective = lines.map((l, i) => (l.startsWith('#SBATCH') ? i : -1)).reduce((a, b) => Math.max(a, b));
    expect(lastDirective).toBeGreaterThan(0);
    expect(lastDirective).toBeLessThan(firstCmd);
    expect(s).toContain(`exec '/opt/node/bin/node' '/opt/lensdesk/bin/lensdesk.js' score --plan "$PLAN" --shard "$SLURM_ARRAY_TASK_ID"`);
    expect(s).toContain(`PLAN='/scratch/me/plan'`);
  });
  it('adds gres, partition, cpus and memory when asked', () => {
    const d = directives(slurmScript({ ...base, shards: 1000, arrayLimit: 50, gpus: 2, partition: 'gpu', cpusPerTask: 8, mem: '32G' }, paths));
    expect(d).toEqual(expect.arrayContaining(['--array=0-999%50', '--gres=gpu:2', '--partition=gpu', '--cpus-per-task=8', '--mem=32G']));
  });
  it('refuses bad options and paths that cannot be written safely', () => {
    expect(() => slurmScript({ ...base, time: '2 hours' }, paths)).toThrow(/--time/);
    expect(() => slurmScript({ ...base, arrayLimit: 0 }, paths)).toThrow(/--array-limit/);
    expect(() => slurmScript({ ...base, shards: 0 }, paths)).toThrow(/shards/);
    expect(() => slurmScript(base, { ...paths, logs: '/my plan/logs' })).toThrow(/log folder.*blanks/);
    expect(() => slurmScript(base, { ...paths, plan: 'relative/plan' })).toThrow(/absolute/);
  });
  it('quotes paths for bash (a quote inside a path survives)', () => {
    expect(shellQuote("/a/it's")).toBe(`'/a/it'\\''s'`);
    const s = slurmScript(base, { ...paths, plan: "/data/o'neil/plan" });
    expect(s).toContain(`PLAN='/data/o'\\''neil/plan'`);
  });
  it('warns past Slurm default MaxArraySize (task ids 0..1000)', () => {
    expect(slurmWarnings({ ...base, shards: 1002 })[0]).toMatch(/ids up to 1001 exceed Slurm's default MaxArraySize \(1001\)/);
    expect(slurmWarnings({ ...base, shards: 1001, arrayLimit: 10 })).toEqual([]);
  });
});
