// Galaxy posterior in the candidate view, browser mode, on a server of its own (a 6-cutout demo, the
// bundled Flow-VAE models/generative/flowvae-lsst-32): press F, watch the 'galaxy-posterior' job in the
// jobs bar, read R-hat and the draws in the panel, and find the "galaxy mean (r)" and "galaxy std (r)"
// frames in the blink, drawn.
import { expect, test, type Page } from '@playwright/test';
import { startDeskServer, type DeskServer } from './desk-server';

test.describe.configure({ mode: 'serial' });

let srv: DeskServer;
let page: Page;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  srv = await startDeskServer({ reviewer: 'galaxy-reviewer', demoCount: 6 });
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await page.goto(srv.url);
  await expect(page.locator('[data-testid="jobs"] [data-kind="demo"]').first()).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('status')).toContainText('6 candidates');
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

test('F on a candidate: the galaxy-posterior job runs, the panel reports R-hat, mean and std frames join the blink', async () => {
  test.setTimeout(600_000);
  await page.getByTestId('grid').click({ position: { x: 3, y: 3 } }).catch(() => undefined);
  await page.keyboard.press('Home');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('candidate')).toBeVisible();
  const panel = page.getByTestId('galaxy-panel');
  await expect(panel).toContainText('No galaxy posterior yet');
  await page.keyboard.press('f');
  const row = page.locator('[data-testid="jobs"] [data-kind="galaxy-posterior"]').first();
  await expect(row).toBeVisible();
  await expect(panel.getByTestId('galaxy-start')).toBeDisabled();
  await expect(row).toHaveAttribute('data-state', 'done', { timeout: 540_000 });
  const info = page.getByTestId('galaxy-info');
  await expect(info).toBeVisible();
  await expect(info).toContainText('band r · 100 draws');
  // a demo stamp is a lens, not one galaxy: only that R-hat was computed (a finite number ≥ ~1) is checked
  const rhat = Number(await info.getAttribute('data-rhat'));
  expect(rhat).toBeGreaterThan(0.9);
  expect(Number.isFinite(rhat)).toBe(true);
  await expect(panel).toContainText(/job #\d+/);
  // the misfit check: a demo stamp is a bright lens galaxy and its arcs, not one galaxy of the model's
  // training set (χ²/pixel ≈ 124 when this was written, against a limit of 1.5): the panel says so
  await expect(panel).toContainText(/χ² [\d.e+]+ over 1024 px \([\d.]+ per px\)/);
  await expect(panel.getByTestId('galaxy-misfit')).toContainText(/Model misfit: χ²\/pixel [\d.]+ \(limit 1\.50\)\. The model does not fit this stamp: .*conditional on a model that does not describe the stamp/);

  const blink = page.getByTestId('blink');
  const labels = new Set<string>();
  for (let i = 0; i < 12; i++) {
    const l = (await blink.getAttribute('data-frame')) ?? '';
    labels.add(l);
    if (l.startsWith('galaxy ')) {
      await expect(blink.locator('.stamp')).toHaveAttribute('data-state', 'ready');
      await expect.poll(frameBrightness, { timeout: 10_000 }).toBeGreaterThan(5);
    }
    await page.keyboard.press(']');
  }
  expect([...labels].filter((l) => l.startsWith('galaxy ')).sort()).toEqual(['galaxy mean (r)', 'galaxy std (r)']);
});
