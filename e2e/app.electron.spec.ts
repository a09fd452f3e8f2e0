// The desktop window through Playwright's _electron. Runs where the Electron binary is installed
// (and a display or Xvfb is available); reported as skipped, with the reason, where it is not.
import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
function electronBinary(): { path: string | null; why: string } {
  try {
    const p = require('electron') as unknown as string;
    if (typeof p === 'string' && existsSync(p)) return { path: p, why: '' };
    return { path: null, why: 'electron package present but its binary is not (the download needs network access)' };
  } catch (e) {
    return { path: null, why: `Electron binary not installed: ${(e as Error).message.split('\n')[0]}` };
  }
}
const bin = electronBinary();
const display = !!process.env.DISPLAY || process.platform === 'darwin';

test('desktop window: secure webPreferences, demo grid and keyboard grading', async () => {
  test.skip(!bin.path, bin.why);
  test.skip(!display, 'no display: run under Xvfb (xvfb-run npm test) to exercise the Electron window');
  const ws = mkdtempSync(join(tmpdir(), 'lensdesk-electron-'));
  const app = await electron.launch({ executablePath: bin.path!, args: ['.', '--workspace', ws, '--reviewer', 'electron-e2e'], timeout: 60_000 });
  try {
    const win = await app.firstWindow();
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const w = BrowserWindow.getAllWindows()[0]!;
      // Not in Electron's typings, but present at run time (Electron ≥ 19).
      const p = (w.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> | null }).getLastWebPreferences();
      return { ci: p?.contextIsolation, sandbox: p?.sandbox, ni: p?.nodeIntegration, url: w.webContents.getURL() };
    });
    expect(prefs).toMatchObject({ ci: true, sandbox: true, ni: false });
    expect(prefs.url.startsWith('lensdesk://app/')).toBe(true);
    expect(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    await expect(win.locator('[data-testid="jobs"] [data-kind="demo"]').first()).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    await expect(win.locator('.stamp[data-state="ready"]').first()).toBeVisible();
    await win.keyboard.press('a');
    await expect(win.locator('.cell[data-index="0"] [data-grade]')).toHaveAttribute('data-grade', 'A');
  } finally {
    await app.close();
    rmSync(ws, { recursive: true, force: true });
  }
});
