// Runs the built LensDesk CLI (out/main/cli.js) as a child and times it: seconds from the first stderr line
// matching `startAt` (e.g. "model loaded", so start-up is excluded) or from spawn, wall seconds, and peak RSS
// (VmHWM polled from /proc every 50 ms; Linux). Killed after `timeoutMs`.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'out', 'main', 'cli.js');

export interface TimedRun {
  seconds: number;
  wallSeconds: number;
  peakRssMiB: number;
  stdout: string;
}

export function timedCli(args: string[], startAt: RegExp | null, timeoutMs = 900_000): Promise<TimedRun> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    let tStart = startAt ? NaN : t0;
    let err = '';
    let out = '';
    let hwm = 0;
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, CI: '1' } });
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) hwm = Math.max(hwm, Number(m[1]));
      } catch { /* exited between polls */ }
    }, 50);
    const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (startAt && Number.isNaN(tStart) && startAt.test(err)) tStart = performance.now();
    });
    child.on('exit', (code) => {
      clearInterval(poll);
      clearTimeout(kill);
      const t1 = performance.now();
      if (code !== 0) return rej(new Error(`lensdesk ${args.join(' ')} → ${code}\n${err.slice(-2000)}`));
      res({ seconds: (t1 - (Number.isNaN(tStart) ? t0 : tStart)) / 1000, wallSeconds: (t1 - t0) / 1000, peakRssMiB: hwm / 1024, stdout: out });
    });
  });
}
