// `npm run bench [name…]`: runs the benchmarks in bench/ one after another (never in parallel:
// they share 2 cores), each printing its figures and ratios against the peers measured in the
// same run. Machines are noisy: compare the ratios, not the seconds.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run-all.ts').map((f) => f.replace(/\.ts$/, ''));
const wanted = process.argv.slice(2);
const run = wanted.length ? all.filter((b) => wanted.includes(b)) : all;
let failed = 0;
for (const b of run) {
  console.log(`\n=== bench/${b}.ts ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${b}.ts`)], { stdio: 'inherit', timeout: 20 * 60_000 });
  if (r.status !== 0) {
    failed++;
    console.log(`bench/${b}.ts exited with ${r.status ?? r.signal}`);
  }
}
console.log(`\n${run.length - failed} of ${run.length} benchmarks ran (${run.join(', ')})`);
process.exit(failed ? 1 : 0);
