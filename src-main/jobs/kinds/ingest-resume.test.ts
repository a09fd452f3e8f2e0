// The folder ingest kind run in-process on a real workspace: resume by file identity (a file added
// before resuming is ingested, none twice, failures counted), one folder per catalog name, links
// and FIFOs reported, and a full disk (ENOSPC from /dev/full) stopping the job typed, with the
// rows converted before it committed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError, InputError } from '../../../src-core/errors';
import { encodeStamp } from '../../../src-core/stamps/format';
import { tempDir, tempWorkspaces } from '../../../test/workspace-fixture';
import { DiskError } from '../../store/disk-error';
import { Repo } from '../../store/repo';
import type { Workspace } from '../../store/workspace';
import type { JobContext } from '../types';
import { ingestKind, slug, type IngestParams } from './ingest';

const t = tempDir();
afterAll(() => t.cleanup());
const newWorkspace = tempWorkspaces();

function stamp(i: number): Uint8Array {
  const planes = [0, 1].map((b) => Float32Array.from({ length: 9 * 9 }, (_, k) => Math.sin(k + i + b)));
  return encodeStamp({ width: 9, height: 9, bands: ['g', 'r'], planes, ra: 10 + i * 1e-3, dec: -5 });
}

function folder(name: string, n: number, prefix = 'src'): string {
  const dir = join(t.dir, name);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) writeFileSync(join(dir, `${prefix}${String(i).padStart(3, '0')}.fits`), stamp(i));
  return dir;
}

/** Runs the kind as the worker would; `cancelAfter` checks cancels it after that many files. */
async function run(ws: Workspace, p: Record<string, unknown>, cancelAfter?: number) {
  let checks = 0;
  const ctx: JobContext<IngestParams> = {
    jobId: 1,
    params: ingestKind.prepare(p, ws.dir),
    repo: new Repo(ws.db),
    workspaceDir: ws.dir,
    progress() {},
    cancelled: () => cancelAfter !== undefined && ++checks * 16 > cancelAfter,
    checkCancelled() {
      if (cancelAfter !== undefined && checks * 16 > cancelAfter) throw new CancelledError();
    },
  };
  return ingestKind.run(ctx);
}

const names = (ws: Workspace) => ws.db.prepare('SELECT name FROM sources ORDER BY name').pluck().all() as string[];

describe('folder ingest: resume by file identity', () => {
  it('a file added before resuming is ingested; none twice; failures counted', async () => {
    const ws = newWorkspace();
    const dir = folder('resume', 100);
    writeFileSync(join(dir, 'zz-bad.fits'), 'SIMPLE  =                    T' + ' '.repeat(50));
    await expect(run(ws, { folder: dir, catalog: 'c' }, 80)).rejects.toBeInstanceOf(CancelledError);
    const partial = names(ws).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(100);
    // A new file sorting first: by position it would take row 0's place and shift every later one.
    writeFileSync(join(dir, 'aaa-new.fits'), stamp(999));
    const r = await run(ws, { folder: dir, catalog: 'c' });
    expect(r).toMatchObject({ files: 102, skipped: partial, added: 101 - partial, failed: 1 });
    expect((r.failures as { file: string }[])[0]!.file).toBe('zz-bad.fits');
    const all = names(ws);
    expect(all.length).toBe(101);
    expect(new Set(all).size).toBe(101);
    expect(all).toContain('aaa-new');
    // Each source's stamp holds its own file's pixels (RA from the file): no row mixed up.
    const row = ws.db.prepare("SELECT ra FROM sources WHERE name = 'src042'").get() as { ra: number };
    expect(row.ra).toBeCloseTo(10.042, 9);
    const again = await run(ws, { folder: dir, catalog: 'c' });
    expect(again).toMatchObject({ added: 0, skipped: 101, failed: 1 });
  });

  it('a file changed since it was ingested is reported, not ingested again', async () => {
    const ws = newWorkspace();
    const dir = folder('changed', 3);
    await run(ws, { folder: dir, catalog: 'c' });
    writeFileSync(join(dir, 'src001.fits'), stamp(50));
    utimesSync(join(dir, 'src001.fits'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const r = await run(ws, { folder: dir, catalog: 'c' });
    expect(r).toMatchObject({ added: 0, skipped: 2 });
    expect(r.skippedFiles).toEqual([{ file: 'src001.fits', reason: expect.stringContaining('changed since it was ingested') }]);
    expect(names(ws)).toEqual(['src000', 'src001', 'src002']);
  });

  it('refuses a different folder under an existing catalog name, naming both folders', async () => {
    const ws = newWorkspace();
    const a = folder('fa', 2, 'a');
    const b = folder('fb', 2, 'b');
    await run(ws, { folder: a, catalog: 'survey' });
    const err = await run(ws, { folder: b, catalog: 'survey' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('CATALOG_EXISTS');
    expect((err as Error).message).toContain(a);
    expect((err as Error).message).toContain(b);
    expect((err as Error).message).toContain('--catalog');
    expect(names(ws)).toEqual(['a000', 'a001']);
  });
});

describe('folder ingest: links and special files', () => {
  it('follows file and folder links, reports loops, broken links and FIFOs, ingests each file once', async () => {
    const ws = newWorkspace();
    const dir = folder('links', 2);
    const outside = folder('outside', 1, 'ext');
    symlinkSync(join(outside, 'ext000.fits'), join(dir, 'linked.fits')); // a link to a file elsewhere
    symlinkSync(join(dir, 'src000.fits'), join(dir, 'twin.fits')); // a second name for src000
    symlinkSync(join(dir, 'nowhere.fits'), join(dir, 'broken.fits'));
    symlinkSync('self.fits', join(dir, 'self.fits')); // ELOOP
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'deep.fits'), stamp(7));
    symlinkSync(dir, join(dir, 'sub', 'up')); // a folder loop
    execFileSync('mkfifo', [join(dir, 'pipe.fits')]);
    const r = await run(ws, { folder: dir, catalog: 'l' });
    expect(names(ws)).toEqual(['deep', 'linked', 'src000', 'src001']);
    expect(r).toMatchObject({ added: 4, failed: 0, notIngested: 5 });
    const reasons = Object.fromEntries((r.skippedFiles as { file: string; reason: string }[]).map((s) => [s.file, s.reason]));
    expect(reasons['broken.fits']).toMatch(/broken symbolic link/);
    expect(reasons['self.fits']).toMatch(/symbolic link loop/);
    expect(reasons[join('sub', 'up')]).toMatch(/symbolic link loop/);
    expect(reasons['pipe.fits']).toMatch(/FIFO/);
    expect(reasons['twin.fits']).toMatch(/same file as src000\.fits/);
  });
});

describe.skipIf(!existsSync('/dev/full'))('folder ingest on a full disk (/dev/full)', () => {
  it('stops with DISK_FULL naming the file; rows converted before are committed, no temp files left', async () => {
    const ws = newWorkspace();
    const dir = folder('full', 10);
    const out = join(ws.dir, 'cutouts', slug('f'));
    mkdirSync(out, { recursive: true });
    symlinkSync('/dev/full', join(out, `5.fits.tmp-${process.pid}`)); // the 6th stamp's write gets ENOSPC
    const err = await run(ws, { folder: dir, catalog: 'f' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiskError);
    expect((err as DiskError).code).toBe('DISK_FULL');
    expect((err as Error).message).toContain(join(out, '5.fits'));
    expect(names(ws)).toEqual(['src000', 'src001', 'src002', 'src003', 'src004']);
    expect(readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
    // Room again: the resume adds the other five, none twice.
    const r = await run(ws, { folder: dir, catalog: 'f' });
    expect(r).toMatchObject({ added: 5, skipped: 5, failed: 0 });
    expect(new Set(names(ws)).size).toBe(10);
  });
});

describe('catalog + images ingest under an existing name', () => {
  it('refuses another catalog file under a name already taken, before reading any image', async () => {
    const ws = newWorkspace();
    const repo = new Repo(ws.db);
    repo.ensureCatalog('deep', join(t.dir, 'first.csv'), 'table', null);
    const { ingestCatalogKind } = await import('./ingest-catalog');
    const ctx = {
      jobId: 1, repo, workspaceDir: ws.dir, progress() {}, cancelled: () => false, checkCancelled() {},
      params: { catalogFile: join(t.dir, 'second.csv'), images: [{ band: 'g', path: join(t.dir, 'missing.fits') }], name: 'deep', size: 16, contextSize: 0, resampling: 'bilinear' as const },
    };
    const err = await ingestCatalogKind.run(ctx).catch((e: unknown) => e);
    expect((err as InputError).code).toBe('CATALOG_EXISTS');
    expect((err as Error).message).toContain('first.csv');
    expect((err as Error).message).toContain('second.csv');
  });
});
