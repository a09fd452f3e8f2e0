import { expect, type Page } from '@playwright/test';

export const TOKEN = process.env.LENSDESK_E2E_TOKEN!;
export const open = async (page: Page) => {
  await page.goto(`/?token=${TOKEN}`);
  await expect(page.getByTestId('grid')).toBeVisible();
};
/** Waits until the first demo job is done and the grid shows drawn stamps. */
export async function waitForDemo(page: Page): Promise<void> {
  await expect(page.locator('[data-testid="jobs"] [data-kind="demo"]').first()).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.locator('[data-testid="grid"] .stamp[data-state="ready"]').nth(10)).toBeVisible();
}
export const cell = (page: Page, index: number) => page.locator(`[data-testid="grid"] .cell[data-index="${index}"]`);
