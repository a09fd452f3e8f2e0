// Deblend from the candidate view (issue 14): the Deblend button starts the 'deblend' job, the component
// table appears, the blink gains the deblend frames and the lens-subtracted frame, the J key re-runs it,
// and the grid's "lens-subtracted" option shows that frame instead of the stamp. Own server and
// workspace; the job's default prior (the bundled morphology flow: the demo's LSST stamps suit it).
// Blend flag: the candidate view's Blend score button runs the 'blend-score' job (bundled morphology
// model), the grid shows the B‹%› badge, and "hide likely blends" changes the candidate count by exactly
// the number of likely-blend badges.
import { expect, test, type Page } from '@playwright/test';
import { startDeskServer, type DeskServer } from './desk-server';

test.describe.configure({ mode: 'serial' });

let srv: DeskServer;
let page: Page;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(150_000);
  srv = await startDeskServer({ reviewer: 'deblend-reviewer', demoCount: 12 });
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await page.goto(srv.url);
  await expect(page.locator('[data-testid="jobs"] [data-kind="demo"]').first()).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.locator('[data-testid="grid"] .stamp[data-state="ready"]').nth(5)).toBeVisible();
});

test.afterAll(async () => {
  await page?.close();
  await srv?.stop();
});

test('Deblend button: job, component table, blink frames, lens-subtracted grid view', async () => {
  test.setTimeout(120_000);
  const first = page.locator('[data-testid="grid"] .cell[data-index="0"]');
  const source = await first.getAttribute('data-source');
  await first.click();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('candidate')).toHaveAttribute('data-source', source!);
  const panel = page.getByTestId('deblend-panel');
  await expect(panel).toContainText('Not deblended yet');
  await page.getByTestId('deblend-start').click();
  const table = page.getByTestId('deblend-table');
  await expect(table).toBeVisible({ timeout: 60_000 });
  const rows = table.locator('tbody tr');
  expect(await rows.count()).toBeGreaterThanOrEqual(1);
  await expect(table.locator('tr.deflector')).toHaveCount(1);
  await expect(table.locator('thead')).toContainText('g');

  // The blink steps through the new frames (']' = next frame).
  const blink = page.getByTestId('blink');
  const seen = new Set<string>();
  // frame labels are '<product> <frame> (band)' (src-renderer/features/candidate/product-frames.ts): back to kinds
  const kindOf = (label: string) => label.replace(/ \(.*\)$/, '').replace(/ /g, '-');
  for (let i = 0; i < 20 && !seen.has('lens-subtracted'); i++) {
    await page.keyboard.press(']');
    seen.add(kindOf((await blink.getAttribute('data-frame')) ?? ''));
  }
  expect([...seen]).toEqual(expect.arrayContaining(['deblend-model', 'deblend-residual', 'deblend-comp1', 'lens-subtracted']));

  // J deblends again (a new product: the table stays, the job list shows a second deblend job).
  await page.keyboard.press('j');
  await expect(page.locator('[data-testid="jobs"] [data-kind="deblend"]')).toHaveCount(2, { timeout: 30_000 });
  await expect(page.locator('[data-testid="jobs"] [data-kind="deblend"]').first()).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(table).toBeVisible();

  // Grid option: the deblended candidate shows its lens-subtracted frame, the others their stamps.
  await page.keyboard.press('Escape');
  await page.getByTestId('lens-sub').check();
  await expect(page.locator(`[data-testid="grid"] .cell[data-source="${source}"] [data-testid="lens-sub-mark"]`)).toBeVisible();
  await expect(page.locator('[data-testid="grid"] [data-testid="lens-sub-mark"]')).toHaveCount(1);
  await page.getByTestId('lens-sub').uncheck();
  await expect(page.locator('[data-testid="grid"] [data-testid="lens-sub-mark"]')).toHaveCount(0);
});

test('blend flag: Blend score job from the candidate view, B% badges in the grid, hide likely blends', async () => {
  test.setTimeout(180_000);
  const status = page.getByTestId('status');
  const count = async () => Number(/(\d+) candidates/.exec((await status.textContent()) ?? '')?.[1] ?? NaN);
  await page.keyboard.press('Escape');
  const total = await count();
  expect(total).toBeGreaterThanOrEqual(6);
  const grid = page.locator('[data-testid="grid"]');
  // Score the first six candidates, one at a time from their candidate views.
  const scored: string[] = [];
  for (let i = 0; i < 6; i++) {
    const cell = grid.locator(`.cell[data-index="${i}"]`);
    const source = (await cell.getAttribute('data-source'))!;
    await cell.click();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('candidate')).toHaveAttribute('data-source', source);
    const line = page.getByTestId('blend-score');
    await page.getByTestId('blend-score-start').click();
    await expect(line).toContainText(/P\(blend\) [01]\.\d\d/, { timeout: 60_000 });
    scored.push(source);
    await page.keyboard.press('Escape');
  }
  await expect(page.locator('[data-testid="jobs"] [data-kind="blend-score"]').first()).toHaveAttribute('data-state', 'done');
  // Each scored candidate carries a badge B‹0–100›; unscored ones none.
  const badges = grid.locator('[data-testid="blend-badge"]');
  await expect(badges).toHaveCount(scored.length, { timeout: 15_000 });
  for (const s of scored) await expect(grid.locator(`.cell[data-source="${s}"] [data-testid="blend-badge"]`)).toHaveText(/^B\d{1,3}$/);
  const likely = await grid.locator('[data-testid="blend-badge"].likely').count();
  // The demo's stamps (lens galaxy + arcs, hard negatives) mostly score as blends (5 of 6 when written), so
  // hiding must remove some.
  expect(likely).toBeGreaterThan(0);
  // The badge's number is the percentage and "likely" is P ≥ 0.5: check each badge against its own class.
  for (const b of await badges.all()) {
    const pct = Number((await b.textContent())!.slice(1));
    if (pct !== 50) expect(pct > 50).toBe(await b.evaluate((el) => el.classList.contains('likely'))); // B50 may round either way
  }

  // Hide likely blends: the count drops by exactly the likely ones, their badges go; unhide restores.
  await page.getByTestId('hide-blends').check();
  await expect.poll(count, { timeout: 15_000 }).toBe(total - likely);
  await expect(grid.locator('[data-testid="blend-badge"].likely')).toHaveCount(0);
  await expect(badges).toHaveCount(scored.length - likely);

  // The export dialog starts with the grid's filter: a CSV of all grades holds exactly the shown candidates.
  await page.keyboard.press('e');
  await expect(page.getByTestId('export-dialog')).toBeVisible();
  await expect(page.getByTestId('export-hide-blends')).toBeChecked();
  await page.getByTestId('export-format').selectOption('csv');
  await page.getByTestId('export-min-grade').selectOption('');
  await page.getByTestId('export-run').click();
  const link = page.getByTestId('export-link');
  await expect(link).toBeVisible({ timeout: 30_000 });
  const csv = await (await page.request.get((await link.getAttribute('href'))!)).text();
  const lines = csv.split('\r\n').filter((l) => l);
  expect(lines.length - 1).toBe(total - likely);
  const col = lines[0]!.split(',').indexOf('likely_blend');
  expect(col).toBeGreaterThan(0);
  expect(lines.slice(1).filter((l) => ['true', 'T', '1'].includes(l.split(',')[col]!))).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('export-dialog')).toHaveCount(0);

  await page.getByTestId('hide-blends').uncheck();
  await expect.poll(count, { timeout: 15_000 }).toBe(total);
  await expect(badges).toHaveCount(scored.length);
});


test('subtract lens light: one batch job over the catalog, every stamp in the grid gets its lens-subtracted frame', async () => {
  test.setTimeout(180_000);
  await page.keyboard.press('Escape');
  const grid = page.locator('[data-testid="grid"]');
  const cells = await grid.locator('.cell').count();
  expect(cells).toBeGreaterThanOrEqual(6);
  // The job list keeps only recent jobs: find the new one by its id, not by counting rows.
  const job = page.locator('[data-testid="jobs"] [data-kind="deblend"]');
  const before = Number(await job.first().getAttribute('data-job'));
  await page.getByTestId('lens-sub-all').click();
  // The option turns on, a new deblend job runs to the end (constraints only, on the demo's LSST stamps).
  await expect(page.getByTestId('lens-sub')).toBeChecked();
  await expect.poll(async () => Number(await job.first().getAttribute('data-job')), { timeout: 30_000 }).toBeGreaterThan(before);
  await expect(job.first()).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
  // Every candidate the grid shows now has a lens-subtracted frame (the mark), not only the one deblended by hand.
  await expect(grid.locator('[data-testid="lens-sub-mark"]')).toHaveCount(cells, { timeout: 15_000 });
  await page.getByTestId('lens-sub').uncheck();
  await expect(grid.locator('[data-testid="lens-sub-mark"]')).toHaveCount(0);
});
