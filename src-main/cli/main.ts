// `lensdesk` CLI entry: dispatches to subcommands, prints typed errors as one clear line.
import { LensDeskError } from '../../src-core/errors';
import { diskErrorKind } from '../store/disk-error';
import type { CliIO } from './command';
import { commands } from './commands/index';

function makeIO(signal: AbortSignal): CliIO {
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
    progress(done, total, label = '') {
      const pct = total > 0 ? Math.floor((100 * done) / total) : 0;
      const line = `${label ? label + ' ' : ''}${done}/${total} (${pct}%)`;
      if (tty) process.stderr.write(`\r${line}\x1b[K${done >= total ? '\n' : ''}`);
      else if (Date.now() - lastLine > 1000 || done >= total) {
        lastLine = Date.now();
        process.stderr.write(line + '\n');
      }
    },
    signal,
  };
}

export function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  return [
    'Usage: lensdesk <command> [options]',
    '',
    'Find, review and model strong gravitational lenses in local FITS survey images.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `lensdesk <command> --help` for the options of one command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  if (name === '--version') {
    process.stdout.write('lensdesk 0.1.0\n');
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`lensdesk: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.usage.trimEnd() + '\n');
    return 0;
  }
  const ac = new AbortController();
  const onSig = () => {
    if (ac.signal.aborted) process.exit(130);
    process.stderr.write('\nlensdesk: interrupted, stopping (Ctrl-C again to force)\n');
    ac.abort();
  };
  process.on('SIGINT', onSig);
  try {
    return await cmd.run(rest, makeIO(ac.signal));
  } catch (e) {
    if (e instanceof LensDeskError) {
      process.stderr.write(`lensdesk ${name}: ${e.name} [${e.code}]: ${e.message}\n`);
      return e.code === 'CANCELLED' ? 130 : 2;
    }
    if (e instanceof Error && (e as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      process.stderr.write(`lensdesk ${name}: ${e.message}\n\n${cmd.usage}\n`);
      return 2;
    }
    if (diskErrorKind(e)) {
      // A full or failing disk is the user's to fix, not a bug: no stack trace.
      process.stderr.write(`lensdesk ${name}: disk full or failing [${(e as { code: string }).code}]: ${(e as Error).message}\n`);
      return 2;
    }
    process.stderr.write(`lensdesk ${name}: internal error: ${(e as Error)?.stack ?? e}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSig);
  }
}
