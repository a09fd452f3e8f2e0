// The Kubernetes Indexed Job for a shard plan (issue 17): `completions` = shards, one pod per
// index, and the Job controller sets JOB_COMPLETION_INDEX in each pod (batch/v1, KEP-2214
// "Indexed Job"), which `lensdesk score --plan` reads when --shard is not given. Failed indexes
// retry on their own (`backoffLimitPerIndex`, KEP-3850) so one bad shard does not fail the rest.
// Pure: returns a plain object; src-main serialises and writes it.
import { InputError } from '../errors';
import { checkPositiveInt } from './slurm-options';

export interface K8sJobOptions {
  shards: number;
  /** Container image with lensdesk on PATH. */
  image: string;
  /** Pods running at once (default: min(shards, 16)). */
  parallelism?: number;
  /** GPUs per pod (0 = none): resources.limits['nvidia.com/gpu']. */
  gpus: number;
  /** Job name (DNS-1123 label, ≤ 63 characters: it becomes the pods' job-name label). */
  name?: string;
  /** PersistentVolumeClaim that holds the plan folder (ReadWriteMany, shared by all pods). */
  claim?: string;
  /** Where the claim is mounted in each pod; the plan folder is this path. */
  mountPath?: string;
  /** Retries per index before that index counts as failed. */
  backoffLimitPerIndex?: number;
}

/** RFC 1123 label: what Kubernetes requires of Job, container, volume and claim names. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function checkLabel(v: string, flag: string): string {
  if (v.length > 63 || !DNS1123_LABEL.test(v)) {
    throw new InputError('INPUT_INVALID', `${flag} ${JSON.stringify(v)}: Kubernetes needs a lower-case RFC 1123 name (a-z, 0-9, '-', at most 63 characters, starting and ending alphanumeric)`, { flag, value: v });
  }
  return v;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

export function k8sJob(o: K8sJobOptions): { [k: string]: JsonValue } {
  const shards = checkPositiveInt(o.shards, 'shards in plan');
  const parallelism = o.parallelism === undefined ? Math.min(shards, 16) : checkPositiveInt(o.parallelism, '--parallelism');
  const gpus = checkPositiveInt(o.gpus, '--gpus', { allowZero: true });
  const name = checkLabel(o.name ?? 'lensdesk-score', '--name');
  const claim = checkLabel(o.claim ?? 'lensdesk-plan', '--claim');
  const mountPath = o.mountPath ?? '/plan';
  if (!mountPath.startsWith('/') || mountPath.includes(':')) {
    throw new InputError('INPUT_INVALID', `--mount ${JSON.stringify(mountPath)}: expected an absolute path in the container without ':'`, { flag: '--mount', value: mountPath });
  }
  const image = o.image.trim();
  if (!image || /\s/.test(image)) throw new InputError('INPUT_INVALID', `--image ${JSON.stringify(o.image)}: expected an image reference such as registry.example.org/lensdesk:0.1.0`, { flag: '--image' });
  const backoffLimitPerIndex = checkPositiveInt(o.backoffLimitPerIndex ?? 2, '--backoff-limit-per-index', { allowZero: true });
  const container: { [k: string]: JsonValue } = {
    name: 'score',
    image,
    // No --shard: lensdesk reads JOB_COMPLETION_INDEX, which the Job controller sets per pod.
    command: ['lensdesk', 'score', '--plan', mountPath],
    volumeMounts: [{ name: 'plan', mountPath }],
  };
  if (gpus > 0) container.resources = { limits: { 'nvidia.com/gpu': String(gpus) } };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels: { 'app.kubernetes.io/name': 'lensdesk', 'app.kubernetes.io/component': 'score' } },
    spec: {
      completionMode: 'Indexed',
      completions: shards,
      parallelism,
      backoffLimitPerIndex,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'lensdesk', 'app.kubernetes.io/component': 'score' } },
        spec: {
          // backoffLimitPerIndex requires Never: a failed pod is replaced, not restarted in place.
          restartPolicy: 'Never',
          containers: [container],
          volumes: [{ name: 'plan', persistentVolumeClaim: { claimName: claim } }],
        },
      },
    },
  };
}
