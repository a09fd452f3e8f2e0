// One CLI subcommand = one file in src-main/cli/commands/ exporting a CliCommand, listed in
// commands/index.ts. Commands parse their own flags (node:util parseArgs), call src-core or the
// store, write results to io.out (JSON when --json), human progress to io.err.
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** A single updating progress line on stderr (TTY) or periodic lines (non-TTY). */
  progress(done: number, total: number, label?: string): void;
  /** Aborted on SIGINT: long commands pass it down and stop cleanly. */
  signal: AbortSignal;
}

export interface CliCommand {
  /** Word after `lensdesk`, e.g. 'fits', 'simulate'. */
  name: string;
  /** One line for `lensdesk --help`. */
  summary: string;
  /** Full text for `lensdesk NAME --help`. */
  usage: string;
  /** Returns the process exit code. Throw LensDeskError for user-facing failures. */
  run(argv: string[], io: CliIO): Promise<number>;
}
