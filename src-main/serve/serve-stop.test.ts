// Ctrl-C stops `lensdesk serve` / `npm start` (issue #19): the built server exits cleanly on SIGINT,
// also with a browser connected and a job running. Needs the built app (npm test builds it first).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROJECT_ROOT } from '../../test/shared';
import { tempDir } from '../../test/workspace-fixture';

const SERVE = join(PROJECT_ROOT, 'out', 'main', 'serve.js');
const t = tempDir();
afterAll(() => t.cleanup());

describe.skipIf(!existsSync(SERVE))('stopping browser mode (needs out/: npm run build)', () => {
  it('exits with status 0 on SIGINT while a browser is connected and the demo job runs', async () => {
    const child = spawn(process.execPath, [SERVE, '--workspace', join(t.dir, 'ws'), '--port', '0', '--no-open', '--demo-count', '400'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, BROWSER: 'none', CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000); // hang guard, not a timing assertion
    try {
      let log = '';
      const url = await new Promise<URL>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          log += d;
          const m = /Open: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(log);
          if (m) resolve(new URL(m[1]!));
        });
        child.on('exit', () => reject(new Error(`serve exited early:\n${log}`)));
      });
      const ws = new WebSocket(`ws://${url.host}/ws?${url.searchParams}`, { origin: url.origin });
      await new Promise((r, j) => (ws.on('open', r), ws.on('error', j)));
      child.kill('SIGINT');
      const end = await exited;
      expect(end).toEqual({ code: 0, signal: null });
      ws.terminate();
    } finally {
      clearTimeout(guard);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);
});
