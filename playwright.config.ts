// End-to-end tests: browser mode in Debian's Chromium (Playwright cannot download its own browser
// here), and the Electron window through _electron when its binary exists (skipped with the
// reason otherwise). The server gets a fresh workspace, a fixed token and a port for this run.
import { defineConfig } from '@playwright/test';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (!process.env.LENSDESK_E2E_PORT) {
  // Set once in the runner process; workers inherit the environment.
  process.env.LENSDESK_E2E_PORT = String(20000 + Math.floor(Math.random() * 20000));
  process.env.LENSDESK_E2E_TOKEN = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  process.env.LENSDESK_E2E_WORKSPACE = join(tmpdir(), `lensdesk-e2e-${process.env.LENSDESK_E2E_PORT}`);
  rmSync(process.env.LENSDESK_E2E_WORKSPACE, { recursive: true, force: true });
}
const port = Number(process.env.LENSDESK_E2E_PORT);
/** Specs that start a desk server of their own (e2e/desk-server.ts). */
const OWN_SERVER = /(review-desk|deblend|massmap|restore|galaxy)\.spec\.ts$/;
export const CHROMIUM = process.env.LENSDESK_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  timeout: 90_000,
  globalTimeout: 20 * 60_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1366, height: 768 },
    launchOptions: {
      executablePath: existsSync(CHROMIUM) ? CHROMIUM : undefined,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    },
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
  },
  projects: [
    // These specs start servers of their own, each with a fresh workspace.
    { name: 'browser', testMatch: /(?<!\.electron)\.spec\.ts$/, testIgnore: OWN_SERVER },
    { name: 'desk', testMatch: OWN_SERVER },
    { name: 'electron', testMatch: /\.electron\.spec\.ts$/ },
  ],
  webServer: {
    command: `node out/main/serve.js --workspace "${process.env.LENSDESK_E2E_WORKSPACE}" --port ${port} --token ${process.env.LENSDESK_E2E_TOKEN} --reviewer e2e-reviewer --demo-count 400 --no-open`,
    url: `http://127.0.0.1:${port}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
  },
});
