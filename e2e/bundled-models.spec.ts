// Issue 18: both bundled finders are listed in the models view (L) with the survey layout they fit
// and their held-out figures, and the demo's g,r,i,z survey was scored by the LSST one.
import { expect, test } from '@playwright/test';
import { open, waitForDemo } from './helpers';

test('models view lists the bundled LSST and challenge finders; the demo was scored by the LSST one', async ({ page }) => {
  test.setTimeout(180_000);
  await open(page);
  await waitForDemo(page);
  await page.keyboard.press('l');
  await expect(page.getByTestId('models-view')).toBeVisible();
  const bundled = page.getByTestId('bundled-models');
  await expect(bundled.getByTestId('bundled-model-row').filter({ hasText: 'cmudeeplens-lsst' })).toContainText('g,r,i,z');
  const ch = bundled.getByTestId('bundled-model-row').filter({ hasText: 'cmudeeplens-challenge' });
  await expect(ch).toContainText('u,g,r,i');
  await expect(ch).toContainText('101×101, 0.2″/px');
  // The challenge card's two held-out sets follow as rows of their own (rowspan).
  await expect(bundled.getByTestId('bundled-model-row').filter({ hasText: 'simulate:challenge:2' })).toHaveCount(1);
  await expect(bundled.locator('details summary').filter({ hasText: 'cmudeeplens-challenge' }).first()).toBeVisible();
  // Which model scored the demo: its version row in the workspace table.
  await expect(page.getByTestId('model-row').filter({ hasText: 'cmudeeplens-lsst' })).toHaveCount(1);
  await expect(page.getByTestId('model-row').filter({ hasText: 'cmudeeplens-challenge' })).toHaveCount(0);
});
