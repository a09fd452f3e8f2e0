// Jobs end to end through the CLI process: a killed ingest resumes and produces each row once; a
// corrupt file is named and skipped; cancellation keeps finished work.
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { FitsFile, imageInfo, sourceFromBytes } from '../../src-core/fits/index';
import { decodePng } from '../../src-core/image/png-decode';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeStamp } from '../../src-core/stamps/format';
import { PROJECT_ROOT } from '../../test/shared';
import { tempDir } from '../../test/workspace-fixture';

const t = tempDir();
afterAll(() => t.cleanup());
const cliArgs = ['--import', 'tsx', join(PROJECT_ROOT, 'src-main/cli/entry.ts')];
const N = 600;

function makeFolder(): string {
  const dir = join(t.dir, 'cutouts');
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < N; i++) {
    const planes = [0, 1, 2].map((b) => Float32Array.from({ length: 21 * 21 }, (_, k) => Math.sin(k + i + b)));
    writeFileSync(join(dir, `src${String(i).padStart(4, '0')}.fits`), encodeStamp({ width: 21, height: 21, bands: ['g', 'r', 'i'], planes, ra: 150 + i * 1e-3, dec: 2 }));
  }
  writeFileSync(join(dir, 'zz-corrupt.fits'), 'SIMPLE  =                    T' + ' '.repeat(100)); // truncated header
  return dir;
}

describe('ingest job via the CLI', () => {
  it('is killed mid-way, resumes, and stores every row exactly once', { timeout: 300_000 }, async () => {
    const folder = makeFolder();
    const wsDir = join(t.dir, 'ws');
    // Start, then SIGKILL the process (no chance to clean up) as soon as the database shows some
    // but not all rows committed. Polling the database, not the progress line, keeps this
    // independent of how fast the machine is.
    const child = spawn(process.execPath, [...cliArgs, 'ingest', folder, '--workspace', wsDir], { cwd: PROJECT_ROOT });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    const dbPath = join(wsDir, 'lensdesk.sqlite');
    const killed = await new Promise<boolean>((resolve) => {
      let exited = false;
      child.on('exit', () => (exited = true));
      const deadline = Date.now() + 150_000;
      const poll = setInterval(() => {
        if (exited || Date.now() > deadline) {
          clearInterval(poll);
          if (!exited) child.kill('SIGKILL');
          return resolve(false);
        }
        if (!existsSync(dbPath)) return;
        let n = 0;
        try {
          const db = new Database(dbPath, { readonly: true, timeout: 50 });
          n = db.prepare("SELECT COUNT(*) FROM sources").pluck().get() as number;
          db.close();
        } catch {
          return; // schema not there yet, or busy
        }
        if (n > 0 && n < N) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve(true);
        }
      }, 10);
    });
    expect(killed, `the ingest should still be running when killed; stderr:\n${err}`).toBe(true);
    // Wait until the killed process is reaped: until then its pid still answers kill(pid, 0) (a
    // zombie), and `jobs` would take the job for running (seen on a loaded machine).
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));

    const db = new Database(join(wsDir, 'lensdesk.sqlite'), { readonly: true });
    const partial = db.prepare('SELECT COUNT(*) FROM sources').pluck().get() as number;
    db.close();
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(N);

    const list = spawnSync(process.execPath, [...cliArgs, 'jobs', '--json', '--workspace', wsDir], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
    const jobs = JSON.parse(list.stdout);
    expect(jobs[0]).toMatchObject({ kind: 'ingest', state: 'interrupted' });

    const resume = spawnSync(process.execPath, [...cliArgs, 'jobs', 'resume', String(jobs[0].id), '--json', '--workspace', wsDir], {
      cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 200_000,
    });
    expect(resume.status, resume.stderr).toBe(0);
    const result = JSON.parse(resume.stdout);
    expect(result.failed).toBe(1);
    expect(result.failures[0].file).toBe('zz-corrupt.fits');
    expect(result.failures[0].error).toMatch(/FITS|truncated|block/i);

    const db2 = new Database(join(wsDir, 'lensdesk.sqlite'), { readonly: true });
    expect(db2.prepare('SELECT COUNT(*) FROM sources').pluck().get()).toBe(N);
    expect(db2.prepare('SELECT COUNT(DISTINCT row) FROM sources').pluck().get()).toBe(N);
    expect(db2.prepare("SELECT COUNT(*) FROM cutouts WHERE kind = 'stamp'").pluck().get()).toBe(N);
    expect(db2.prepare('SELECT name, ra, dec FROM sources WHERE row = 7').get()).toEqual({ name: 'src0007', ra: 150.007, dec: 2 });
    expect(db2.prepare('SELECT state FROM jobs WHERE id = ?').pluck().get(jobs[0].id)).toBe('done');
    db2.close();
  });

  it('refuses a folder without FITS files with a clear message', () => {
    const empty = join(t.dir, 'empty');
    mkdirSync(empty);
    const r = spawnSync(process.execPath, [...cliArgs, 'ingest', empty, '--workspace', join(t.dir, 'ws2')], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no FITS files');
    expect(r.stderr).toContain(empty);
  });

  it('scores and exports the ingested catalog (CSV read back)', () => {
    const wsDir = join(t.dir, 'ws');
    const s = spawnSync(process.execPath, [...cliArgs, 'score', '--placeholder', '--json', '--workspace', wsDir], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(s.status, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ written: N, placeholder: true });
    const out = join(t.dir, 'cat.csv');
    const e = spawnSync(process.execPath, [...cliArgs, 'export', '--format', 'csv', '--out', out, '--json', '--workspace', wsDir], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(e.status, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout)).toMatchObject({ rows: N, format: 'csv' });
    const lines = readFileSync(out, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines.length, lines.slice(0, 3).join('\n')).toBe(N + 1); // header + one row per source

    // The cutout bundle: a cube whose plane n is catalog row n, the catalog, one PNG per row.
    const dir = join(t.dir, 'bundle');
    const b = spawnSync(process.execPath, [...cliArgs, 'export', '--format', 'bundle', '--min-score', '0', '--out', dir, '--json', '--workspace', wsDir], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(b.status, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({ rows: N, format: 'bundle' });
    const cube = new FitsFile(sourceFromBytes('cutouts.fits', readFileSync(join(dir, 'cutouts.fits'))));
    expect(imageInfo(cube, cube.hdu(0)).shape).toEqual([N, 3, 21, 21]);
    const csv = readFileSync(join(dir, 'catalog.csv'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(csv.length, csv.slice(0, 3).join('\n')).toBe(N + 1);
    const pngs = readdirSync(join(dir, 'png'));
    expect(pngs.length).toBe(N);
    const png = decodePng(readFileSync(join(dir, 'png', pngs[0]!)));
    expect([png.width, png.height, png.channels]).toEqual([21, 21, 3]);
  });
});
