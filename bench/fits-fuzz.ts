// Large FITS fuzz (issue #20): N seeded mutants (default 10,000) of the writer-made seed files
// and the small reference files in ../shared/data/fits, each read in full (src-core/fits/fuzz/
// exercise.ts) inside a child process with a per-case timeout and a V8 heap limit. Counts:
//   ok      the mutant still reads
//   typed   a FitsError naming the file (the only acceptable failure)
//   crash   any other exception (RangeError, TypeError, FitsError without file) or a dead child
//   hang    no answer within --timeout-ms (the child is killed and replaced)
//   oom     the child died of heap exhaustion (--heap-mb) or was killed by the kernel
// Every non-typed outcome is listed with its seed and case so it can be replayed in-process:
//   npx tsx bench/fits-fuzz.ts --seed S --case I
// Usage: npx tsx bench/fits-fuzz.ts [--n 10000] [--seed 20] [--workers 2] [--timeout-ms 10000]
//        [--heap-mb 256] [--no-shared] [--json]
// Workers are long-lived: each takes case after case over IPC (the mutant is rebuilt from
// (seed, index) in the child, nothing large crosses the pipe) and is restarted only when it dies
// or hangs. There is no peer ratio: astropy/cfitsio have no comparable "typed error" contract.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writerCorpus, type SeedFile } from '../src-core/fits/fuzz/corpus';
import { classify, type CaseResult } from '../src-core/fits/fuzz/exercise';
import { mutantFor } from '../src-core/fits/fuzz/mutate';

const here = dirname(fileURLToPath(import.meta.url));
const SHARED_FITS = join(process.env.LENSDESK_SHARED ?? resolve(here, '..', '..', 'shared'), 'data', 'fits');
const MAX_SHARED_FILE = 200_000;

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '20' },
    workers: { type: 'string', default: '2' },
    'timeout-ms': { type: 'string', default: '10000' },
    'heap-mb': { type: 'string', default: '256' },
    'no-shared': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    case: { type: 'string' },
    child: { type: 'boolean', default: false },
  },
});
const SEED = Number(args.seed);

/** Seed inputs: writer-made files, then the small reference files (sorted, so every process agrees). */
function inputs(): SeedFile[] {
  const files = writerCorpus();
  let shared: string[] = [];
  try {
    shared = args['no-shared'] ? [] : readdirSync(SHARED_FITS).sort();
  } catch {
    shared = [];
  }
  for (const name of shared) {
    if (/\.(json|md|png)$/.test(name) || statSync(join(SHARED_FITS, name)).size > MAX_SHARED_FILE) continue;
    files.push({ name, bytes: new Uint8Array(readFileSync(join(SHARED_FITS, name))) });
  }
  return files;
}

interface Reply extends CaseResult {
  i: number;
}

if (args.child) {
  // Child: answer case indices until the parent disconnects.
  const files = inputs();
  process.on('message', (msg: { i: number }) => {
    const m = mutantFor(SEED, msg.i, files);
    process.send!({ i: msg.i, ...classify(m.name, m.bytes) } satisfies Reply);
  });
  process.on('disconnect', () => process.exit(0));
  // Ready only once the seed files are loaded: start-up time is not counted against a case.
  process.send!({ ready: true });
} else if (args.case !== undefined) {
  // Replay one case in-process (throws nothing: prints the classification).
  const files = inputs();
  const i = Number(args.case);
  const m = mutantFor(SEED, i, files);
  console.log(JSON.stringify({ seed: SEED, case: i, file: m.name, mutation: m.what, bytes: m.bytes.length, ...classify(m.name, m.bytes) }, null, 1));
} else {
  await main();
}

type Outcome = 'ok' | 'typed' | 'crash' | 'hang' | 'oom';

interface Bad {
  case: number;
  outcome: Outcome;
  file: string;
  mutation: string;
  detail: string;
}

async function main(): Promise<void> {
  const N = Number(args.n);
  const workers = Math.max(1, Number(args.workers));
  const timeoutMs = Number(args['timeout-ms']);
  const heapMb = Number(args['heap-mb']);
  const files = inputs();
  const counts: Record<Outcome, number> = { ok: 0, typed: 0, crash: 0, hang: 0, oom: 0 };
  const codes = new Map<string, number>();
  const bad: Bad[] = [];
  let next = 0;
  let done = 0;
  let restarts = 0;
  const t0 = performance.now();

  const describe = (i: number): { file: string; mutation: string } => {
    const m = mutantFor(SEED, i, files);
    return { file: m.name, mutation: m.what };
  };
  const record = (i: number, outcome: Outcome, code: string | undefined, detail: string): void => {
    counts[outcome]++;
    done++;
    if (outcome === 'typed' && code) codes.set(code, (codes.get(code) ?? 0) + 1);
    if (outcome !== 'ok' && outcome !== 'typed') bad.push({ case: i, outcome, ...describe(i), detail });
    if (done % 1000 === 0) {
      const s = (performance.now() - t0) / 1000;
      process.stderr.write(`${done}/${N} in ${s.toFixed(0)} s: ${JSON.stringify(counts)}\n`);
    }
  };

  /** One worker slot: a child that takes cases until none are left, replaced when it dies. */
  const slot = (): Promise<void> =>
    new Promise((finish) => {
      let child: ChildProcess;
      let current = -1;
      let timer: NodeJS.Timeout | undefined;
      let stderr = '';
      /** Cases whose child we killed for running past the timeout (tells a hang from the OOM killer). */
      const hung = new Set<number>();

      const sendNext = (): void => {
        if (next >= N) {
          current = -1;
          child.disconnect();
          return;
        }
        current = next++;
        const i = current;
        timer = setTimeout(() => {
          hung.add(i);
          child.kill('SIGKILL');
        }, timeoutMs);
        child.send({ i });
      };

      const start = (): void => {
        stderr = '';
        const argv = ['--child', '--seed', String(SEED), ...(args['no-shared'] ? ['--no-shared'] : [])];
        child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, '--import', 'tsx', fileURLToPath(import.meta.url), ...argv], {
          stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        });
        child.stderr!.on('data', (d: Buffer) => {
          stderr = (stderr + d.toString()).slice(-4000);
        });
        child.on('message', (r: Reply | { ready: true }) => {
          if ('ready' in r) {
            sendNext();
            return;
          }
          if (r.i !== current) return;
          clearTimeout(timer);
          record(r.i, r.outcome, r.code, r.outcome === 'crash' ? `${r.code}: ${r.detail ?? ''}` : '');
          sendNext();
        });
        child.on('exit', (code, signal) => {
          clearTimeout(timer);
          if (current < 0) {
            finish();
            return;
          }
          const i = current;
          current = -1;
          const tail = stderr.trim().split('\n').slice(-3).join(' | ');
          const heapDeath = /heap out of memory|Reached heap limit|Allocation failed|Array buffer allocation failed/i.test(stderr);
          if (hung.has(i)) record(i, 'hang', undefined, `no answer in ${timeoutMs} ms`);
          else if (heapDeath || signal === 'SIGKILL') record(i, 'oom', undefined, tail || `killed (${signal})`);
          else record(i, 'crash', undefined, `child exited (code ${code}, signal ${signal}): ${tail}`);
          restarts++;
          start();
        });
      };
      start();
    });

  await Promise.all(Array.from({ length: workers }, () => slot()));
  const seconds = (performance.now() - t0) / 1000;
  const summary = {
    n: N,
    seed: SEED,
    seed_files: files.length,
    shared: files.length > writerCorpus().length,
    workers,
    timeout_ms: timeoutMs,
    heap_mb: heapMb,
    seconds: Number(seconds.toFixed(1)),
    counts,
    worker_restarts: restarts,
    typed_codes: Object.fromEntries([...codes].sort((a, b) => b[1] - a[1])),
    non_typed: bad,
    replay: `npx tsx bench/fits-fuzz.ts --seed ${SEED} --case <case>`,
  };
  if (args.json) console.log(JSON.stringify(summary, null, 1));
  else {
    console.log(`FITS fuzz: ${N} mutants of ${files.length} seed files (seed ${SEED}), ${workers} workers, ${timeoutMs} ms timeout, ${heapMb} MB heap, ${seconds.toFixed(1)} s`);
    console.log(`  ok ${counts.ok} · typed error ${counts.typed} · crash ${counts.crash} · hang ${counts.hang} · OOM ${counts.oom} · worker restarts ${restarts}`);
    console.log(`  typed codes: ${[...codes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ')}`);
    for (const b of bad) console.log(`  ${b.outcome.toUpperCase()} case ${b.case} (${b.file}: ${b.mutation}): ${b.detail}\n    replay: npx tsx bench/fits-fuzz.ts --seed ${SEED} --case ${b.case}`);
  }
  process.exitCode = bad.length ? 1 : 0;
}
