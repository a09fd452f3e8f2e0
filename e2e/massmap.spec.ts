// Mass map end to end in browser mode, on a server of its own (a 30-cutout demo gives candidates):
// write a small shear catalog around one candidate with a strong κ blob on it, make a KS93 map from the
// Mass map view, see the map, its colour bar with values and a peak, click the peak and see the nearby
// candidate listed, open it in the candidate view; reload and find the map still listed (products row).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, test, type Page } from '@playwright/test';
import { startDeskServer, type DeskServer } from './desk-server';

test.describe.configure({ mode: 'serial' });

let srv: DeskServer;
let page: Page;
let target: { id: number; name: string; ra: number; dec: number };

/**
 * Galaxies on a 24′ field around (ra0, dec0) with the shear of a Gaussian κ blob (κ0 = 0.3, σ = 1.5′)
 * centred 1′ north of it: γ_t = κ̄(<θ) − κ(θ), κ̄ = 2κ0 s²/θ² (1 − e^{−θ²/2s²}); (e1, e2) = −γ_t (cos 2φ, sin 2φ)
 * with φ measured from +RA (east) towards +Dec (the catalog frame of docs/massmap.md "Orientation"),
 * plus shape noise 0.05 per component (deterministic generator).
 */
function shearCatalog(ra0: number, dec0: number): string {
  let s = 12345;
  const u = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const gauss = () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
  const k0 = 0.3, sig = 1.5, lines = ['ra,dec,e1,e2'];
  for (let i = 0; i < 20000; i++) {
    const x = (u() - 0.5) * 24, y = (u() - 0.5) * 24; // arcmin, x east
    const yb = y - 1; // blob 1′ north of the candidate
    const t2 = x * x + yb * yb, phi = Math.atan2(yb, x);
    const kap = k0 * Math.exp(-t2 / (2 * sig * sig));
    const kbar = t2 > 1e-9 ? ((2 * k0 * sig * sig) / t2) * (1 - Math.exp(-t2 / (2 * sig * sig))) : k0;
    const gt = kbar - kap;
    const e1 = -gt * Math.cos(2 * phi) + 0.05 * gauss(), e2 = -gt * Math.sin(2 * phi) + 0.05 * gauss();
    const ra = ra0 + x / 60 / Math.cos((dec0 * Math.PI) / 180), dec = dec0 + y / 60;
    lines.push(`${ra.toFixed(7)},${dec.toFixed(7)},${e1.toFixed(5)},${e2.toFixed(5)}`);
  }
  return lines.join('\n') + '\n';
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  srv = await startDeskServer({ reviewer: 'mm-reviewer', demoCount: 30 });
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await page.goto(srv.url);
  await expect(page.locator('[data-testid="jobs"] [data-kind="demo"]').first()).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  const db = new Database(join(srv.workspace, 'lensdesk.sqlite'), { readonly: true, fileMustExist: true });
  try {
    target = db.prepare('SELECT id, name, ra, dec FROM sources WHERE ra IS NOT NULL ORDER BY id LIMIT 1').get() as typeof target;
  } finally {
    db.close();
  }
  writeFileSync(join(srv.dir, 'shear.csv'), shearCatalog(target.ra, target.dec));
});

test.afterAll(async () => {
  await page?.close();
  await srv?.stop();
});

test('a KS93 map: progress to done, map and colour bar drawn, a peak on the candidate lists it, and opens it', async () => {
  test.setTimeout(90_000);
  await page.getByTestId('open-massmap').click();
  await expect(page.getByTestId('massmap-view')).toBeVisible();
  await page.getByTestId('mm-catalog').fill(join(srv.dir, 'shear.csv'));
  await page.getByTestId('mm-pixel').fill('0.5');
  await page.getByTestId('mm-start').click();
  await expect(page.getByTestId('mm-job').first()).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('mm-item')).toHaveCount(1);
  const img = page.locator('[data-testid="massmap-view"] .img canvas');
  await expect(img).toBeVisible();
  // Drawn: not a blank canvas (some pixel differs from the first).
  const varied = await img.evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    for (let i = 4; i < d.length; i += 4) if (d[i] !== d[0]) return c.width;
    return 0;
  });
  expect(varied).toBeGreaterThan(10);
  // Colour bar with five numeric tick values, increasing.
  const ticks = await page.getByTestId('mm-tick').allTextContents();
  expect(ticks).toHaveLength(5);
  const vals = ticks.map(Number);
  for (const v of vals) expect(Number.isFinite(v)).toBe(true);
  expect(vals[4]!).toBeGreaterThan(vals[0]!);
  // The coordinate grid, the candidate circle and at least one peak are drawn.
  await expect(page.locator('[data-testid="mm-overlay"] polyline').first()).toBeAttached();
  await expect(page.locator('[data-testid="mm-overlay"] circle.cand').first()).toBeAttached();
  const peaks = page.getByTestId('mm-peak');
  await expect(peaks.first()).toBeAttached();
  // Peaks are listed highest S/N first: the first is the blob, on the target candidate.
  await peaks.first().click({ force: true });
  await expect(page.getByTestId('mm-near')).toBeVisible();
  await expect(page.getByTestId('mm-near-cand').first()).toHaveText(target.name);
  // The peak is ≈ 1′ from the candidate: a 0.5′ radius lists nothing; 2′ lists it again.
  await page.getByTestId('mm-radius').fill('0.5');
  await expect(page.getByTestId('mm-near-none')).toBeVisible();
  await page.getByTestId('mm-radius').fill('2');
  await page.getByTestId('mm-near-cand').first().click();
  await expect(page.getByTestId('candidate')).toHaveAttribute('data-source', String(target.id));
});

test('after a reload the map is still listed (stored in the workspace) and shown', async () => {
  await page.reload();
  await page.getByTestId('open-massmap').click();
  await expect(page.getByTestId('mm-item')).toHaveCount(1);
  await expect(page.getByTestId('mm-plane')).toHaveCount(5);
  await page.getByTestId('mm-plane').nth(2).click(); // std
  await expect(page.getByTestId('mm-colourbar')).toContainText('std');
});
