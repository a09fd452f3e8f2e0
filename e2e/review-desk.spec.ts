// The review desk end to end in browser mode (Debian Chromium), on a server of its own: grade 50
// candidates from the keyboard, undo, reload and find them kept (in the page and in SQLite); bulk
// grade a selection; tag, filter and sort; export from the dialog and parse the file; SAMP
// messages reach an in-process test hub and a highlighted row comes back as the selection.
import { expect, test, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SampClient, type SampMap } from '../src-main/samp/client';
import { lockUrlFor } from '../src-main/samp/lockfile';
import { SampTestHub } from '../test/samp-test-hub';
import { startDeskServer, type DeskServer } from './desk-server';

test.describe.configure({ mode: 'serial' });

const REVIEWER = 'desk-reviewer';
let srv: DeskServer;
let hub: SampTestHub;
let page: Page;
let db: Database.Database;
let lockPath: string;

const cell = (i: number) => page.locator(`[data-testid="grid"] .cell[data-index="${i}"]`);
const status = () => page.getByTestId('status');
/** Current grades of our reviewer, straight from the workspace database. */
const myGrades = () =>
  new Map(
    (db.prepare(
      `SELECT l.source_id AS s, l.grade AS g FROM current_labels l JOIN reviewers v ON v.id = l.reviewer_id
       WHERE v.name = ? AND l.grade IS NOT NULL`,
    ).all(REVIEWER) as { s: number; g: number }[]).map((r) => [r.s, r.g]),
  );
const sourceAt = async (i: number) => Number(await cell(i).getAttribute('data-source'));

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  const lockDir = (await import('node:fs')).mkdtempSync(join((await import('node:os')).tmpdir(), 'lensdesk-samp-'));
  lockPath = join(lockDir, 'samp-lock');
  hub = await new SampTestHub(lockPath).start();
  srv = await startDeskServer({ reviewer: REVIEWER, demoCount: 120, env: { SAMP_HUB: lockUrlFor(lockPath) } });
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await page.goto(srv.url);
  await expect(page.locator('[data-testid="jobs"] [data-kind="demo"]').first()).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  await expect(status()).toContainText('120 candidates');
  await expect(page.locator('[data-testid="grid"] .stamp[data-state="ready"]').nth(20)).toBeVisible();
  db = new Database(join(srv.workspace, 'lensdesk.sqlite'), { readonly: true, fileMustExist: true });
});

test.afterAll(async () => {
  db?.close();
  await page?.close();
  await srv?.stop();
  await hub?.stop();
});

test('grade 50 candidates by keyboard only, undo the last, reload: all kept in the page and in SQLite', async () => {
  await page.keyboard.press('Home');
  const keys = ['a', 'b', 'c', 'x', '3', '2', '1', '0'];
  const expected = [3, 2, 1, 0, 3, 2, 1, 0];
  const ids: number[] = [];
  for (let i = 0; i < 50; i++) {
    await expect(cell(i)).toHaveClass(/cursor/);
    ids.push(await sourceAt(i));
    await page.keyboard.press(keys[i % keys.length]!);
  }
  await expect(status()).toContainText('graded by me 50');
  await expect(cell(0).locator('[data-grade]')).toHaveAttribute('data-grade', 'A');
  await expect(cell(3).locator('[data-grade]')).toHaveAttribute('data-grade', 'X');
  await page.keyboard.press('u'); // undo candidate 49's grade
  await expect(status()).toContainText('graded by me 49');
  await expect(cell(49).locator('[data-grade]')).toHaveCount(0);

  await page.reload();
  await expect(status()).toContainText('graded by me 49');
  await expect(cell(0).locator('[data-grade]')).toHaveAttribute('data-grade', 'A');
  await expect(cell(1).locator('[data-grade]')).toHaveAttribute('data-grade', 'B');
  await expect(cell(2).locator('[data-grade]')).toHaveAttribute('data-grade', 'C');
  await expect(cell(47).locator('[data-grade]')).toHaveAttribute('data-grade', 'X');
  await expect(cell(48).locator('[data-grade]')).toHaveAttribute('data-grade', 'A');
  await expect(cell(49).locator('[data-grade]')).toHaveCount(0);
  const stored = myGrades();
  expect(stored.size).toBe(49);
  for (let i = 0; i < 49; i++) expect(stored.get(ids[i]!), `candidate ${i}`).toBe(expected[i % expected.length]);
  expect(stored.has(ids[49]!)).toBe(false);
  // The history keeps the undone grade and the undo (append-only).
  const rows = db.prepare('SELECT action FROM labels WHERE source_id = ? ORDER BY id').pluck().all(ids[49]) as string[];
  expect(rows).toEqual(['grade', 'undo']);
});

test('hide graded (H), then bulk-grade a shift+arrow selection with one key', async () => {
  await page.keyboard.press('h');
  await expect(status()).toContainText('71 candidates'); // 120 − 49 graded
  await page.keyboard.press('Home');
  const ids = [await sourceAt(0), await sourceAt(1), await sourceAt(2)];
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowRight');
  await expect(page.locator('[data-testid="grid"] .cell.selected')).toHaveCount(3);
  await page.keyboard.press('c');
  for (const i of [0, 1, 2]) await expect(cell(i).locator('[data-grade]')).toHaveAttribute('data-grade', 'C');
  await expect(status()).toContainText('graded by me 52');
  const stored = myGrades();
  for (const id of ids) expect(stored.get(id)).toBe(1);
  await page.keyboard.press('h');
  await expect(status()).toContainText('120 candidates');
});

test('tag and comment from the keyboard, filter by tag, consensus grade, sort by name', async () => {
  await page.keyboard.press('Home');
  const first = await sourceAt(0);
  await page.keyboard.press('t'); // opens the candidate with the tag box focused
  await expect(page.getByTestId('tags')).toBeFocused();
  await page.keyboard.type('ring, blue arc');
  await page.keyboard.press('Tab');
  await page.keyboard.type('clear counter-image');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('history')).toContainText('clear counter-image');
  await expect(page.getByTestId('tag-list')).toContainText('blue arc');
  await page.keyboard.press('Escape'); // leave the input
  await page.keyboard.press('Escape'); // back to the grid
  await expect(page.getByTestId('grid')).toBeVisible();

  await page.getByTestId('filter-tag').focus();
  await expect(page.getByTestId('filter-tag').locator('option', { hasText: 'ring' })).toHaveCount(1);
  await page.getByTestId('filter-tag').selectOption('ring');
  await expect(status()).toContainText('1 candidates');
  expect(await sourceAt(0)).toBe(first);
  await page.getByTestId('filter-tag').selectOption('');
  await page.keyboard.press('Escape');

  // Consensus ≥ B: as many as the database says have a mean grade ≥ 2.
  const nB = db
    .prepare('SELECT COUNT(*) FROM (SELECT source_id, AVG(grade) m FROM current_labels WHERE grade IS NOT NULL GROUP BY source_id) WHERE m >= 2')
    .pluck()
    .get() as number;
  expect(nB).toBeGreaterThan(10);
  await page.getByTestId('filter-consensus').selectOption('2');
  await expect(status()).toContainText(`${nB} candidates`);
  await page.getByTestId('filter-consensus').selectOption('');
  await page.keyboard.press('Escape');
  await expect(status()).toContainText('120 candidates');

  await page.getByTestId('sort').selectOption('name');
  await page.keyboard.press('Escape'); // leaves the select; keys go to the grid again
  await expect(page.getByTestId('sort')).not.toBeFocused();
  const names = await page.locator('[data-testid="grid"] .cell .name').evaluateAll((els) => els.slice(0, 20).map((e) => e.getAttribute('title')!));
  expect(names.length).toBe(20);
  const sorted = [...names].sort().reverse(); // the toolbar keeps the current order (descending)
  expect(names).toEqual(sorted);
  await page.getByTestId('sort').selectOption('score');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('sort')).not.toBeFocused();
});

test('candidate view: RA/Dec and pixel values under the cursor, FITS header, at 1366×768', async () => {
  await page.keyboard.press('Home');
  const sid = await sourceAt(0);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('candidate')).toHaveAttribute('data-source', String(sid));
  await expect(page.locator('[data-testid="blink"] .stamp[data-state="ready"]')).toBeVisible();
  const canvas = page.locator('[data-testid="blink"] .stamp canvas');
  const box = (await canvas.boundingBox())!;
  // The whole blink frame fits in the 768-px-high window.
  expect(box.y + box.height).toBeLessThan(768);
  // The centre of a 45-px stamp is FITS pixel 23 = CRPIX: its RA/Dec is the source's position.
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const { ra, dec } = db.prepare('SELECT ra, dec FROM sources WHERE id = ?').get(sid) as { ra: number; dec: number };
  const readout = page.getByTestId('cursor-readout');
  await expect(readout).toContainText('x 23 y 23');
  // Sexagesimal as DS9 prints it, then degrees.
  await expect(readout).toContainText(`(${ra.toFixed(6)}°, ${dec.toFixed(6)}°)`);
  await expect(readout).toContainText(/RA \d\d:\d\d:\d\d\.\d\d Dec [+-]\d\d:\d\d:\d\d\.\d/);
  await expect(readout).toContainText(/g -?\d/);
  // One pixel right of centre is one pixel east-to-west: RA decreases (CDELT1 < 0).
  await page.mouse.move(box.x + (box.width * 23.5) / 45, box.y + box.height / 2);
  await expect(readout).toContainText('x 24 y 23');
  const raRight = Number(/\((\S+)°, /.exec((await readout.textContent())!)![1]);
  expect(raRight).toBeLessThan(ra);
  // A wider context cutout shows when the source has one (here: registered for this source).
  const rw = new Database(join(srv.workspace, 'lensdesk.sqlite'));
  try {
    rw.prepare("INSERT INTO cutouts(source_id, kind, path, width, height, bands) SELECT source_id, 'context', path, width, height, bands FROM cutouts WHERE source_id = ? AND kind = 'stamp'").run(sid);
  } finally {
    rw.close();
  }
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft'); // re-reads the candidate
  await expect(page.getByTestId('context').locator('.stamp[data-state="ready"]')).toBeVisible();
  await expect(page.getByTestId('context')).toContainText('45×45 px');
  const header = page.getByTestId('fits-header');
  await header.locator('summary').click();
  await expect(header.locator('pre')).toContainText("CTYPE1  =           'RA---TAN'");
  await expect(header.locator('pre')).toContainText('NAXIS3  =                    4');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('grid')).toBeVisible();
});

test('export from the dialog (keyboard), download the file and parse it', async () => {
  const nB = db
    .prepare('SELECT COUNT(*) FROM (SELECT source_id, AVG(grade) m FROM current_labels WHERE grade IS NOT NULL GROUP BY source_id) WHERE m >= 2')
    .pluck()
    .get() as number;
  for (const format of ['votable', 'csv', 'ecsv'] as const) {
    await page.keyboard.press('e');
    const dialog = page.getByTestId('export-dialog');
    await expect(dialog).toBeVisible();
    await expect(page.getByTestId('export-format')).toBeFocused();
    await page.getByTestId('export-format').selectOption(format);
    await page.keyboard.press('Tab');
    await expect(page.getByTestId('export-min-grade')).toBeFocused();
    await page.getByTestId('export-min-grade').selectOption('2');
    await page.keyboard.press('Enter');
    const link = page.getByTestId('export-link');
    await expect(link).toBeVisible();
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(new RegExp(`/img/file/exports/lensdesk-[^/]+\\.${{ csv: 'csv', ecsv: 'ecsv', votable: 'vot' }[format]}\\?token=[0-9a-f]+$`));
    // The page's token rides in the link (no cookie: cookies would reach every port on 127.0.0.1).
    expect(await page.context().cookies()).toEqual([]);
    const r = await page.request.get(href);
    expect(r.status()).toBe(200);
    const text = await r.text();
    if (format === 'votable') {
      expect(text).toContain('<VOTABLE');
      expect(text).toMatch(/<FIELD name="ra" datatype="double" unit="deg" ucd="pos.eq.ra;meta.main" ref="sys_icrs"/);
      expect(text).toMatch(/<PARAM name="threshold_consensus_min"[^>]*value="2"/);
      expect(text.match(/<TR>/g)?.length).toBe(nB);
      expect(text).toMatch(/<COOSYS ID="sys_icrs" system="ICRS" epoch="J2000"\/>/);
    } else if (format === 'ecsv') {
      expect(text.startsWith('# %ECSV 1.0\n# ---\n')).toBe(true);
      expect(text).toContain('# - {name: "ra", datatype: "float64", unit: "deg"');
      expect(text).toMatch(/^# - \{"thresholds": \{"consensus_min": 2\}\}$/m);
      expect(text.split('\n').filter((l) => l && !l.startsWith('#')).length - 1).toBe(nB);
    } else {
      // Plain RFC 4180: CRLF line ends, no '#' lines, then the blend flag, per-reviewer grades and the lens-model columns.
      expect(text.endsWith('\r\n')).toBe(true);
      const lines = text.split('\r\n').filter((l) => l);
      expect(lines.filter((l) => l.startsWith('#'))).toEqual([]);
      expect(lines[0]).toMatch(/^id,ra,dec,catalog,score,n_grades,grade_mean,grade_spread,consensus,disagreement,blend_probability,likely_blend,(grade_\w+,)*theta_e_mean,theta_e_sd,theta_e_rhat,fit_converged$/);
      expect(lines.length - 1).toBe(nB);
      // RFC 4180 fields (quoted ones may hold commas).
      const fields = (l: string) => [...l.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((m) => m[1]!);
      const mean = lines.slice(1).map((l) => Number(fields(l)[6]));
      for (const m of mean) expect(m).toBeGreaterThanOrEqual(2);
    }
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
  }
  // Without the token the export is refused.
  expect((await fetch(`${srv.origin}/img/file/exports/x.csv`)).status).toBe(401);
});

test('SAMP: cutout, position and table reach the hub; a highlighted row selects that candidate', async () => {
  const got = new Map<string, SampMap[]>();
  const peer = await SampClient.connect({
    env: { SAMP_HUB: lockUrlFor(lockPath) },
    metadata: { 'samp.name': 'fake-topcat' },
    handlers: Object.fromEntries(
      ['image.load.fits', 'table.load.votable', 'coord.pointAt.sky'].map((m) => [m, (p: SampMap) => void got.set(m, [...(got.get(m) ?? []), p])]),
    ),
  });
  try {
    await page.keyboard.press('m');
    await expect(page.getByTestId('samp-connect')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('samp-state')).toHaveAttribute('data-connected', 'true');
    await expect(page.getByTestId('samp-panel')).toContainText('fake-topcat');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('samp-status')).toContainText('connected, 1 client');

    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    const name = await cell(1).locator('.name').getAttribute('title');
    const sid = await sourceAt(1);
    await page.keyboard.press('i');
    await expect.poll(() => got.get('image.load.fits')?.length ?? 0).toBe(1);
    const img = got.get('image.load.fits')![0]!;
    expect(String(img.name)).toContain(name!);
    // A SAMP peer has no token or cookie: the capability URL alone serves the FITS file.
    const fits = await fetch(String(img.url));
    expect(fits.status).toBe(200);
    expect(new TextDecoder().decode(new Uint8Array(await fits.arrayBuffer()).slice(0, 9))).toBe('SIMPLE  =');
    const { ra, dec } = db.prepare('SELECT ra, dec FROM sources WHERE id = ?').get(sid) as { ra: number; dec: number };
    await page.keyboard.press('o');
    await expect.poll(() => got.get('coord.pointAt.sky')?.length ?? 0).toBe(1);
    expect(Number(got.get('coord.pointAt.sky')![0]!.ra)).toBeCloseTo(ra, 9);
    expect(Number(got.get('coord.pointAt.sky')![0]!.dec)).toBeCloseTo(dec, 9);

    await page.keyboard.press('m');
    await page.getByTestId('samp-send-table').click();
    await expect.poll(() => got.get('table.load.votable')?.length ?? 0).toBe(1);
    await page.keyboard.press('Escape');
    const tab = got.get('table.load.votable')![0]!;
    const vot = await (await fetch(String(tab.url))).text();
    const ids = [...vot.matchAll(/<TR><TD>([^<]*)<\/TD>/g)].map((m) => m[1]);
    expect(ids.length).toBe(120);
    // TOPCAT highlights row 7: LensDesk selects that candidate.
    const selfId = (await peer.getRegisteredClients()).find((c) => c !== peer.selfId && c !== peer.hubId)!;
    await peer.notify(selfId, 'table.highlight.row', { 'table-id': String(tab['table-id']), url: String(tab.url), row: '7' });
    await expect(page.locator('[data-testid="grid"] .cell.cursor .name')).toHaveAttribute('title', ids[7]!);
    await expect(page.getByTestId('samp-status')).toContainText('table.highlight.row 7');
  } finally {
    await peer.close();
  }
});
