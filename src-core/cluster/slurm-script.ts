// The sbatch array script for a shard plan (issue 17): one array task per shard, task I runs
// `lensdesk score --plan PLAN --shard I`. Pure text: src-main supplies the absolute paths and
// writes the file. Directives follow sbatch(1): `#SBATCH` lines must come before the first
// command; `%A` is the array's master job id and `%a` the task index in --output/--error.
import { InputError } from '../errors';
import { checkPositiveInt, checkSlurmMem, checkSlurmName, checkSlurmTime } from './slurm-options';

/**
 * Slurm's default MaxArraySize is 1001, so task ids run 0..1000 unless the site raised it
 * (slurm.conf(5), MaxArraySize). Plans with more shards are still written, with a warning.
 */
export const SLURM_DEFAULT_MAX_ARRAY_SIZE = 1001;

export interface SlurmScriptOptions {
  /** Number of shards in the plan: the array is 0..shards-1. */
  shards: number;
  /** How many array tasks may run at once (`%limit`). */
  arrayLimit: number;
  /** GPUs per task (0 = none): adds `--gres=gpu:N`. */
  gpus: number;
  /** Wall-clock limit per task, Slurm time format. */
  time: string;
  partition?: string;
  cpusPerTask?: number;
  mem?: string;
  jobName?: string;
}

export interface SlurmPaths {
  /** Absolute path of the plan folder (shared filesystem). */
  plan: string;
  /** Absolute path of the node binary that runs lensdesk. */
  node: string;
  /** Absolute path of the installed bin/lensdesk.js. */
  lensdesk: string;
  /** Absolute path of the per-task log folder (must exist before sbatch: Slurm does not create it). */
  logs: string;
}

/** Single-quotes a word for bash: inside '…' nothing is special except ' itself. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * sbatch splits `#SBATCH` lines at blanks and has no portable quoting there, so a log path with
 * whitespace (or a newline anywhere) would silently become a different option. Refuse it instead.
 */
function directivePath(p: string, what: string): string {
  if (/\s/.test(p) || p.includes('%') || !p.startsWith('/')) {
    throw new InputError('INPUT_INVALID', `${what} ${JSON.stringify(p)} cannot go in an #SBATCH line: it must be an absolute path without blanks or '%'`, { path: p });
  }
  return p;
}

/** Checks every option; throws InputError naming the flag. Returns normalised values. */
export function normaliseSlurmOptions(o: SlurmScriptOptions): SlurmScriptOptions {
  return {
    shards: checkPositiveInt(o.shards, 'shards in plan'),
    arrayLimit: checkPositiveInt(o.arrayLimit, '--array-limit'),
    gpus: checkPositiveInt(o.gpus, '--gpus', { allowZero: true }),
    time: checkSlurmTime(o.time),
    partition: o.partition === undefined ? undefined : checkSlurmName(o.partition, '--partition'),
    cpusPerTask: o.cpusPerTask === undefined ? undefined : checkPositiveInt(o.cpusPerTask, '--cpus-per-task'),
    mem: o.mem === undefined ? undefined : checkSlurmMem(o.mem),
    jobName: checkSlurmName(o.jobName ?? 'lensdesk-score', '--job-name'),
  };
}

/** Warnings a person should see before submitting (not errors: the site may allow it). */
export function slurmWarnings(o: SlurmScriptOptions): string[] {
  const w: string[] = [];
  if (o.shards > SLURM_DEFAULT_MAX_ARRAY_SIZE) {
    w.push(`${o.shards} shards: array ids up to ${o.shards - 1} exceed Slurm's default MaxArraySize (${SLURM_DEFAULT_MAX_ARRAY_SIZE}); check \`scontrol show config | grep MaxArraySize\` or plan fewer, larger shards`);
  }
  return w;
}

/** The full script text. `options` must have gone through normaliseSlurmOptions. */
export function slurmScript(options: SlurmScriptOptions, paths: SlurmPaths): string {
  const o = normaliseSlurmOptions(options);
  const logs = directivePath(paths.logs, 'log folder');
  for (const [what, p] of [['plan', paths.plan], ['node', paths.node], ['lensdesk', paths.lensdesk]] as const) {
    if (!p.startsWith('/') || /[\n\r]/.test(p)) throw new InputError('INPUT_INVALID', `${what} path ${JSON.stringify(p)} must be absolute (cluster nodes run the script from another directory)`, { path: p });
  }
  const d: string[] = [
    `--job-name=${o.jobName}`,
    `--array=0-${o.shards - 1}%${o.arrayLimit}`,
    // One log per task and submission: a resubmitted shard does not overwrite the failed run's log.
    `--output=${logs}/shard-%a.job-%A.out`,
    `--error=${logs}/shard-%a.job-%A.err`,
    `--time=${o.time}`,
    '--ntasks=1',
  ];
  if (o.cpusPerTask !== undefined) d.push(`--cpus-per-task=${o.cpusPerTask}`);
  if (o.mem !== undefined) d.push(`--mem=${o.mem}`);
  if (o.partition !== undefined) d.push(`--partition=${o.partition}`);
  if (o.gpus > 0) d.push(`--gres=gpu:${o.gpus}`);
  return [
    '#!/bin/bash',
    `# Written by \`lensdesk cluster slurm\`: scores shard $SLURM_ARRAY_TASK_ID of the plan below.`,
    `# Submit:   sbatch ${shellQuote(paths.plan + '/slurm.sh')}`,
    '# Redo only some shards (ids from `lensdesk shard status`): sbatch --array=1,3,5-7 this-script',
    '# (a command-line --array overrides the one below).',
    ...d.map((x) => `#SBATCH ${x}`),
    'set -euo pipefail',
    ': "${SLURM_ARRAY_TASK_ID:?this script runs as a Slurm array task: submit it with sbatch}"',
    `PLAN=${shellQuote(paths.plan)}`,
    `echo "lensdesk shard $SLURM_ARRAY_TASK_ID of $PLAN on $(hostname) (job \${SLURM_ARRAY_JOB_ID:-?}_\${SLURM_ARRAY_TASK_ID})" >&2`,
    // exec: the task's exit status is lensdesk's, which `shard status` and sacct report.
    `exec ${shellQuote(paths.node)} ${shellQuote(paths.lensdesk)} score --plan "$PLAN" --shard "$SLURM_ARRAY_TASK_ID"`,
    '',
  ].join('\n');
}
