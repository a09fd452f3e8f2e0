// Issue 17, sharded scoring straight from a catalog + survey images, with the built CLI: four
// g/r/i/z images (TAN WCS; r rotated and shifted, so bands are resampled) and a CSV catalog of
// sources, one off the images and one without RA. Planned in 3 shards, each scored by its own
// `lensdesk score --plan` (stamps cut on the node), merged; the merged scores must equal
// `lensdesk ingest --catalog-file … --images …` + `lensdesk score` of the same rows (matched by
// catalog row), once each, with the two bad rows reported as failures by row, and merge's import
// of the top K must cut the same stamps into the workspace.
import { DuckDBInstance } from '@duckdb/node-api';
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArrayList } from '../src-core/cluster/array-list';
import { readStampFile } from '../src-main/stamps/stamp-file';
import { PROJECT_ROOT } from './shared';
import { SURVEY_CENTRE, SURVEY_SCALE, writeSurveyImage } from './survey-images';
import { tempDir } from './workspace-fixture';

const CLI = join(PROJECT_ROOT, 'out', 'main', 'cli.js');
const t = tempDir('lensdesk-catplan-');
afterAll(() => t.cleanup());

function lensdesk(args: string[], okCodes = [0]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 180_000, env: { ...process.env, CI: '1' } });
  if (!okCodes.includes(r.status ?? -1)) throw new Error(`lensdesk ${args.join(' ')} → ${r.status ?? r.signal}\n${r.stderr}`);
  return r.stdout;
}

/** Deterministic pseudo-random numbers (mulberry32), so the images are the same every run. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

// Sources at pixel offsets from the image centre (0-based g pixel 100, 100 is CRVAL for n = 200).
const OFFSETS: [number, number][] = [[0, 0], [-40, 10], [35, -30], [60, 60], [-70, -65], [12, 50], [-25, -45], [80, -10], [-5, 75], [50, 20]];
const n = 200;

function makeSurvey(dir: string) {
  const rand = rng(7);
  const blobs = OFFSETS.map(([dx, dy], k) => ({ x: 99 + dx, y: 99 + dy, amp: 400 + 900 * k, sigma: 1.5 + 0.4 * k }));
  const noise = Float32Array.from({ length: n * n * 4 }, () => 20 * (rand() - 0.5));
  const sky = (x: number, y: number, b: number) => blobs.reduce((a, s) => a + s.amp * (1 + 0.3 * b) * Math.exp(-((x - s.x) ** 2 + (y - s.y) ** 2) / (2 * s.sigma ** 2)), 0);
  ['g', 'r', 'i', 'z'].forEach((band, b) => {
    // r is on a grid shifted by 3.5 px (values follow the same sky), so it is resampled onto g's.
    const shift = band === 'r' ? 3.5 : 0;
    writeSurveyImage(join(dir, `${band}.fits`), 0, shift, (x, y) => sky(x - shift, y, b) + noise[b * n * n + y * n + x]!, n);
  });
  const lines = ['name,RA,DEC'];
  const ra = (dx: number) => SURVEY_CENTRE.ra - (dx * SURVEY_SCALE) / Math.cos((SURVEY_CENTRE.dec * Math.PI) / 180);
  OFFSETS.forEach(([dx, dy], k) => {
    lines.push(`src${k},${ra(dx)},${SURVEY_CENTRE.dec + dy * SURVEY_SCALE}`);
    if (k === 3) lines.push('offimage,151.0,3.0'); // catalog row 4 (0-based): outside every image
    if (k === 6) lines.push('noradec,,2.0'); // catalog row 8: no RA
  });
  writeFileSync(join(dir, 'cat.csv'), lines.join('\n') + '\n');
}

async function readParquet(path: string) {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    const rows = (await conn.runAndReadAll(`SELECT row_id, source_id, ra, dec, score FROM read_parquet('${path.replace(/'/g, "''")}') ORDER BY row_id`)).getRowObjects();
    return rows.map((r) => ({ row: Number(r.row_id), id: String(r.source_id), ra: Number(r.ra), dec: Number(r.dec), score: Number(r.score) }));
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

describe.skipIf(!existsSync(CLI))(`shard plan CATALOG --images → score --plan (3 shards) → merge${existsSync(CLI) ? '' : ` (skipped: ${CLI} missing, run npm run build)`}`, () => {
  it('merged scores equal ingest --catalog-file + score; bad rows are failures by row; merge cuts the top K into the workspace', { timeout: 600_000 }, async () => {
    makeSurvey(t.dir);
    const cat = join(t.dir, 'cat.csv');
    const images = ['g', 'r', 'i', 'z'].map((b) => `${b}=${join(t.dir, `${b}.fits`)}`).join(',');

    // Single machine: ingest + score.
    const single = join(t.dir, 'ws-single');
    expect(JSON.parse(lensdesk(['ingest', '--catalog-file', cat, '--images', images, '--size', '45', '--context-size', '0', '--workspace', single, '--json']))).toMatchObject({ added: OFFSETS.length, outside: 1, invalid: 1 });
    expect(JSON.parse(lensdesk(['score', '--workspace', single, '--json']))).toMatchObject({ placeholder: false, written: OFFSETS.length, failed: 0 });
    const sdb = new Database(join(single, 'lensdesk.sqlite'), { readonly: true });
    const ref = new Map((sdb.prepare('SELECT s.row, s.name, s.ra, s.dec, sc.probability AS p FROM sources s JOIN scores sc ON sc.source_id = s.id').all() as { row: number; name: string; ra: number; dec: number; p: number }[]).map((r) => [r.row, r]));
    sdb.close();
    expect(ref.size).toBe(OFFSETS.length);
    // The blobs differ, so the scores do too: equal scores below cannot come from a constant model.
    expect(new Set([...ref.values()].map((r) => r.p.toFixed(6))).size).toBeGreaterThan(3);

    // Sharded: plan, score each shard, merge.
    const plan = join(t.dir, 'plan');
    const planned = JSON.parse(lensdesk(['shard', 'plan', cat, '--images', images, '--size', '45', '--shards', '3', '--out', plan, '--json']));
    expect(planned).toMatchObject({ items: OFFSETS.length + 2, shards: 3, minItems: 4, maxItems: 4 });
    const pj = JSON.parse(readFileSync(join(plan, 'plan.json'), 'utf8'));
    expect(pj.source.kind).toBe('catalog');
    expect(pj.source.catalog).toMatchObject({ rows: 12, size: 45, resampling: 'bilinear' });
    expect(pj.source.catalog.images.map((i: { band: string }) => i.band)).toEqual(['g', 'r', 'i', 'z']);
    expect(pj.shards.map((s: { firstRow: number; lastRow: number }) => [s.firstRow, s.lastRow])).toEqual([[0, 3], [4, 7], [8, 11]]);
    expect(lensdesk(['shard', 'status', plan], [1])).toMatch(/0\/3 shards done/);
    for (const i of [0, 1, 2]) expect(lensdesk(['score', '--plan', plan, '--shard', String(i)])).toMatch(new RegExp(`shard ${i} done: \\d+ scored, ${i === 0 ? 0 : 1} failed`));
    const s1 = JSON.parse(readFileSync(join(plan, 'out', 'shard-1._SUCCESS'), 'utf8'));
    expect(s1.failures).toEqual([expect.objectContaining({ row: 4, error: expect.stringMatching(/data row 5 .*outside every survey image/) })]);
    const s2 = JSON.parse(readFileSync(join(plan, 'out', 'shard-2._SUCCESS'), 'utf8'));
    expect(s2.failures).toEqual([expect.objectContaining({ row: 8, error: expect.stringMatching(/data row 9: RA\/Dec missing/) })]);
    expect(lensdesk(['shard', 'status', plan])).toMatch(/3\/3 shards done/);
    expect(readdirSync(join(plan, 'out')).filter((f) => f.includes('.tmp'))).toEqual([]);

    const ws = join(t.dir, 'ws-review');
    const merged = JSON.parse(lensdesk(['merge', plan, '--top', '3', '--workspace', ws, '--json']));
    expect(merged).toMatchObject({ rows: OFFSETS.length, imported: 3 });
    const rows = await readParquet(join(plan, 'merged', 'scores.parquet'));
    expect(rows.map((r) => r.row)).toEqual([...ref.keys()].sort((a, b) => a - b));
    expect(new Set(rows.map((r) => r.row)).size).toBe(rows.length);
    for (const r of rows) {
      const s = ref.get(r.row)!;
      expect(r.id).toBe(s.name);
      expect(Math.abs(r.score - s.p), `row ${r.row}`).toBeLessThan(1e-5);
      expect(r.ra).toBeCloseTo(s.ra, 9);
      expect(r.dec).toBeCloseTo(s.dec, 9);
    }

    // The top 3 come into the review workspace with their stamps cut again, scored as merged.
    const top = [...rows].sort((a, b) => b.score - a.score || a.row - b.row).slice(0, 3);
    const db = new Database(join(ws, 'lensdesk.sqlite'), { readonly: true });
    const got = db.prepare('SELECT s.row, s.name, sc.probability AS p, c.path, c.width, c.bands FROM sources s JOIN scores sc ON sc.source_id = s.id JOIN cutouts c ON c.source_id = s.id ORDER BY sc.probability DESC, s.row').all() as { row: number; name: string; p: number; path: string; width: number; bands: string }[];
    db.close();
    expect(got.map((g) => g.row)).toEqual(top.map((r) => r.row));
    for (const g of got) {
      expect(g.width).toBe(45);
      expect(existsSync(join(ws, g.path))).toBe(true);
    }
    // The imported stamps are the pixels ingest cut for the same rows (float32, bit for bit).
    const sdb2 = new Database(join(single, 'lensdesk.sqlite'), { readonly: true });
    const stampOf = sdb2.prepare("SELECT c.path FROM sources s JOIN cutouts c ON c.source_id = s.id WHERE s.row = ? AND c.kind = 'stamp'").pluck();
    for (const g of got) {
      const a = readStampFile(join(ws, g.path));
      const b = readStampFile(join(single, stampOf.get(g.row) as string));
      expect(a.bands).toEqual(['g', 'r', 'i', 'z']);
      expect(a.bands).toEqual(b.bands);
      a.planes.forEach((pl, k) => expect(Buffer.from(pl.buffer).equals(Buffer.from(b.planes[k]!.buffer)), `row ${g.row} band ${a.bands[k]}`).toBe(true));
    }
    sdb2.close();
  });

  it('Ctrl-C on score --plan: exit 130, "cancelled", no temp files, and shard status offers it for resubmission', { timeout: 300_000 }, async () => {
    const dir = join(t.dir, 'sigint');
    mkdirSync(dir, { recursive: true });
    makeSurvey(dir);
    // Enough rows (20 batches of the network's 64) that scoring is still under way when SIGINT comes.
    const cat = readFileSync(join(dir, 'cat.csv'), 'utf8').trim().split('\n');
    writeFileSync(join(dir, 'big.csv'), [cat[0], ...Array.from({ length: 1280 }, (_, k) => cat[1 + (k % OFFSETS.length)])].join('\n') + '\n');
    const images = ['g', 'r', 'i', 'z'].map((b) => `${b}=${join(dir, `${b}.fits`)}`).join(',');
    const plan = join(dir, 'plan');
    lensdesk(['shard', 'plan', join(dir, 'big.csv'), '--images', images, '--size', '45', '--shards', '2', '--out', plan]);
    const { code, signal, err } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }>((res) => {
      const child = spawn(process.execPath, [CLI, 'score', '--plan', plan, '--shard', '1'], { cwd: PROJECT_ROOT, env: { ...process.env, CI: '1' } });
      let err = '';
      let sent = false;
      const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (!sent && /shard 1: \d+ cutouts with/.test(err)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.on('exit', (c, sg) => {
        clearTimeout(timer);
        res({ code: c, signal: sg, err });
      });
    });
    expect(signal, err).toBeNull();
    expect(code, err).toBe(130);
    expect(err).toMatch(/cancelled/);
    expect(readdirSync(join(plan, 'out')).filter((f) => /tmp/.test(f))).toEqual([]);
    expect(existsSync(join(plan, 'out', 'shard-1._SUCCESS'))).toBe(false);
    expect(readFileSync(join(plan, 'out', 'shard-1.log'), 'utf8').trim().split('\n').at(-1)).toMatch(/ cancelled: /);
    const st = JSON.parse(lensdesk(['shard', 'status', plan, '--json'], [1]));
    expect(st.failed).toEqual([1]);
    expect(st.missing).toEqual([0]);
    expect(parseArrayList(st.resubmit)).toEqual([0, 1]);
    expect(st.commands.join('\n')).toContain(`--array=${st.resubmit}`);
  });
});
