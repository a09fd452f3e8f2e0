// LensDesk's SAMP service against the in-process test hub and a second client standing in for
// DS9/TOPCAT: the cutout and the candidate table reach the peer as capability URLs that serve the
// file with no token (and nothing else), coord.pointAt.sky carries the candidate's position, and a
// table.highlight.row from the peer selects the candidate of that row.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeStamp } from '../../src-core/stamps/format';
import { tempDir } from '../../test/workspace-fixture';
import { Repo } from '../store/repo';
import { openWorkspace, type Workspace } from '../store/workspace';
import { SampClient, type SampMap } from './client';
import { lockUrlFor } from './lockfile';
import { SampService } from './service';
import { SampTestHub } from '../../test/samp-test-hub';

function waitFor<T>(ms = 3000): { push: (v: T) => void; promise: Promise<T> } {
  let push!: (v: T) => void;
  const promise = new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`nothing arrived within ${ms} ms`)), ms);
    push = (v) => (clearTimeout(t), resolve(v));
  });
  promise.catch(() => undefined);
  return { push, promise };
}

describe('SAMP service (test hub + peer)', () => {
  const t = tempDir();
  let hub: SampTestHub;
  let peer: SampClient;
  let ws: Workspace;
  let repo: Repo;
  let svc: SampService;
  let ids: number[];
  const got: Record<string, ReturnType<typeof waitFor<SampMap>>> = {};
  const highlights: number[] = [];

  beforeAll(async () => {
    hub = await new SampTestHub(join(t.dir, 'lock')).start();
    ws = openWorkspace(join(t.dir, 'ws'));
    repo = new Repo(ws.db);
    mkdirSync(join(ws.dir, 'cutouts'), { recursive: true });
    const planes = [new Float32Array(9 * 9).fill(1), new Float32Array(81).fill(2), new Float32Array(81).fill(3)];
    writeFileSync(join(ws.dir, 'cutouts', 'a.fits'), encodeStamp({ width: 9, height: 9, bands: ['g', 'r', 'i'], planes, ra: 150.1, dec: 2.2, pixelScale: 0.2 }));
    const cat = repo.ensureCatalog('cat', '/x', 'cutouts', null);
    repo.insertSources(cat, [0, 1, 2].map((row) => ({ row, name: `J${row}`, ra: 150 + row, dec: 2 + row, cutout: { path: 'cutouts/a.fits', width: 9, height: 9, bands: ['g', 'r', 'i'] } })));
    ids = repo.db.prepare('SELECT id FROM sources ORDER BY id').pluck().all() as number[];
    // Grades make the export order known: row 2 first (A), then row 0 (B), then row 1 (ungraded).
    const rev = repo.ensureReviewer('r').id;
    repo.addLabel(rev, { sourceId: ids[2]!, grade: 3, tags: [], comment: '' });
    repo.addLabel(rev, { sourceId: ids[0]!, grade: 2, tags: [], comment: '' });
    for (const m of ['image.load.fits', 'table.load.votable', 'coord.pointAt.sky']) got[m] = waitFor<SampMap>();
    peer = await SampClient.connect({
      hub: undefined,
      env: { SAMP_HUB: lockUrlFor(join(t.dir, 'lock')) },
      metadata: { 'samp.name': 'fake-ds9' },
      handlers: Object.fromEntries(Object.keys(got).map((m) => [m, (p: SampMap) => void got[m]!.push(p)])),
    });
    svc = new SampService({
      repo,
      workspaceDir: ws.dir,
      reviewerId: () => rev,
      onStatus: () => undefined,
      onHighlight: (sourceId) => highlights.push(sourceId),
    });
  });
  afterAll(async () => {
    await svc?.close();
    await peer?.close();
    await hub?.stop();
    ws?.close();
    t.cleanup();
  });

  it('reports no hub with the lockfile path, then connects and lists the peer', async () => {
    const bad = await svc.connect(lockUrlFor(join(t.dir, 'missing-lock')));
    expect(bad.connected).toBe(false);
    expect(bad.error).toMatch(/missing-lock/);
    const s = await svc.connect(lockUrlFor(join(t.dir, 'lock')));
    expect(s.error).toBeNull();
    expect(s.connected).toBe(true);
    expect(s.clients).toEqual([{ id: peer.selfId, name: 'fake-ds9', image: true, table: true, sky: true }]);
  });

  it('image.load.fits: the peer fetches the cutout FITS without any token; other paths are refused', async () => {
    const sent = await svc.sendImage(ids[0]!, 'stamp');
    const p = await got['image.load.fits']!.promise;
    expect(p.url).toBe(sent.url);
    expect(sent.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/share\/[0-9a-f]{64}\/J0-stamp\.fits$/);
    const r = await fetch(String(p.url));
    expect(r.status).toBe(200);
    const bytes = new Uint8Array(await r.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 30))).toMatch(/^SIMPLE\s+=\s+T/);
    const base = new URL(String(p.url));
    expect((await fetch(`${base.origin}/share/${'0'.repeat(64)}/x.fits`)).status).toBe(404);
    expect((await fetch(`${base.origin}/share/../lensdesk.sqlite`)).status).toBe(404);
    expect((await fetch(`${base.origin}/`)).status).toBe(404);
    await expect(svc.sendImage(ids[0]!, 'context')).rejects.toThrow(/no context cutout/);
  });

  it('coord.pointAt.sky carries the candidate position (degrees, as strings)', async () => {
    await svc.pointAt(ids[1]!);
    expect(await got['coord.pointAt.sky']!.promise).toEqual({ ra: '151', dec: '3' });
  });

  it('table.load.votable, then table.highlight.row from the peer selects that candidate', async () => {
    const sent = await svc.sendTable({});
    expect(sent.rows).toBe(3);
    const p = await got['table.load.votable']!.promise;
    const vot = await (await fetch(String(p.url))).text();
    expect(vot).toContain('<VOTABLE');
    // Row order in the table: J2 (A), J0 (B), J1: highlight row 1 → J0.
    expect(vot.indexOf('<TD>J2</TD>')).toBeLessThan(vot.indexOf('<TD>J0</TD>'));
    await peer.notify(svc['client']!.selfId, 'table.highlight.row', { 'table-id': String(p['table-id']), url: String(p.url), row: '1' });
    for (let i = 0; i < 100 && !highlights.length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(highlights).toEqual([ids[0]]);
  });

  it('disconnect unregisters; sending then says to connect first', async () => {
    const s = await svc.disconnect();
    expect(s.connected).toBe(false);
    await expect(svc.pointAt(ids[0]!)).rejects.toThrow(/connect first/);
  });
});
