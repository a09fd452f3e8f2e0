// Screenshots of the review desk for the README and docs/review.md, at 1366×768 in Debian
// Chromium: grid, candidate view (FITS header open, cursor readout), consensus view, export
// dialog. Makes a demo workspace, adds three reviewers' grades (the simulator's truth seen with
// reviewer-specific noise, so the consensus view has agreement and disagreement), serves it in
// browser mode and drives the page. Run: npx electron-vite build && npx tsx scripts/review-screenshots.ts
import { chromium } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src-core/rng';
import { openApp } from '../src-main/app';
import { startServer } from '../src-main/serve/server';
import { rendererDir } from '../src-main/util/paths';

const OUT = join(process.cwd(), 'docs', 'screenshots');
const dir = mkdtempSync(join(tmpdir(), 'lensdesk-shots-'));
const backend = openApp({ workspace: join(dir, 'ws'), mode: 'browser', reviewer: 'alice', demoCount: 240 });
await new Promise<void>((resolve) => {
  const check = () => (backend.repo.listJobs(5).some((j) => j.kind === 'demo' && j.state === 'done') ? resolve() : setTimeout(check, 250));
  check();
});
// Three reviewers grade the 90 top-scored candidates: truth plus per-reviewer noise.
const rng = new Rng(2026, 0);
const top = backend.repo.listCandidates({ sort: 'score', order: 'desc', offset: 0, limit: 90, filter: {} }, 0).rows;
for (const [k, name] of ['bob', 'carol', 'dave'].entries()) {
  const r = backend.repo.ensureReviewer(name).id;
  for (const row of top) {
    const t = backend.repo.practiceTruth(row.sourceId);
    const base = t?.isLens ? 2.6 : 0.4;
    const g = Math.max(0, Math.min(3, Math.round(base + (0.5 + 0.4 * k) * rng.normal())));
    backend.repo.addLabel(r, { sourceId: row.sourceId, grade: g, tags: g === 3 && rng.uniform() < 0.3 ? ['ring'] : [], comment: '' });
  }
}
const srv = await startServer({ backend, rendererDir: rendererDir() });
const browser = await chromium.launch({ executablePath: process.env.LENSDESK_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await page.goto(srv.url);
  await page.locator('[data-testid="grid"] .stamp[data-state="ready"]').nth(30).waitFor();
  // Alice grades a dozen from the keyboard; the cursor rests on the 14th.
  for (const k of 'aaxbxxcaxbxa') await page.keyboard.press(k);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+ArrowRight');
  await page.getByTestId('status').getByText('graded by me 12').waitFor();
  await page.screenshot({ path: join(OUT, 'grid.png') });

  await page.keyboard.press('Home');
  await page.keyboard.press('Enter');
  await page.getByTestId('candidate').waitFor();
  await page.getByTestId('fits-header').locator('summary').click();
  await page.locator('[data-testid="blink"] .stamp[data-state="ready"]').waitFor();
  const box = (await page.locator('[data-testid="blink"] canvas').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.62, box.y + box.height * 0.4);
  await page.getByTestId('cursor-readout').getByText('RA').waitFor();
  await page.screenshot({ path: join(OUT, 'candidate.png') });

  await page.keyboard.press('Escape');
  await page.keyboard.press('k');
  await page.waitForTimeout(500); // the consensus table loads once; no event to wait for
  await page.screenshot({ path: join(OUT, 'consensus.png') });

  await page.keyboard.press('k');
  await page.keyboard.press('e');
  await page.getByTestId('export-format').selectOption('votable');
  await page.keyboard.press('Enter');
  await page.getByTestId('export-link').waitFor();
  await page.screenshot({ path: join(OUT, 'export.png') });
  console.log(`wrote grid.png, candidate.png, consensus.png, export.png to ${OUT}`);
} finally {
  await browser.close();
  await srv.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
}
