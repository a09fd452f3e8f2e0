// LOCAL SUBSET SCHEMA, NOT THE UPSTREAM ONE. Checks a batch/v1 Job manifest against a
// hand-written subset of the Kubernetes OpenAPI model (io.k8s.api.batch.v1.Job and the types it
// uses, field names and types as in the API reference for Kubernetes ≥ 1.29, where
// backoffLimitPerIndex is beta and on by default), plus the cross-field rules the API server's Job
// validation applies to the fields LensDesk emits. Unknown fields are errors, as with
// `kubectl apply --validate=strict`. The full upstream model (e.g. the npm package
// kubernetes-models, whose `new Job(obj).validate()` uses the upstream JSON schema) is preferred
// once it is a dependency; test/cluster/k8s-job.test.ts runs it too when it is installed.

type Schema =
  | { t: 'string'; enum?: string[]; pattern?: RegExp; maxLength?: number }
  | { t: 'int'; min?: number; max?: number }
  | { t: 'bool' }
  | { t: 'array'; items: Schema }
  | { t: 'map'; values: Schema }
  | { t: 'object'; props: Record<string, Schema>; required?: string[] };

const str: Schema = { t: 'string' };
const int32: Schema = { t: 'int', min: -(2 ** 31), max: 2 ** 31 - 1 };
const label: Schema = { t: 'string', pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, maxLength: 63 };
const subdomain: Schema = { t: 'string', pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, maxLength: 253 };
// io.k8s.apimachinery.pkg.api.resource.Quantity (string form).
const quantity: Schema = { t: 'string', pattern: /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$/ };
const obj = (props: Record<string, Schema>, required?: string[]): Schema => ({ t: 'object', props, required });
const arr = (items: Schema): Schema => ({ t: 'array', items });
const map = (values: Schema): Schema => ({ t: 'map', values });

const objectMeta = obj({ name: subdomain, generateName: str, namespace: label, labels: map(str), annotations: map(str) });
const resources = obj({ limits: map(quantity), requests: map(quantity) });
const envVar = obj({ name: { t: 'string', pattern: /^[-._a-zA-Z][-._a-zA-Z0-9]*$/ }, value: str }, ['name']);
const volumeMount = obj({ name: str, mountPath: str, readOnly: { t: 'bool' }, subPath: str }, ['name', 'mountPath']);
const container = obj(
  {
    name: label,
    image: str,
    imagePullPolicy: { t: 'string', enum: ['Always', 'IfNotPresent', 'Never'] },
    command: arr(str),
    args: arr(str),
    workingDir: str,
    env: arr(envVar),
    resources,
    volumeMounts: arr(volumeMount),
  },
  ['name'],
);
const volume = obj(
  {
    name: label,
    persistentVolumeClaim: obj({ claimName: str, readOnly: { t: 'bool' } }, ['claimName']),
    hostPath: obj({ path: str, type: str }, ['path']),
    emptyDir: obj({ medium: str, sizeLimit: quantity }),
  },
  ['name'],
);
const podSpec = obj(
  {
    restartPolicy: { t: 'string', enum: ['Always', 'OnFailure', 'Never'] },
    containers: arr(container),
    volumes: arr(volume),
    nodeSelector: map(str),
    serviceAccountName: str,
  },
  ['containers'],
);
const jobSpec = obj(
  {
    completionMode: { t: 'string', enum: ['NonIndexed', 'Indexed'] },
    completions: int32,
    parallelism: int32,
    backoffLimit: int32,
    backoffLimitPerIndex: int32,
    maxFailedIndexes: int32,
    activeDeadlineSeconds: { t: 'int', min: 1 },
    ttlSecondsAfterFinished: int32,
    suspend: { t: 'bool' },
    template: obj({ metadata: objectMeta, spec: podSpec }),
  },
  ['template'],
);
/** The subset of io.k8s.api.batch.v1.Job that LensDesk writes (status is server-side, omitted). */
export const JOB_SUBSET_SCHEMA: Schema = obj(
  { apiVersion: { t: 'string', enum: ['batch/v1'] }, kind: { t: 'string', enum: ['Job'] }, metadata: objectMeta, spec: jobSpec },
  ['apiVersion', 'kind', 'metadata', 'spec'],
);

function check(v: unknown, s: Schema, at: string, errs: string[]): void {
  const is = (ok: boolean, what: string) => (ok ? true : (errs.push(`${at}: expected ${what}, got ${JSON.stringify(v)}`), false));
  switch (s.t) {
    case 'string':
      if (!is(typeof v === 'string', 'a string')) return;
      if (s.enum && !s.enum.includes(v as string)) errs.push(`${at}: ${JSON.stringify(v)} is not one of ${s.enum.join(', ')}`);
      if (s.pattern && !s.pattern.test(v as string)) errs.push(`${at}: ${JSON.stringify(v)} does not match ${s.pattern}`);
      if (s.maxLength !== undefined && (v as string).length > s.maxLength) errs.push(`${at}: longer than ${s.maxLength} characters`);
      return;
    case 'int':
      if (!is(typeof v === 'number' && Number.isInteger(v), 'an integer')) return;
      if ((s.min !== undefined && (v as number) < s.min) || (s.max !== undefined && (v as number) > s.max)) errs.push(`${at}: ${v} is out of range`);
      return;
    case 'bool':
      is(typeof v === 'boolean', 'true or false');
      return;
    case 'array':
      if (!is(Array.isArray(v), 'a list')) return;
      (v as unknown[]).forEach((x, i) => check(x, s.items, `${at}[${i}]`, errs));
      return;
    case 'map':
    case 'object': {
      if (!is(typeof v === 'object' && v !== null && !Array.isArray(v), 'an object')) return;
      const o = v as Record<string, unknown>;
      if (s.t === 'map') {
        for (const [k, x] of Object.entries(o)) check(x, s.values, `${at}.${k}`, errs);
        return;
      }
      for (const r of s.required ?? []) if (!(r in o)) errs.push(`${at}.${r}: required field missing`);
      for (const [k, x] of Object.entries(o)) {
        if (!(k in s.props)) errs.push(`${at}.${k}: unknown field (not in the Job schema subset)`);
        else check(x, s.props[k], `${at}.${k}`, errs);
      }
    }
  }
}

/** The API server's Job validation (pkg/apis/batch/validation) for the fields above. */
function crossFieldRules(job: Record<string, unknown>, errs: string[]): void {
  const spec = (job.spec ?? {}) as Record<string, unknown>;
  const tmpl = ((spec.template ?? {}) as Record<string, unknown>).spec as Record<string, unknown> | undefined;
  const indexed = spec.completionMode === 'Indexed';
  const n = (k: string) => (typeof spec[k] === 'number' ? (spec[k] as number) : undefined);
  for (const k of ['completions', 'parallelism', 'backoffLimit', 'backoffLimitPerIndex', 'maxFailedIndexes']) {
    if ((n(k) ?? 0) < 0) errs.push(`spec.${k}: must be greater than or equal to 0`);
  }
  if (indexed && n('completions') === undefined) errs.push('spec.completions: required when completionMode is Indexed');
  // Indexed Jobs track per-index state, capped at 10^5 (maxParallelismForIndexedJob).
  if (indexed && (n('parallelism') ?? 0) > 100_000) errs.push('spec.parallelism: must be ≤ 100000 when completionMode is Indexed');
  if (n('backoffLimitPerIndex') !== undefined && !indexed) errs.push('spec.backoffLimitPerIndex: requires completionMode Indexed');
  if (n('maxFailedIndexes') !== undefined && n('backoffLimitPerIndex') === undefined) errs.push('spec.maxFailedIndexes: requires backoffLimitPerIndex');
  const rp = tmpl?.restartPolicy;
  if (rp !== 'Never' && rp !== 'OnFailure') errs.push('spec.template.spec.restartPolicy: a Job needs Never or OnFailure');
  if (n('backoffLimitPerIndex') !== undefined && rp !== 'Never') errs.push('spec.template.spec.restartPolicy: must be Never when backoffLimitPerIndex is set');
  const meta = (job.metadata ?? {}) as Record<string, unknown>;
  if (meta.name === undefined && meta.generateName === undefined) errs.push('metadata.name: required (or generateName)');
  // The job name becomes the pods' batch.kubernetes.io/job-name label value: ≤ 63 characters.
  if (typeof meta.name === 'string' && meta.name.length > 63) errs.push('metadata.name: a Job name must be at most 63 characters');
  const containers = Array.isArray(tmpl?.containers) ? (tmpl.containers as Record<string, unknown>[]) : [];
  if (containers.length === 0) errs.push('spec.template.spec.containers: at least one container is required');
  const volumes = new Set((Array.isArray(tmpl?.volumes) ? (tmpl.volumes as Record<string, unknown>[]) : []).map((v) => v.name));
  const names = new Set<unknown>();
  containers.forEach((c, i) => {
    if (names.has(c.name)) errs.push(`spec.template.spec.containers[${i}].name: duplicate ${JSON.stringify(c.name)}`);
    names.add(c.name);
    if (typeof c.image !== 'string' || !c.image) errs.push(`spec.template.spec.containers[${i}].image: required`);
    const mounts = Array.isArray(c.volumeMounts) ? (c.volumeMounts as Record<string, unknown>[]) : [];
    mounts.forEach((m, j) => {
      if (!volumes.has(m.name)) errs.push(`spec.template.spec.containers[${i}].volumeMounts[${j}].name: no volume named ${JSON.stringify(m.name)}`);
    });
  });
}

/** Every problem found, each naming the field path; empty when the manifest passes. */
export function validateJobManifest(job: unknown): string[] {
  const errs: string[] = [];
  check(job, JOB_SUBSET_SCHEMA, '', errs);
  if (typeof job === 'object' && job !== null) crossFieldRules(job as Record<string, unknown>, errs);
  return errs.map((e) => e.replace(/^\./, ''));
}
