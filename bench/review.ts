/// <reference lib="dom" />
// The review desk's speed, in the real browser (Debian Chromium through Playwright) against
// browser mode, on a workspace of 100,000 candidates (stamps shared among a few hundred FITS
// files; bench/lib/review-workspace.ts):
//   • candidates.list page (200 rows) per sort, in the backend (SQL), with its query plan
//   • time to first grid paint (navigation → first stamp drawn; → 30 stamps drawn)
//   • keypress → next stamp rendered: grading in the grid (grade key advances the cursor) and
//     stepping in the candidate view, from the keydown event's timestamp to the first animation
//     frame in which the newly focused stamp is drawn (performance marks from ui/Stamp.svelte)
//   • grid scroll frame times: requestAnimationFrame deltas while the grid scrolls fast
//   • grade → committed to SQLite: labels.add round trip over the browser-mode WebSocket
// Goal (issue 7): a reviewer sustains ≥ 5,000 stamps/hour (0.72 s a stamp) with no interface
// wait; keypress → next stamp < 50 ms p95. There is no peer program for a review interface: the
// figures are set against that goal and against what humans achieved in the lens-finding
// challenge (2,500–5,000 stamps/hour). Run: npx electron-vite build && npx tsx bench/review.ts
// [--sources N] [--keys N]. The machine is shared (2 cores): read medians, not single runs.
import { chromium, type Page } from '@playwright/test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { Backend } from '../src-main/api/backend';
import { startServer } from '../src-main/serve/server';
import { rendererDir } from '../src-main/util/paths';
import { makeBenchWorkspace } from './lib/review-workspace';

const { values } = parseArgs({ options: { sources: { type: 'string', default: '100000' }, keys: { type: 'string', default: '150' } } });
const N = Number(values.sources);
const KEYS = Number(values.keys);
const CHROMIUM = process.env.LENSDESK_CHROMIUM ?? '/usr/bin/chromium';

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))]!;
};
const fmt = (xs: number[]) => `median ${q(xs, 0.5).toFixed(1)} ms, p95 ${q(xs, 0.95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (n=${xs.length})`;

if (!existsSync(join(rendererDir(), 'index.html'))) {
  console.error('bench/review.ts: build the interface first (npx electron-vite build)');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'lensdesk-bench-review-'));
let t0 = performance.now();
const bw = makeBenchWorkspace(join(dir, 'ws'), N);
console.log(`workspace: ${bw.sources} candidates, ${bw.files} stamp files (45×45×4 float32), built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const backend = new Backend(bw.ws, { mode: 'browser', reviewer: 'bench' });

// ---- backend: one page of candidates.list per sort ------------------------------------------
console.log('\ncandidates.list, 200 rows at offset 5,000 (backend, SQL; median of 5):');
for (const [sort, filter] of [['score', {}], ['random', {}], ['consensus', {}], ['name', {}], ['score', { graded: 'notMine' }], ['spread', { disagreement: true }]] as const) {
  const ts: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t = performance.now();
    await backend.call('candidates.list', { sort, filter, limit: 200, offset: 5000 });
    ts.push(performance.now() - t);
  }
  console.log(`  ${sort.padEnd(9)} ${JSON.stringify(filter).padEnd(22)} ${q(ts, 0.5).toFixed(1)} ms`);
}

const srv = await startServer({ backend, rendererDir: rendererDir() });
let gridLat: number[] = [];
let candLat: number[] = [];
const browser = await chromium.launch({ executablePath: existsSync(CHROMIUM) ? CHROMIUM : undefined, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
try {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  // tsx (esbuild keepNames) wraps named functions in page.evaluate bodies with __name(): define it.
  await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  await page.addInitScript(() => {
    (globalThis as { __lensdeskBench?: boolean }).__lensdeskBench = true;
    localStorage.setItem('lensdesk.display.v1', JSON.stringify({ stampSize: 128, mode: 'colour', blind: true }));
  });

  // ---- first grid paint ----------------------------------------------------------------------
  const paint: number[] = [];
  const paint30: number[] = [];
  for (let run = 0; run < 3; run++) {
    await page.goto(srv.url);
    await page.locator('[data-testid="grid"] .stamp[data-state="ready"]').nth(29).waitFor({ timeout: 60_000 });
    const m = await page.evaluate(() => performance.getEntriesByType('mark').filter((e) => e.name.startsWith('stamp:')).map((e) => e.startTime).sort((a, b) => a - b));
    paint.push(m[0]!);
    paint30.push(m[29]!);
  }
  console.log(`\ntime to first grid paint with ${N.toLocaleString('en')} candidates (navigation → first stamp drawn), 3 loads: ${paint.map((x) => x.toFixed(0)).join(', ')} ms`);
  console.log(`  → 30 stamps drawn: ${paint30.map((x) => x.toFixed(0)).join(', ')} ms`);

  // ---- keypress → next stamp rendered ------------------------------------------------------------
  // In-page probe: from the keydown's timestamp to the first animation frame in which `ready()`
  // holds for a target different from the one focused at the keydown.
  const probe = async (p: Page, key: string, n: number, focusSel: string, readySel: string): Promise<number[]> => {
    await p.evaluate(({ focusSel, readySel }) => {
      const w = window as unknown as { __lat: number[] };
      w.__lat = [];
      window.addEventListener('keydown', (e) => {
        const before = document.querySelector(focusSel)?.getAttribute('data-source');
        const t = e.timeStamp;
        const tick = () => {
          const f = document.querySelector(focusSel);
          const now = f?.getAttribute('data-source');
          if (now && now !== before && f!.querySelector(readySel)) w.__lat.push(performance.now() - t);
          else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }, { capture: true });
    }, { focusSel, readySel });
    for (let i = 0; i < n; i++) {
      await p.keyboard.press(key);
      await p.waitForFunction((k) => (window as unknown as { __lat: number[] }).__lat.length > k, i, { timeout: 10_000 }).catch(async (e) => {
        const st = await p.evaluate(() => ({ lat: (window as unknown as { __lat: number[] }).__lat.length, cur: document.querySelector('.cell.cursor')?.outerHTML.slice(0, 300), active: document.activeElement?.tagName }));
        throw new Error(`key ${i}: ${JSON.stringify(st)} ${(e as Error).message}`);
      });
    }
    return p.evaluate(() => (window as unknown as { __lat: number[] }).__lat);
  };
  await page.reload();
  await page.locator('[data-testid="grid"] .stamp[data-state="ready"]').nth(29).waitFor();
  gridLat = await probe(page, 'x', KEYS, '[data-testid="grid"] .cell.cursor', '.stamp[data-state="ready"]');
  console.log(`\nkeypress → next stamp rendered, grading in the grid (X grades and advances; ${KEYS} keys): ${fmt(gridLat)}`);
  await page.reload();
  await page.locator('[data-testid="grid"] .stamp[data-state="ready"]').nth(10).waitFor();
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.getByTestId('candidate').waitFor();
  candLat = await probe(page, 'ArrowLeft', Math.min(KEYS, 100), '[data-testid="candidate"]', '[data-testid="blink"] .stamp[data-state="ready"]');
  console.log(`keypress → next stamp rendered, candidate view (← steps; neighbours prefetched, so mostly drawn from the decoded cache; ${candLat.length} keys): ${fmt(candLat)}`);
  await page.keyboard.press('Escape');

  // ---- grid scroll frame times -----------------------------------------------------------------
  // Scrolling new rows into view: every frame mounts, fetches, decodes and draws new stamps.
  for (const px of [60, 240]) {
    await page.keyboard.press('End'); // start from the far end each time, where no stamp is cached
    await page.keyboard.press('Home');
    const frames = await page.evaluate(async (px) => {
      const vp = document.querySelector('[data-testid="grid"]') as HTMLElement;
      vp.scrollTop = vp.scrollHeight / 2;
      const deltas: number[] = [];
      let last = 0;
      await new Promise<void>((done) => {
        let n = 0;
        const step = (t: number) => {
          deltas.push(t - last);
          last = t;
          vp.scrollTop += px;
          if (++n < 240) requestAnimationFrame(step);
          else done();
        };
        requestAnimationFrame((t) => ((last = t), requestAnimationFrame(step)));
      });
      return deltas;
    }, px);
    const slow = frames.filter((d) => d > 33.4).length;
    console.log(
      `${px === 60 ? '\n' : ''}grid scroll, ${px} px a frame (${((px * 60) / 162).toFixed(0)} rows/s at 60 Hz), 240 frames: ${fmt(frames)};` +
        ` ${slow} frames over 33 ms (${((100 * slow) / frames.length).toFixed(1)} %)`,
    );
  }
} finally {
  await browser.close();
}

// ---- grade → committed to SQLite (WebSocket round trip) ------------------------------------------
const sock = new WebSocket(`ws://127.0.0.1:${srv.port}/ws?token=${srv.token}`);
await new Promise((r, j) => (sock.once('open', r), sock.once('error', j)));
const pending = new Map<number, (v: unknown) => void>();
sock.on('message', (m) => {
  const r = JSON.parse(String(m));
  if (typeof r.id === 'number') pending.get(r.id)?.(r);
});
const ids = bw.ws.db.prepare('SELECT id FROM sources ORDER BY id LIMIT 300 OFFSET 1000').pluck().all() as number[];
const before = bw.ws.db.prepare('SELECT COUNT(*) FROM labels').pluck().get() as number;
const rtt: number[] = [];
for (let i = 0; i < ids.length; i++) {
  const t = performance.now();
  const r = (await new Promise<unknown>((res) => {
    pending.set(i + 1, res);
    sock.send(JSON.stringify({ id: i + 1, method: 'labels.add', params: { sourceId: ids[i], grade: i % 4 } }));
  })) as { error?: unknown };
  if (r.error) throw new Error(JSON.stringify(r.error));
  rtt.push(performance.now() - t);
}
const after = bw.ws.db.prepare('SELECT COUNT(*) FROM labels').pluck().get() as number;
sock.close();
console.log(`\ngrade → committed to SQLite (labels.add over the WebSocket, acknowledged after COMMIT; ${rtt.length} grades, ${after - before} rows added): ${fmt(rtt)}`);

// ---- what it means for a reviewer ---------------------------------------------------------------
const budget = 3600_000 / 5000; // ms a stamp at 5,000 stamps/hour
console.log('\nreviewer throughput implication:');
for (const [what, xs] of [['grid grading', gridLat], ['candidate view', candLat]] as const) {
  const p95 = q(xs, 0.95);
  console.log(
    `  ${what}: interface wait p95 ${p95.toFixed(1)} ms = ${((100 * p95) / budget).toFixed(1)} % of the ${budget} ms a stamp at 5,000/h;` +
      ` the interface alone would allow ${Math.round(3600_000 / p95).toLocaleString('en')} stamps/hour; goal p95 < 50 ms: ${p95 < 50 ? 'met' : 'NOT met'}`,
  );
}
console.log(`  grading round trip p95 ${q(rtt, 0.95).toFixed(1)} ms runs behind the next stamp (optimistic UI), so it adds no wait.`);

await srv.close();
await backend.close();
rmSync(dir, { recursive: true, force: true });
