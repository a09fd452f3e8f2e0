import { describe, expect, it } from 'vitest';
import { k8sJob } from './k8s-job';
import { validateJobManifest } from './k8s-job-schema';

type Obj = Record<string, any>;
const job = (over: Partial<Parameters<typeof k8sJob>[0]> = {}): Obj => k8sJob({ shards: 4, image: 'registry.example.org/lensdesk:0.1.0', gpus: 0, ...over });
const clone = (o: Obj): Obj => JSON.parse(JSON.stringify(o));

describe('k8sJob', () => {
  it('writes an Indexed Job with one completion per shard, per-index retries and the plan volume', () => {
    const j = job({ parallelism: 3 });
    expect(j.apiVersion).toBe('batch/v1');
    expect(j.kind).toBe('Job');
    expect(j.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 3, backoffLimitPerIndex: 2 });
    const pod = j.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.containers[0].command).toEqual(['lensdesk', 'score', '--plan', '/plan']);
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'plan', mountPath: '/plan' }]);
    expect(pod.volumes).toEqual([{ name: 'plan', persistentVolumeClaim: { claimName: 'lensdesk-plan' } }]);
    expect(pod.containers[0].resources).toBeUndefined();
    expect(job({ gpus: 2 }).spec.template.spec.containers[0].resources).toEqual({ limits: { 'nvidia.com/gpu': '2' } });
    expect(job({ shards: 100 }).spec.parallelism).toBe(16);
  });
  it('refuses bad names, images and counts with the flag named', () => {
    expect(() => job({ name: 'LensDesk_Score' })).toThrow(/--name/);
    expect(() => job({ image: '' })).toThrow(/--image/);
    expect(() => job({ parallelism: 0 })).toThrow(/--parallelism/);
    expect(() => job({ mountPath: 'plan' })).toThrow(/--mount/);
  });
});

describe('validateJobManifest (local subset schema)', () => {
  it('passes what k8sJob writes, with and without GPUs', () => {
    expect(validateJobManifest(job())).toEqual([]);
    expect(validateJobManifest(job({ gpus: 1, parallelism: 100, name: 'survey-7', claim: 'des-plan', mountPath: '/data/plan' }))).toEqual([]);
  });
  it('fails broken manifests, naming the field', () => {
    const cases: [string, (j: Obj) => void, RegExp][] = [
      ['wrong type', (j) => (j.spec.completions = '4'), /spec\.completions: expected an integer/],
      ['unknown field (typo)', (j) => (j.spec.completionsMode = 'Indexed'), /spec\.completionsMode: unknown field/],
      ['bad enum', (j) => (j.spec.completionMode = 'indexed'), /spec\.completionMode: "indexed" is not one of/],
      ['Indexed without completions', (j) => delete j.spec.completions, /completions: required when completionMode is Indexed/],
      ['per-index backoff on NonIndexed', (j) => (j.spec.completionMode = 'NonIndexed'), /backoffLimitPerIndex: requires completionMode Indexed/],
      ['restartPolicy OnFailure with per-index backoff', (j) => (j.spec.template.spec.restartPolicy = 'OnFailure'), /must be Never when backoffLimitPerIndex/],
      ['restartPolicy Always', (j) => (j.spec.template.spec.restartPolicy = 'Always'), /Never or OnFailure/],
      ['mount without a volume', (j) => (j.spec.template.spec.volumes = []), /no volume named "plan"/],
      ['upper-case name', (j) => (j.metadata.name = 'Score'), /metadata\.name: "Score" does not match/],
      ['negative parallelism', (j) => (j.spec.parallelism = -1), /parallelism: must be greater than or equal to 0/],
      ['bad GPU quantity', (j) => (j.spec.template.spec.containers[0].resources = { limits: { 'nvidia.com/gpu': 'two' } }), /nvidia\.com\/gpu: "two" does not match/],
      ['wrong apiVersion', (j) => (j.apiVersion = 'batch/v1beta1'), /apiVersion: "batch\/v1beta1" is not one of/],
      ['no containers', (j) => (j.spec.template.spec.containers = []), /at least one container/],
    ];
    for (const [what, edit, expected] of cases) {
      const j = clone(job());
      edit(j);
      const errs = validateJobManifest(j);
      expect(errs.join('\n'), what).toMatch(expected);
    }
  });
});
