import { runServe, SERVE_USAGE } from '../../serve/run-serve';
import type { CliCommand } from '../command';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'open the review desk in your browser (browser mode, 127.0.0.1 + token)',
  usage: SERVE_USAGE,
  async run(argv) {
    const code = await runServe(argv);
    if (code !== null) return code;
    return new Promise<number>(() => {}); // runs until SIGINT/SIGTERM
  },
};
