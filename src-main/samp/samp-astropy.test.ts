// LensDesk's SAMP client against an independent implementation: astropy's SAMPHubServer and
// SAMPIntegratedClient (test/samp-astropy-peer.py) in a child process on loopback, lockfile in a
// temporary folder given through SAMP_HUB. LensDesk registers, sends a VOTable and a FITS image by
// capability URL (share-server.ts), and points at a position by call; the astropy client must
// receive each MType, fetch and parse the URL, answer the call, and send table.highlight.row back.
// Skipped with the reason when astropy is absent. Every wait has a timeout; the child is killed on exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STANDARD_COLUMNS } from '../../src-core/catalog/columns';
import { exportVoTable } from '../../src-core/catalog/export-votable';
import { writeFits } from '../../src-core/fits/writer';
import { ASTROPY_PYTHON, ASTROPY_SKIP_REASON } from '../../test/astropy';
import { PROJECT_ROOT } from '../../test/shared';
import { SampClient } from './client';
import { lockUrlFor, readHubInfo } from './lockfile';
import { ShareServer } from './share-server';

type PeerEvent = { event: string; [k: string]: unknown };

/** The child's JSON lines, with a waiter for the next event matching a predicate. */
class Peer {
  readonly events: PeerEvent[] = [];
  private waiters: Array<{ match: (e: PeerEvent) => boolean; done: (e: PeerEvent) => void }> = [];
  stderr = '';
  constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      let e: PeerEvent;
      try {
        e = JSON.parse(l) as PeerEvent;
      } catch {
        return;
      }
      this.events.push(e);
      this.waiters = this.waiters.filter((w) => (w.match(e) ? (w.done(e), false) : true));
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }
  next(match: (e: PeerEvent) => boolean, ms = 20_000): Promise<PeerEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`astropy peer: nothing matching within ${ms} ms; stderr:\n${this.stderr.slice(-2000)}`)), ms);
      this.waiters.push({ match, done: (e) => (clearTimeout(t), resolve(e)) });
    });
  }
}

describe.skipIf(!ASTROPY_PYTHON)(`SAMP against astropy's hub and client (${ASTROPY_PYTHON ? ASTROPY_PYTHON : ASTROPY_SKIP_REASON})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lensdesk-samp-astropy-'));
  const lock = join(dir, 'samp-lock');
  const env = { SAMP_HUB: lockUrlFor(lock) };
  const shares = new ShareServer();
  let peer: Peer;
  let peerId = '';
  let ours: SampClient | undefined;
  const highlights: Array<{ tableId: string; url: string; row: number; sender: string }> = [];

  beforeAll(async () => {
    const child = spawn(ASTROPY_PYTHON!, [join(PROJECT_ROOT, 'test', 'samp-astropy-peer.py'), lock, '90'], { stdio: ['pipe', 'pipe', 'pipe'] });
    peer = new Peer(child);
    const ready = await peer.next((e) => e.event === 'ready', 30_000);
    peerId = String(ready.id);
    ours = await SampClient.connect({ env, timeoutMs: 5000 });
    await ours.onHighlightRow((h) => highlights.push(h));
  }, 40_000);

  afterAll(async () => {
    await ours?.close().catch(() => undefined);
    await shares.close();
    if (peer && peer.child.exitCode === null) {
      peer.child.stdin!.end(); // asks the peer to unregister and stop the hub
      await Promise.race([new Promise((r) => peer.child.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
      if (peer.child.exitCode === null) peer.child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }, 15_000);

  it("reads astropy's lockfile and registers with its hub", async () => {
    const info = readHubInfo(env);
    expect(info.xmlrpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    expect(ours!.selfId).not.toBe('');
    const clients = await ours!.getRegisteredClients();
    expect(clients).toContain(peerId);
    expect((await ours!.getMetadata(peerId))['samp.name']).toBe('astropy-peer');
    expect(await ours!.getSubscribedClients('table.load.votable')).toContain(peerId);
  });

  it('table.load.votable reaches the astropy client, which fetches and parses the table and highlights a row back', async () => {
    const file = join(dir, 'cands.vot');
    const rows = [0, 1, 2].map((i) => ({ id: `J${i}`, ra: 150 + i / 10, dec: 2.2 - i / 10 }));
    writeFileSync(file, exportVoTable([STANDARD_COLUMNS.id, STANDARD_COLUMNS.ra, STANDARD_COLUMNS.dec], rows, { date: '2026-12-07T00:00:00Z' }));
    const url = await shares.share(file, 'cands.vot');
    const recipients = await ours!.loadVoTable(url, { tableId: 'lensdesk-t1', name: 'candidates' });
    expect(recipients).toContain(peerId);
    const got = await peer.next((e) => e.event === 'received' && e.mtype === 'table.load.votable');
    expect(got).toMatchObject({ sender: ours!.selfId, readable: true, nrows: 3, fields: ['id', 'ra', 'dec'], params: { url, 'table-id': 'lensdesk-t1', name: 'candidates' } });
    expect(got.content_type).toBe('application/x-votable+xml');
    const refs = got.refs as Array<string | null>;
    expect(refs[0]).toBeNull();
    expect(refs[1]).toBeTruthy(); // RA and Dec reference the COOSYS
    // astropy's client answered like a TOPCAT user clicking row 1.
    for (let t = 0; t < 100 && highlights.length === 0; t++) await new Promise((r) => setTimeout(r, 100));
    expect(highlights[0]).toEqual({ tableId: 'lensdesk-t1', url, row: 1, sender: peerId });
  }, 30_000);

  it('image.load.fits by direct notify: the URL serves a FITS image astropy opens', async () => {
    const data = Float32Array.from({ length: 20 }, (_, i) => i);
    const file = join(dir, 'stamp.fits');
    writeFileSync(file, writeFits([{ kind: 'image', shape: [5, 4], data }]));
    const url = await shares.share(file, 'stamp.fits');
    await ours!.loadFitsImage(url, { name: 'J0', imageId: 'stamp-0', to: peerId });
    const got = await peer.next((e) => e.event === 'received' && e.mtype === 'image.load.fits');
    expect(got).toMatchObject({ sender: ours!.selfId, readable: true, shape: [5, 4], sum: 190, params: { url, name: 'J0', 'image-id': 'stamp-0' } });
  }, 30_000);

  it('coord.pointAt.sky as a call: astropy replies and the response comes back', async () => {
    const r = await ours!.call(peerId, 'coord.pointAt.sky', { ra: '150.1', dec: '-2.2' }, 10_000);
    expect(r['samp.status']).toBe('samp.ok');
    expect(r['samp.result']).toEqual({ echoed: '150.1,-2.2' });
    expect(await peer.next((e) => e.event === 'call')).toMatchObject({ mtype: 'coord.pointAt.sky', params: { ra: '150.1', dec: '-2.2' }, sender: ours!.selfId });
  }, 20_000);

  it('unregisters cleanly: the hub no longer lists LensDesk', async () => {
    const id = ours!.selfId;
    await ours!.close();
    ours = undefined;
    const probe = await SampClient.connect({ env, timeoutMs: 5000 });
    try {
      expect(await probe.getRegisteredClients()).not.toContain(id);
    } finally {
      await probe.close();
    }
  }, 20_000);
});
