// `lensdesk serve`: open the workspace, start browser mode on 127.0.0.1, print the URL (with its
// per-run token), open a browser unless CI is set or BROWSER=none, stop cleanly on SIGINT/SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openApp } from '../app';
import { rendererDir } from '../util/paths';
import { indexHtmlExists, startServer } from './server';

export const SERVE_USAGE = `Usage: lensdesk serve [--workspace DIR] [--port N] [--reviewer NAME] [--no-demo] [--no-open]

Serves the LensDesk review desk in your browser (browser mode): the same backend and interface as
the desktop window, on 127.0.0.1 only, protected by a token printed in the URL.
  --workspace DIR   workspace folder (default: $LENSDESK_WORKSPACE or the user data directory)
  --port N          port (default: random free port)
  --reviewer NAME   reviewer identity for grades (default: last used, else your user name)
  --no-demo         do not create the demo survey in an empty workspace
  --demo-count N    size of the demo survey (default 240)
  --no-open         do not open a browser (also when CI is set or BROWSER=none)`;

function openBrowser(url: string): void {
  const cmd = process.env.BROWSER || (process.platform === 'darwin' ? 'open' : 'xdg-open');
  if (process.platform !== 'darwin' && !process.env.BROWSER && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return;
  try {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    /* no browser found: the URL is printed */
  }
}

export async function runServe(argv: string[]): Promise<number | null> {
  const { values } = parseArgs({
    args: argv,
    options: {
      workspace: { type: 'string' },
      port: { type: 'string' },
      reviewer: { type: 'string' },
      token: { type: 'string' },
      'no-demo': { type: 'boolean' },
      'demo-count': { type: 'string' },
      'no-open': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(SERVE_USAGE);
    return 0;
  }
  const dir = rendererDir();
  if (!indexHtmlExists(dir) || !existsSync(dir)) {
    console.error(`lensdesk serve: the interface is not built (${dir} missing). Run \`npm run build\`.`);
    return 2;
  }
  const backend = openApp({
    workspace: values.workspace,
    mode: 'browser',
    reviewer: values.reviewer,
    demo: !values['no-demo'],
    demoCount: values['demo-count'] ? Number(values['demo-count']) : undefined,
  });
  const token = values.token ?? process.env.LENSDESK_TOKEN;
  if (token !== undefined && !/^[0-9a-f]{16,128}$/.test(token)) {
    console.error('lensdesk serve: --token must be 16–128 lowercase hex characters');
    return 2;
  }
  const srv = await startServer({ backend, rendererDir: dir, port: values.port ? Number(values.port) : 0, token });
  console.log(`LensDesk (browser mode) — workspace ${backend.ws.dir}`);
  console.log(`Open: ${srv.url}`);
  const noOpen = values['no-open'] || !!process.env.CI || process.env.BROWSER === 'none';
  if (!noOpen) openBrowser(srv.url);
  let stopping = false;
  let stoppingAt = 0;
  const stop = async () => {
    // A second Ctrl-C, or a close that hangs (a job worker that does not answer), still ends the
    // process: grades are committed as they are made and jobs resume, so nothing is lost.
    if (stopping) {
      // `npm start` passes the terminal's Ctrl-C on as well: the same key press arrives twice.
      if (Date.now() - stoppingAt < 1000) return;
      console.log('LensDesk: stopping now');
      process.exit(130);
    }
    stopping = true;
    stoppingAt = Date.now();
    console.log('LensDesk: stopping (Ctrl-C again to stop at once)');
    setTimeout(() => {
      console.error('LensDesk: shutdown took over 5 s; exiting (running jobs resume next time)');
      process.exit(1);
    }, 5000).unref();
    await srv.close();
    await backend.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return null;
}
