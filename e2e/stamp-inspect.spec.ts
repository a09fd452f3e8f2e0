// DS9-grade inspection in the candidate view and keyboard-first review after mouse use (issue #19):
// zoom/pan/contrast/colour maps/contours/limits/readout, G/V in the candidate view, grade keys after
// a toolbar click. Runs on the shared browser-mode server after review.spec.ts (file order).
import { expect, test } from '@playwright/test';
import { cell, open, waitForDemo } from './helpers';

test.describe.configure({ mode: 'serial' });

test('grade keys reach the grid after clicking toolbar controls', async ({ page }) => {
  await open(page);
  await waitForDemo(page);
  // A select changed with the mouse, checkboxes and buttons clicked: then a grade key.
  await page.getByTestId('sort').selectOption('name');
  await page.getByTestId('sort').selectOption('score');
  await page.getByTestId('practice').click();
  await page.getByTestId('practice').click();
  await page.getByTitle('reverse order').click();
  await page.getByTitle('reverse order').click();
  await page.getByTestId('open-samp').click();
  await page.keyboard.press('Escape'); // closes the SAMP dialog
  await cell(page, 7).click();
  await expect(cell(page, 7)).toHaveClass(/cursor/);
  const source = await cell(page, 7).getAttribute('data-source');
  const badge = page.locator(`[data-source="${source}"] [data-grade]`);
  await expect(badge).toHaveCount(0);
  await page.getByTestId('min-score').focus(); // a text field keeps its keys…
  await page.keyboard.press('c');
  await expect(badge).toHaveCount(0);
  await expect(page.getByTestId('min-score')).toHaveValue('c');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Escape'); // …until Esc
  await page.getByTestId('practice').click();
  await page.getByTestId('practice').click();
  await expect(cell(page, 7)).toHaveClass(/cursor/);
  await page.keyboard.press('c');
  await expect(badge).toHaveAttribute('data-grade', 'C');
  await page.keyboard.press('u');
  await expect(badge).toHaveCount(0);
});

test('candidate view: band mode from the toolbar, G steps bands, inspector zoom/contrast/colour map/contours/limits', async ({ page }) => {
  await open(page);
  await waitForDemo(page);
  await page.keyboard.press('v'); // single band, as the toolbar then says
  await page.keyboard.press('Enter');
  const blink = page.getByTestId('blink');
  const first = await blink.getAttribute('data-frame');
  expect(first).not.toBe('colour');
  await page.keyboard.press('g');
  await expect(blink).not.toHaveAttribute('data-frame', first!);
  await page.keyboard.press('v');
  await expect(blink).toHaveAttribute('data-frame', 'colour');
  await page.keyboard.press('v');

  const frame = page.locator('[data-testid="inspector"] .frame');
  await page.keyboard.press('Shift+Z');
  await expect(frame).toHaveAttribute('data-zoom', '1.5');
  const box = (await frame.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.mouse.wheel(0, -100);
  await expect(frame).toHaveAttribute('data-zoom', String(1.5 * 1.25));
  // The readout follows the zoomed pixel grid and prints sexagesimal RA/Dec.
  await expect(page.getByTestId('cursor-readout')).toContainText(/RA \d\d:\d\d:\d\d\.\d\d Dec [+-]\d\d:\d\d:\d\d\.\d/);
  // Right-drag: contrast and bias change as in DS9.
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down({ button: 'right' });
  await page.mouse.move(box.x + box.width / 2 - 40, box.y + box.height / 2 - 60, { steps: 4 });
  await page.mouse.up({ button: 'right' });
  await expect(page.getByTestId('inspect-controls')).not.toContainText('contrast 1.00 bias 0.50');
  // Y: colour map, W: contours of the first band, R: reset.
  const before = await frame.locator('canvas').first().evaluate((c: HTMLCanvasElement) => c.toDataURL());
  await page.keyboard.press('y');
  await expect(page.getByTestId('colormap')).toHaveValue('viridis');
  await expect.poll(() => frame.locator('canvas').first().evaluate((c: HTMLCanvasElement) => c.toDataURL())).not.toBe(before);
  await page.keyboard.press('w');
  await expect(page.getByTestId('contours')).toHaveAttribute('data-band', '0');
  const drawn = await page.getByTestId('contours').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
    return n;
  });
  expect(drawn).toBeGreaterThan(50);
  await page.keyboard.press('r');
  await expect(frame).toHaveAttribute('data-zoom', '1');
  await expect(page.getByTestId('inspect-controls')).toContainText('contrast 1.00 bias 0.50');
  // Manual limits: typed into the fields (keys stay there), Enter applies, the toolbar says manual.
  await page.getByTestId('limit-lo').fill('0');
  await page.getByTestId('limit-hi').fill('5');
  await page.getByTestId('limit-hi').press('Enter');
  await expect(page.locator('select').filter({ hasText: 'manual' })).toHaveValue('manual');
  await page.keyboard.press('Escape'); // leaves the field
  await page.keyboard.press('Escape'); // back to the grid
  await expect(page.getByTestId('grid')).toBeVisible();
});
