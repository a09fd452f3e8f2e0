// A browser-mode server of its own for a spec (own workspace, reviewer, SAMP hub lockfile), so the
// spec does not depend on what other specs graded or on their order.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DeskServer {
  url: string;
  origin: string;
  token: string;
  workspace: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startDeskServer(opts: { reviewer: string; demoCount: number; env?: Record<string, string>; noDemo?: boolean; workspace?: string }): Promise<DeskServer> {
  const dir = mkdtempSync(join(tmpdir(), 'lensdesk-desk-'));
  const workspace = opts.workspace ?? join(dir, 'ws');
  const token = randomBytes(16).toString('hex');
  const args = ['out/main/serve.js', '--workspace', workspace, '--port', '0', '--token', token, '--reviewer', opts.reviewer, '--no-open'];
  if (opts.noDemo) args.push('--no-demo');
  else args.push('--demo-count', String(opts.demoCount));
  const child: ChildProcess = spawn(process.execPath, args, { env: { ...process.env, ...opts.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${log}`)), 60_000);
    const onData = (b: Buffer) => {
      log += String(b);
      const m = /Open: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(log);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited (${code}):\n${log}`)));
  });
  return {
    url,
    origin: new URL(url).origin,
    token,
    workspace,
    dir,
    stop: async () => {
      if (child.exitCode === null) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
