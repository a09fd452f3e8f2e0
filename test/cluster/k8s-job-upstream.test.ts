// The Indexed Job that `lensdesk cluster k8s` writes, checked by validators other than LensDesk's
// own subset schema (src-core/cluster/k8s-job-schema.ts):
// 1. the upstream Kubernetes JSON schema through the npm package kubernetes-models, when it is
//    installed (not a dependency yet: this test skips and says so until it is);
// 2. a real API server (`kubectl apply --dry-run=server`, which runs the Job validation and
//    admission without creating anything), when a kubeconfig points at a cluster.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { k8sJob } from '../../src-core/cluster/k8s-job';

// An ESM-only package (its exports have only the "import" condition): probe it with import().
const MODELS: string = 'kubernetes-models/batch/v1';
type UpstreamJob = new (o: unknown) => { validate(): void };
let UpstreamJob: UpstreamJob | null = null;
try {
  UpstreamJob = ((await import(/* @vite-ignore */ MODELS)) as { Job: UpstreamJob }).Job;
} catch {
  /* not installed */
}
const hasModels = UpstreamJob !== null;
const kubeconfig = process.env.KUBECONFIG ?? join(homedir(), '.kube', 'config');
const hasCluster =
  existsSync(kubeconfig) && spawnSync('kubectl', ['version', '--request-timeout=5s'], { timeout: 15_000 }).status === 0;

const job = k8sJob({ shards: 4, image: 'registry.example.org/lensdesk:0.1.0', gpus: 1, parallelism: 2, mountPath: '/plan' });
const broken = structuredClone(job) as { spec: Record<string, unknown> };
broken.spec.completions = 'four';

describe('lensdesk cluster k8s: the Job against upstream validators', () => {
  it.skipIf(!hasModels)(`passes the upstream Job JSON schema (kubernetes-models)${hasModels ? '' : ' (skipped: npm package kubernetes-models is not installed)'}`, () => {
    const Job = UpstreamJob!;
    expect(() => new Job(job).validate()).not.toThrow();
    expect(() => new Job(broken).validate()).toThrow();
  });

  it.skipIf(!hasCluster)(`is accepted by a real API server (kubectl --dry-run=server)${hasCluster ? '' : ` (skipped: no reachable cluster via ${kubeconfig})`}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lensdesk-k8s-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const apply = (o: unknown) => {
      const f = join(dir, 'job.json');
      writeFileSync(f, JSON.stringify(o));
      return spawnSync('kubectl', ['apply', '--dry-run=server', '--validate=strict', '-f', f], { encoding: 'utf8', timeout: 60_000 });
    };
    const ok = apply(job);
    expect(ok.status, ok.stderr).toBe(0);
    expect(apply(broken).status).not.toBe(0);
  });
});
