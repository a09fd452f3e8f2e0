// Independent readers for interop tests: Debian's /usr/bin/python3 with astropy (or python3 on
// PATH), and STILTS (a `stilts` script on PATH, or STILTS_JAR=/path/stilts.jar with java). Tests
// that use them skip with the reason when they are absent.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function probe(cmd: string, args: string[]): { ok: boolean; why: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.status === 0) return { ok: true, why: '' };
  return { ok: false, why: (r.stderr || String(r.error ?? `exit ${r.status}`)).trim().split('\n').pop() ?? '' };
}

const pyCandidates = ['/usr/bin/python3', 'python3'];
let py: string | null = null;
let pyWhy = '';
for (const c of pyCandidates) {
  const p = probe(c, ['-c', 'import astropy, numpy']);
  if (p.ok) {
    py = c;
    break;
  }
  pyWhy ||= `${c}: ${p.why}`;
}
/** A python3 that imports astropy, or null. */
export const ASTROPY_PYTHON: string | null = py;
export const ASTROPY_SKIP_REASON = py ? '' : `astropy is not importable (${pyWhy}); install python3-astropy`;

const jar = process.env.STILTS_JAR;
const stiltsCmd: string[] | null = probe('stilts', ['-version']).ok ? ['stilts'] : jar && existsSync(jar) && probe('java', ['-version']).ok ? ['java', '-jar', jar] : null;
/** argv prefix that runs STILTS, or null. */
export const STILTS: string[] | null = stiltsCmd;
export const STILTS_SKIP_REASON = stiltsCmd ? '' : 'STILTS is not installed (no `stilts` on PATH and no STILTS_JAR); get it from https://www.star.bris.ac.uk/~mbt/stilts/';

/** Runs a python script (argv after it) with a timeout; returns stdout, throws with stderr on failure. */
export function runPython(script: string, args: string[], timeoutMs = 60_000): string {
  if (!py) throw new Error(ASTROPY_SKIP_REASON);
  const r = spawnSync(py, ['-c', script, ...args], { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`python exited ${r.status ?? r.signal}: ${r.stderr || r.error}`);
  return r.stdout;
}
