// A real single-node Slurm for tests (issue 17): munged, slurmctld and slurmd from Debian's
// slurm-wlm/munge packages, started in a temp dir as child process groups with their own key,
// sockets, ports, state and spool, so nothing in /etc or /run is used or changed. The tests that
// use it skip, naming what failed, where these programs are missing or cannot start.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, hostname, tmpdir, totalmem, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SEARCH = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', ...(process.env.PATH ?? '').split(':')];

/** Absolute path of a program, or null (daemons live in /usr/sbin, often not on a user's PATH). */
export function which(name: string): string | null {
  for (const d of SEARCH) {
    if (!d) continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

const NEEDED = { munged: 'munge', slurmctld: 'slurmctld', slurmd: 'slurmd', sbatch: 'slurm-client', sinfo: 'slurm-client', scontrol: 'slurm-client' } as const;

/** Null when every program is installed, else the reason to skip (which programs, which package). */
export function slurmMissing(): string | null {
  const missing = Object.keys(NEEDED).filter((p) => !which(p));
  if (missing.length === 0) return null;
  return `Slurm is not installed here (${missing.join(', ')} not found; apt-get install slurm-wlm munge)`;
}

export interface SlurmCluster {
  /** Temp dir holding slurm.conf, the munge key, state, spool and logs. */
  dir: string;
  /** Environment for sbatch/sinfo/scancel/squeue: SLURM_CONF points at this cluster. */
  env: NodeJS.ProcessEnv;
  /** Runs a Slurm client command (sbatch, squeue, …) against this cluster. */
  client(cmd: string, args: string[], opts?: { timeoutMs?: number; cwd?: string }): Promise<{ stdout: string; stderr: string }>;
  /** Kills every daemon's process group and removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const tail = (f: string, n = 1500) => (existsSync(f) ? readFileSync(f, 'utf8').slice(-n) : '(no log)');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts munged, slurmctld -D and slurmd -D; resolves once `sinfo` shows the node idle.
 * Rejects with a message naming the daemon that failed and the tail of its log; everything
 * started is torn down before rejecting.
 */
export async function startSlurm(opts: { timeoutMs?: number; extraConf?: string[]; nodeGres?: string; gresConf?: string[] } = {}): Promise<SlurmCluster> {
  const missing = slurmMissing();
  if (missing) throw new Error(missing);
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const dir = mkdtempSync(join(tmpdir(), 'lensdesk-slurm-'));
  // munged refuses a socket/key directory that others may write to; 0711 lets jobs reach the socket.
  chmodSync(dir, 0o711);
  for (const d of ['munge', 'state', 'spool', 'log']) mkdirSync(join(dir, d), { mode: 0o711 });
  const key = join(dir, 'munge', 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o600 });
  const sock = join(dir, 'munge', 'munge.sock');
  const conf = join(dir, 'slurm.conf');
  const host = hostname().split('.')[0];
  const user = userInfo().username;
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const memMb = Math.floor(totalmem() / 2 ** 20);
  // slurm.conf(5). No cgroups (containers and CI runners often lack a delegated cgroup tree):
  // linuxproc tracks tasks by parent pid, task/none binds nothing. No accounting daemon.
  writeFileSync(
    conf,
    [
      'ClusterName=lensdesk-test',
      `SlurmctldHost=${host}(127.0.0.1)`,
      `SlurmUser=${user}`,
      `SlurmdUser=${user}`,
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${sock}`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'SchedulerType=sched/backfill',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'ReturnToService=2',
      'MpiDefault=none',
      // Fast turnaround for tests: finished jobs leave the queue quickly.
      'MinJobAge=5',
      // scancel sends SIGTERM, then SIGKILL after KillWait seconds (default 30).
      'KillWait=5',
      ...(opts.extraConf ?? []),
      `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus().length} RealMemory=${memMb}${opts.nodeGres ? ` Gres=${opts.nodeGres}` : ''} State=UNKNOWN`,
      'PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
      '',
    ].join('\n'),
  );
  if (opts.gresConf) writeFileSync(join(dir, 'gres.conf'), opts.gresConf.join('\n') + '\n');
  const env: NodeJS.ProcessEnv = { ...process.env, SLURM_CONF: conf };
  // Inherited settings would point sbatch at another cluster or change its defaults.
  for (const k of Object.keys(env)) if (k.startsWith('SBATCH_') || (k.startsWith('SLURM_') && k !== 'SLURM_CONF')) delete env[k];
  const children: { name: string; proc: ChildProcess; log: string }[] = [];
  const spawnDaemon = (name: string, args: string[], log: string) => {
    const out = join(dir, 'log', `${name}.stdout`);
    writeFileSync(out, '');
    // detached: its own process group, so stop() can kill it and anything it forked (slurmstepd).
    const proc = spawn(which(name)!, args, { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const append = (b: Buffer) => writeFileSync(out, b, { flag: 'a' });
    proc.stdout?.on('data', append);
    proc.stderr?.on('data', append);
    children.push({ name, proc, log });
    return proc;
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
      for (const c of [...children].reverse()) {
        if (c.proc.exitCode !== null || c.proc.signalCode !== null || c.proc.pid === undefined) continue;
        try {
          process.kill(-c.proc.pid, sig);
        } catch {
          /* already gone */
        }
      }
      const until = Date.now() + 5000;
      while (Date.now() < until && children.some((c) => c.proc.exitCode === null && c.proc.signalCode === null)) await sleep(100);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const fail = async (what: string, log: string): Promise<never> => {
    const detail = `${what}\n--- ${log} ---\n${tail(log)}`;
    await stop();
    throw new Error(detail);
  };
  const client: SlurmCluster['client'] = async (cmd, args, o = {}) => {
    const bin = which(cmd) ?? cmd;
    return run(bin, args, { env, cwd: o.cwd ?? dir, timeout: o.timeoutMs ?? 20_000, maxBuffer: 1 << 20 });
  };

  try {
    const mungeLog = join(dir, 'log', 'munged.log');
    spawnDaemon('munged', ['--foreground', `--key-file=${key}`, `--socket=${sock}`, `--pid-file=${join(dir, 'munge', 'munged.pid')}`, `--seed-file=${join(dir, 'munge', 'munged.seed')}`, `--log-file=${mungeLog}`], join(dir, 'log', 'munged.stdout'));
    while (!existsSync(sock)) {
      if (children[0].proc.exitCode !== null || Date.now() > deadline) return await fail(`munged did not start (exit ${children[0].proc.exitCode})`, join(dir, 'log', 'munged.stdout'));
      await sleep(50);
    }
    // -i: ignore (absent) saved state; -D: stay in the foreground as our child.
    spawnDaemon('slurmctld', ['-D', '-i', '-f', conf], join(dir, 'log', 'slurmctld.log'));
    spawnDaemon('slurmd', ['-D', '-f', conf], join(dir, 'log', 'slurmd.log'));
    let last = '';
    for (;;) {
      for (const c of children) if (c.proc.exitCode !== null) return await fail(`${c.name} exited with status ${c.proc.exitCode} while starting`, existsSync(c.log) ? c.log : join(dir, 'log', `${c.name}.stdout`));
      try {
        last = (await client('sinfo', ['-h', '-N', '-o', '%T'], { timeoutMs: 5000 })).stdout.trim();
      } catch (e) {
        last = String((e as Error).message).split('\n')[0];
      }
      if (last === 'idle') break;
      // INVAL: slurmctld refused the node's registration (its config does not match the machine).
      if (last.startsWith('inval')) return await fail(`slurmctld refused the node (sinfo: ${last})`, join(dir, 'log', 'slurmctld.log'));
      if (Date.now() > deadline) return await fail(`the Slurm node did not become idle in time (sinfo said: ${last || 'nothing'})`, join(dir, 'log', 'slurmctld.log'));
      await sleep(250);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, env, client, stop };
}
