// Writes PLAN/slurm.sh and PLAN/k8s-job.json for a plan (`lensdesk cluster slurm|k8s`). The
// Slurm script calls this installation of lensdesk by absolute path (node + bin/lensdesk.js),
// so every node that mounts the same filesystem runs the same code.
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../src-core/errors';
import { type K8sJobOptions, k8sJob } from '../../src-core/cluster/k8s-job';
import { validateJobManifest } from '../../src-core/cluster/k8s-job-schema';
import { type SlurmScriptOptions, normaliseSlurmOptions, slurmScript, slurmWarnings } from '../../src-core/cluster/slurm-script';
import { appRoot } from '../util/paths';
import { readPlanShape } from './plan-shard-count';

/** node + bin/lensdesk.js of this installation. Under Electron, execPath is not node: use PATH's. */
export function lensdeskInvocation(): { node: string; lensdesk: string } {
  const node = process.versions.electron ? 'node' : process.execPath;
  return { node, lensdesk: join(appRoot(), 'bin', 'lensdesk.js') };
}

function writeAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

export interface WrittenScript {
  path: string;
  shards: number;
  warnings: string[];
  submit: string;
}

export function writeSlurmScript(planDir: string, options: Omit<SlurmScriptOptions, 'shards'>, inv = lensdeskInvocation()): WrittenScript {
  const plan = readPlanShape(planDir);
  const o = normaliseSlurmOptions({ ...options, shards: plan.shards });
  if (!inv.node.startsWith('/')) {
    throw new InputError('INPUT_INVALID', `cannot find an absolute path for node (running under ${inv.node}); run \`node ${inv.lensdesk} cluster slurm …\``, {});
  }
  const logs = join(plan.dir, 'logs');
  const text = slurmScript(o, { plan: plan.dir, node: inv.node, lensdesk: inv.lensdesk, logs });
  // Slurm does not create the --output folder; a missing one makes every task fail silently.
  mkdirSync(logs, { recursive: true });
  const path = join(plan.dir, 'slurm.sh');
  writeAtomic(path, text, 0o755);
  return { path, shards: plan.shards, warnings: slurmWarnings(o), submit: `sbatch ${path}` };
}

export function writeK8sJob(planDir: string, options: Omit<K8sJobOptions, 'shards'>): WrittenScript {
  const plan = readPlanShape(planDir);
  // Default mount point = the plan's own absolute path: plan.json names cutout files by absolute
  // path, so pods that mount the plan (and the survey data) where the host has them read the same.
  const mountPath = options.mountPath ?? plan.dir;
  const job = k8sJob({ ...options, mountPath, shards: plan.shards });
  const errors = validateJobManifest(job);
  // Not reachable from the options alone; a guard against a template edit that breaks the schema.
  if (errors.length) throw new InputError('INPUT_INVALID', `the Job manifest does not validate: ${errors.join('; ')}`, {});
  const path = join(plan.dir, 'k8s-job.json');
  writeAtomic(path, JSON.stringify(job, null, 2) + '\n', 0o644);
  const warnings = [`copy the plan folder onto the PersistentVolumeClaim "${options.claim ?? 'lensdesk-plan'}" (mounted at ${mountPath}), and mount the survey's cutout files at the same paths as on this machine, before applying`];
  return { path, shards: plan.shards, warnings, submit: `kubectl apply -f ${path}` };
}
