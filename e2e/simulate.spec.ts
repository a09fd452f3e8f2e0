// "Simulate a set" end to end in browser mode, on a server of its own (a 30-cutout demo, so the
// workspace has a catalog before ours): open the dialog by key, see a backend validation error on
// its field, start a 24-cutout LSST set, watch the job finish in the jobs bar, switch the grid to
// the new catalog, see its stamps drawn, and get practice feedback from its truth after a grade.
import { expect, test, type Page } from '@playwright/test';
import { startDeskServer, type DeskServer } from './desk-server';
import { canvasBrightness } from './helpers';

test.describe.configure({ mode: 'serial' });

let srv: DeskServer;
let page: Page;
const dialog = () => page.getByTestId('simulate-dialog');

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  srv = await startDeskServer({ reviewer: 'sim-reviewer', demoCount: 30 });
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await page.goto(srv.url);
  await expect(page.locator('[data-testid="jobs"] [data-kind="demo"]').first()).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('status')).toContainText('30 candidates');
});

test.afterAll(async () => {
  await page?.close();
  await srv?.stop();
});

test('D opens the dialog with focus in the preset; Esc closes it; the toolbar button opens it too', async () => {
  await page.getByTestId('grid').click({ position: { x: 3, y: 3 } }).catch(() => undefined);
  await page.keyboard.press('d');
  await expect(dialog()).toBeVisible();
  await expect(page.getByTestId('sim-preset')).toBeFocused();
  await expect(page.getByTestId('sim-preset').locator('option[value="lsst"]')).toHaveCount(1); // from simulate.presets
  await page.keyboard.press('Escape');
  await expect(dialog()).toBeHidden();
  await page.getByTestId('open-simulate').click();
  await expect(dialog()).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog()).toBeHidden();
});

test('an invalid lens fraction is refused by the backend and shown on its field; no job starts', async () => {
  const jobsBefore = await page.locator('[data-testid="jobs"] .job').count();
  await page.keyboard.press('d');
  await page.getByTestId('sim-count').fill('24');
  await page.getByTestId('sim-lens-fraction').fill('2');
  await page.getByTestId('sim-lens-fraction').press('Enter');
  const err = page.getByTestId('sim-error-lensFraction');
  await expect(err).toBeVisible();
  await expect(err).toContainText('lensFraction');
  await expect(page.getByTestId('sim-lens-fraction')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('[data-testid="jobs"] .job')).toHaveCount(jobsBefore);
  await page.keyboard.press('Escape');
});

test('a 24-cutout LSST set: job finishes, its catalog opens in the grid with stamps, practice feedback from the truth', async () => {
  test.setTimeout(90_000);
  await page.keyboard.press('d');
  await expect(page.getByTestId('sim-preset')).toBeFocused();
  await page.getByTestId('sim-preset').selectOption('lsst');
  await page.getByTestId('sim-count').fill('24');
  await page.getByTestId('sim-lens-fraction').fill('0.5');
  await page.getByTestId('sim-seed').fill('4242');
  await page.getByTestId('sim-name').fill('Practice set e2e');
  await page.getByTestId('sim-name').press('Enter');
  // The job shows in the jobs bar (progress, then done) and in the dialog.
  const row = page.locator('[data-testid="jobs"] [data-kind="simulate"]').first();
  await expect(row).toBeVisible();
  await expect(row).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(row.locator('[role="progressbar"]')).toHaveAttribute('aria-valuenow', '24');
  await expect(page.getByTestId('sim-job')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('sim-open')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog()).toBeHidden();
  await expect(page.getByTestId('status')).toContainText('54 candidates');

  // Switch catalogs like any other: the toolbar's catalog filter lists the new set.
  const select = page.getByTestId('filter-catalog');
  await expect(select.locator('option', { hasText: 'Practice set e2e (24)' })).toHaveCount(1);
  const value = await select.locator('option', { hasText: 'Practice set e2e' }).getAttribute('value');
  await select.selectOption(value!);
  await expect(page.getByTestId('status')).toContainText('24 candidates');
  await expect(page.locator('[data-testid="grid"] .stamp[data-state="ready"]').nth(11)).toBeVisible();
  const lit = await canvasBrightness(page);
  expect(lit).toBeGreaterThan(5);

  // Practice mode: a grade is answered with the simulation truth.
  await page.getByTestId('practice').check();
  await page.locator('[data-testid="grid"] .cell[data-index="0"]').click();
  await page.keyboard.press('a');
  await expect(page.getByTestId('toast')).toContainText(/[✓✗] .+: you said A; it was (a lens|not a lens)/);
});

test('a long job: its progress bar moves through intermediate values, then finishes', async () => {
  test.setTimeout(120_000);
  // Record every value the bar shows, from before the job exists, so a fast machine cannot race it.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __progress: string[] }).__progress = seen;
    const jobsBar = document.querySelector('[data-testid="jobs"]')!;
    const record = () => {
      for (const el of jobsBar.querySelectorAll('[data-kind="simulate"] [role="progressbar"]')) {
        const job = el.closest('[data-job]')?.getAttribute('data-job');
        seen.push(`${job}:${el.getAttribute('aria-valuenow')}:${el.getAttribute('aria-valuemax')}`);
      }
    };
    new MutationObserver(record).observe(jobsBar, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
  });
  const before = await page.locator('[data-testid="jobs"] [data-kind="simulate"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-job')));
  await page.keyboard.press('d');
  await page.getByTestId('sim-count').fill('600');
  await page.getByTestId('sim-seed').fill('77');
  await page.getByTestId('sim-name').fill('Progress e2e');
  await page.getByTestId('sim-name').press('Enter');
  const row = page.locator('[data-testid="jobs"] [data-kind="simulate"]').first();
  // The new job's row appears after the dialog closes; until then the first row is the previous test's finished job.
  await expect.poll(async () => before.includes(await row.getAttribute('data-job')), { timeout: 30_000 }).toBe(false);
  await expect(row).toHaveAttribute('data-state', 'done', { timeout: 100_000 });
  const jobId = await row.getAttribute('data-job');
  expect(before).not.toContain(jobId);
  await expect(row.locator('[role="progressbar"]')).toHaveAttribute('aria-valuenow', '600');
  const values = (await page.evaluate(() => (window as unknown as { __progress: string[] }).__progress))
    .filter((v) => v.startsWith(`${jobId}:`))
    .map((v) => Number(v.split(':')[1]));
  const intermediate = new Set(values.filter((v) => v > 0 && v < 600));
  expect(intermediate.size, `values seen: ${values.join(',')}`).toBeGreaterThan(1);
  expect(values).toEqual([...values].sort((a, b) => a - b)); // never goes backwards
  await page.keyboard.press('Escape');
});
