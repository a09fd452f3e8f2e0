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

/** Mean R+G+B of grid cell `index`'s canvas: > 5 means real pixels were drawn, not a blank stamp. */
export async function canvasBrightness(page: Page, index = 0): Promise<number> {
  return page.locator(`[data-testid="grid"] .cell[data-index="${index}"] canvas`).evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let s = 0;
    for (let i = 0; i < d.length; i += 4) s += d[i]! + d[i + 1]! + d[i + 2]!;
    return s / (d.length / 4);
  });
}
