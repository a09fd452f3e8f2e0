// Restore in the candidate view, browser mode, on a server of its own (a 12-cutout demo; no score prior
// installed, so the default falls back to Wiener and says so): click Restore, watch the job in the jobs
// bar, see which prior ran, and find the posterior mean (colour) and std frames in the blink, drawn.
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { startDeskServer, type DeskServer } from './desk-server';

test.describe.configure({ mode: 'serial' });

let srv: DeskServer;
let page: Page;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  srv = await startDeskServer({ reviewer: 'restore-reviewer', demoCount: 12, env: { LENSDESK_SCORE_PRIOR: join('/nonexistent', 'no-score-prior') } });
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await page.goto(srv.url);
  await expect(page.locator('[data-testid="jobs"] [data-kind="demo"]').first()).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('status')).toContainText('12 candidates');
});

test.afterAll(async () => {
  await page?.close();
  await srv?.stop();
});

/** Mean R+G+B of the blink frame's canvas (> 5: real pixels drawn). */
const frameBrightness = () => page.locator('[data-testid="blink"] .frame canvas').evaluate((c: HTMLCanvasElement) => {
  const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
  let s = 0;
  for (let i = 0; i < d.length; i += 4) s += d[i]! + d[i + 1]! + d[i + 2]!;
  return s / (d.length / 4);
});

test('Restore on a candidate: the job runs, the panel names the prior, mean and std frames join the blink', async () => {
  test.setTimeout(120_000);
  await page.getByTestId('grid').click({ position: { x: 3, y: 3 } }).catch(() => undefined);
  await page.keyboard.press('Home');
  await page.keyboard.press('Enter');
  const cand = page.getByTestId('candidate');
  await expect(cand).toBeVisible();
  const panel = page.getByTestId('restore-panel');
  await expect(panel).toContainText('Not restored yet');
  await page.getByTestId('restore-start').click();
  const row = page.locator('[data-testid="jobs"] [data-kind="restore"]').first();
  await expect(row).toBeVisible();
  await expect(row).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  const info = page.getByTestId('restore-info');
  await expect(info).toBeVisible();
  await expect(info).toHaveAttribute('data-prior', 'wiener');
  await expect(info).toContainText('deconvolve with Wiener');
  await expect(page.getByTestId('restore-reason')).toContainText('Wiener: no score prior installed');
  await expect(panel).toContainText(/job #\d+/);

  // The blink lists the restore frames with band-naming labels; step to each and see it drawn.
  const blink = page.getByTestId('blink');
  const labels = new Set<string>();
  for (let i = 0; i < 12; i++) {
    const l = (await blink.getAttribute('data-frame')) ?? '';
    labels.add(l);
    if (l.startsWith('restore ')) {
      await expect(blink.locator('.stamp')).toHaveAttribute('data-state', 'ready');
      await expect.poll(frameBrightness, { timeout: 10_000 }).toBeGreaterThan(5);
    }
    await page.keyboard.press(']');
  }
  expect([...labels].filter((l) => l.startsWith('restore '))).toEqual(['restore mean (g,r,i)', 'restore std (r)']);
});

test('Q restores again: same settings, so nothing is redone and the panel says so', async () => {
  test.setTimeout(60_000);
  await page.keyboard.press('q');
  await expect(page.locator('[data-testid="jobs"] [data-kind="restore"]')).toHaveCount(2);
  await expect(page.locator('[data-testid="jobs"] [data-kind="restore"]').first()).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(page.getByText('Already restored with these settings')).toBeVisible();
});
