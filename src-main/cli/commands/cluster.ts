// `lensdesk cluster slurm|k8s PLAN`: writes the array job that scores every shard of a plan with
// an existing engine (Slurm job arrays, Kubernetes Indexed Jobs); LensDesk does not schedule.
import { parseArgs } from 'node:util';
import { InputError } from '../../../src-core/errors';
import { checkPositiveInt } from '../../../src-core/cluster/slurm-options';
import type { CliCommand } from '../command';
import { writeK8sJob, writeSlurmScript } from '../../cluster/cluster-write';

const usage = `Usage:
  lensdesk cluster slurm PLAN [--array-limit 200] [--gpus 0] [--time 02:00:00] [--partition P]
                              [--cpus-per-task C] [--mem M] [--job-name NAME] [--json]
  lensdesk cluster k8s PLAN [--image IMG] [--parallelism P] [--gpus 0] [--name NAME]
                            [--claim PVC] [--mount PATH] [--backoff-limit-per-index 2] [--json]

slurm  writes PLAN/slurm.sh, an sbatch array script: task I runs
       \`node …/bin/lensdesk.js score --plan PLAN --shard $SLURM_ARRAY_TASK_ID\` with this
       installation's absolute paths (the cluster nodes must see this filesystem); per-task logs
       in PLAN/logs/shard-I.job-J.{out,err}. Submit with \`sbatch PLAN/slurm.sh\`; redo some shards
       with \`sbatch --array=1,3 PLAN/slurm.sh\` (\`lensdesk shard status PLAN\` prints that line).
         --array-limit N     tasks running at once (the %N of --array)     [200]
         --gpus N            GPUs per task: --gres=gpu:N (0 = CPU only)     [0]
         --time T            limit per task: MM, HH:MM:SS, D-HH:MM, …      [02:00:00]
         --partition P, --cpus-per-task C, --mem M (e.g. 8G), --job-name NAME

k8s    writes PLAN/k8s-job.json, a batch/v1 Job with completionMode Indexed, completions = shards;
       each pod runs \`lensdesk score --plan MOUNT\` and the Job controller's JOB_COMPLETION_INDEX
       picks the shard. Checked against the Job schema before writing. Apply with
       \`kubectl apply -f PLAN/k8s-job.json\`.
         --image IMG         image with lensdesk on PATH                    [lensdesk:latest]
         --parallelism P     pods at once                                   [min(shards, 16)]
         --gpus N            nvidia.com/gpu limit per pod                    [0]
         --claim PVC         PersistentVolumeClaim holding the plan         [lensdesk-plan]
         --mount PATH        where the claim is mounted                      [the plan's path here]
         --name NAME         Job name                                        [lensdesk-score]
         --backoff-limit-per-index N  retries of one shard                  [2]

--json prints {"path", "shards", "submit", "warnings"}.
`;

export const clusterCommand: CliCommand = {
  name: 'cluster',
  summary: 'Write a Slurm array script or a Kubernetes Indexed Job that scores every shard of a plan',
  usage,
  async run(argv, io) {
    const [engine, ...rest] = argv;
    if (engine !== 'slurm' && engine !== 'k8s') {
      throw new InputError('INPUT_INVALID', `lensdesk cluster: expected "slurm" or "k8s", got ${JSON.stringify(engine ?? '')}\n${usage}`, { engine: engine ?? '' });
    }
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        gpus: { type: 'string', default: '0' },
        'array-limit': { type: 'string', default: '200' },
        time: { type: 'string', default: '02:00:00' },
        partition: { type: 'string' },
        'cpus-per-task': { type: 'string' },
        mem: { type: 'string' },
        'job-name': { type: 'string' },
        image: { type: 'string', default: 'lensdesk:latest' },
        parallelism: { type: 'string' },
        name: { type: 'string' },
        claim: { type: 'string' },
        mount: { type: 'string' },
        'backoff-limit-per-index': { type: 'string', default: '2' },
      },
    });
    if (positionals.length !== 1) throw new InputError('INPUT_INVALID', `lensdesk cluster ${engine}: give exactly one PLAN folder\n${usage}`, {});
    const slurmOnly = ['array-limit', 'time', 'partition', 'cpus-per-task', 'mem', 'job-name'] as const;
    const k8sOnly = ['image', 'parallelism', 'name', 'claim', 'mount', 'backoff-limit-per-index'] as const;
    const foreign = (engine === 'slurm' ? k8sOnly : slurmOnly).filter((k) => rest.some((a) => a === `--${k}` || a.startsWith(`--${k}=`)));
    if (foreign.length) throw new InputError('INPUT_INVALID', `lensdesk cluster ${engine}: --${foreign.join(', --')} belongs to the other engine`, { flag: foreign[0] });
    const plan = positionals[0];
    const gpus = checkPositiveInt(values.gpus!, '--gpus', { allowZero: true });
    const w =
      engine === 'slurm'
        ? writeSlurmScript(plan, {
            arrayLimit: checkPositiveInt(values['array-limit']!, '--array-limit'),
            gpus,
            time: values.time!,
            partition: values.partition,
            cpusPerTask: values['cpus-per-task'] === undefined ? undefined : checkPositiveInt(values['cpus-per-task'], '--cpus-per-task'),
            mem: values.mem,
            jobName: values['job-name'],
          })
        : writeK8sJob(plan, {
            image: values.image!,
            gpus,
            parallelism: values.parallelism === undefined ? undefined : checkPositiveInt(values.parallelism, '--parallelism'),
            name: values.name,
            claim: values.claim,
            mountPath: values.mount,
            backoffLimitPerIndex: checkPositiveInt(values['backoff-limit-per-index']!, '--backoff-limit-per-index', { allowZero: true }),
          });
    if (values.json) {
      io.out(JSON.stringify({ path: w.path, shards: w.shards, submit: w.submit, warnings: w.warnings }));
      return 0;
    }
    io.out(`wrote ${w.path} (${w.shards} shard${w.shards === 1 ? '' : 's'})`);
    for (const x of w.warnings) io.err(`note: ${x}`);
    io.out(`submit: ${w.submit}`);
    return 0;
  },
};
