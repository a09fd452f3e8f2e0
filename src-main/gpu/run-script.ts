// Runs a package's own install script as a child process (with a timeout, output kept for the
// error message) inside a "transaction": the paths it may write are moved aside first and put
// back if it fails, so a 404, a dropped connection or a corrupt archive never leaves a half-
// installed library that a later `require` would half-load.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, renameSync, rmSync } from 'node:fs';

export interface ScriptResult {
  code: number | null;
  /** Killed by our timeout. */
  timedOut: boolean;
  /** stdout + stderr interleaved, last 64 KiB. */
  output: string;
}

export function runScript(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; onLine?: (l: string) => void }): Promise<ScriptResult> {
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const take = (b: Buffer) => {
      const s = b.toString('utf8');
      output = (output + s).slice(-65536);
      if (opts.onLine) for (const l of s.split('\n')) if (l.trim()) opts.onLine(l.trimEnd());
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, timedOut, output: `${output}\n${e.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut, output });
    });
  });
}

/** The most telling line of a failed script's output (an error, not a stack frame or progress bar). */
export function telling(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at ') && !/^\[=* *\]/.test(l));
  const rev = [...lines].reverse();
  const hit = rev.find((l) => /^(\w*Error|error)\b[:\s]/.test(l)) ?? rev.find((l) => /error|fail|not found|ENOTFOUND|EAI_AGAIN|ECONN|ETIMEDOUT|\b40[34]\b|invalid|unexpected|TAR_/i.test(l));
  return (hit ?? lines.at(-1) ?? 'no output').slice(0, 400);
}

const BAK = '.lensdesk-bak';

/** Paths moved aside before an install; `commit` drops the backups, `rollback` restores them. */
export class InstallTransaction {
  private readonly saved: { path: string; existed: boolean }[] = [];

  /** Moves `path` aside (directory or file). `copy`: keep the original in place too (a file the script edits). */
  constructor(paths: { path: string; copy?: boolean }[]) {
    for (const { path, copy } of paths) {
      const existed = existsSync(path);
      rmSync(path + BAK, { recursive: true, force: true });
      if (existed) {
        if (copy) cpSync(path, path + BAK, { recursive: true });
        else renameSync(path, path + BAK);
      }
      this.saved.push({ path, existed });
    }
  }

  commit(): void {
    for (const { path } of this.saved) rmSync(path + BAK, { recursive: true, force: true });
  }

  rollback(): void {
    for (const { path, existed } of this.saved) {
      rmSync(path, { recursive: true, force: true });
      if (existed) renameSync(path + BAK, path);
    }
  }
}
