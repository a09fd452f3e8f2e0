// SAMP end to end on loopback: an in-process hub (test/samp-test-hub.ts), LensDesk's client and a second
// client standing in for TOPCAT/ds9. Proves a message from our client reaches the other client,
// a call gets its response, and a table.highlight.row from the other client reaches us.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SampClient, type SampMap } from './client';
import { lockfilePath, lockUrlFor, parseLockfile, readHubInfo } from './lockfile';
import { SampTestHub, mtypeMatches } from '../../test/samp-test-hub';
import { decodeCall, decodeResponse, encodeCall, encodeFault, encodeResponse, isLoopbackUrl, xmlRpcCall, XmlRpcFault } from './xmlrpc';

/** Resolves with the first value pushed, or rejects after ms (no test can hang). */
function waitFor<T>(ms = 3000): { push: (v: T) => void; promise: Promise<T> } {
  let push!: (v: T) => void;
  const promise = new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`nothing arrived within ${ms} ms`)), ms);
    push = (v) => {
      clearTimeout(t);
      resolve(v);
    };
  });
  promise.catch(() => undefined); // a waiter that is replaced unused must not become an unhandled rejection
  return { push, promise };
}

describe('XML-RPC encoding', () => {
  it('round-trips SAMP values with XML escaping', () => {
    const params = ['a<&>"\'b', { 'samp.mtype': 'x', 'samp.params': { url: 'file:///t?a=1&b=2', list: ['1', '2'] } }, 3, 2.5, true];
    expect(decodeCall(encodeCall('m.n', params))).toEqual({ method: 'm.n', params });
    expect(decodeResponse(encodeResponse({ k: ['v'] }))).toEqual({ k: ['v'] });
    expect(() => decodeResponse(encodeFault(7, 'no'))).toThrow(XmlRpcFault);
    expect(decodeCall('<methodCall><methodName>x</methodName><params><param><value>plain</value></param></params></methodCall>').params).toEqual(['plain']);
  });
  it('refuses non-loopback endpoints and DOCTYPEs', async () => {
    expect(isLoopbackUrl('http://127.0.0.1:1234/x')).toBe(true);
    expect(isLoopbackUrl('http://example.org/x')).toBe(false);
    await expect(xmlRpcCall('http://10.1.2.3:80/', 'x', [])).rejects.toThrow(/only http:\/\/127\.0\.0\.1/);
    expect(() => decodeCall('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><methodCall/>')).toThrow(/DOCTYPE/);
  });
  it('MType wildcards', () => {
    expect(mtypeMatches('table.*', 'table.load.votable')).toBe(true);
    expect(mtypeMatches('table.*', 'image.load.fits')).toBe(false);
    expect(mtypeMatches('*', 'coord.pointAt.sky')).toBe(true);
  });
});

describe('lockfile discovery', () => {
  it('parses key=value lines and comments; SAMP_HUB std-lockurl overrides ~/.samp', () => {
    const info = parseLockfile('# comment\nsamp.secret=abc\nsamp.hub.xmlrpc.url=http://127.0.0.1:1/x\nsamp.profile.version=1.3\njunk line\n');
    expect(info).toMatchObject({ secret: 'abc', xmlrpcUrl: 'http://127.0.0.1:1/x', profileVersion: '1.3' });
    expect(lockfilePath({}, '/home/u')).toBe('/home/u/.samp');
    expect(lockfilePath({ SAMP_HUB: 'std-lockurl:file:///tmp/x/lock' }, '/home/u')).toBe('/tmp/x/lock');
    expect(() => lockfilePath({ SAMP_HUB: 'std-lockurl:http://h/lock' })).toThrow(/not a file: URL/);
    expect(() => parseLockfile('samp.secret=x\n', 'f')).toThrow(/f: no samp.hub.xmlrpc.url/);
    expect(() => readHubInfo({}, '/nonexistent-home')).toThrow(/no SAMP hub/);
  });
});

describe('SAMP hub + two clients on loopback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lensdesk-samp-'));
  const lock = join(dir, 'lockfile');
  const env = { SAMP_HUB: lockUrlFor(lock) };
  const hub = new SampTestHub(lock, 3000);
  let ours: SampClient;
  let topcat: SampClient;
  const received: Array<[string, SampMap, string]> = [];
  let arrived = waitFor<void>();

  beforeAll(async () => {
    await hub.start();
    ours = await SampClient.connect({ env, timeoutMs: 3000 });
    topcat = await SampClient.connect({
      env,
      timeoutMs: 3000,
      metadata: { 'samp.name': 'topcat-standin' },
      handlers: {
        'table.load.votable': (p, s) => void (received.push(['table.load.votable', p, s]), arrived.push()),
        'table.load.fits': (p, s) => void (received.push(['table.load.fits', p, s]), arrived.push()),
        'image.load.fits': (p, s) => void (received.push(['image.load.fits', p, s]), arrived.push()),
        'coord.pointAt.sky': (p) => ({ echoed: `${String(p.ra)},${String(p.dec)}` }),
      },
    });
  });
  afterAll(async () => {
    await ours?.close();
    await topcat?.close();
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the lockfile is private (0600) and found through SAMP_HUB', () => {
    expect(statSync(lock).mode & 0o777).toBe(0o600);
    expect(readFileSync(lock, 'utf8')).toContain('samp.hub.xmlrpc.url=http://127.0.0.1:');
    expect(readHubInfo(env).secret).toBe(hub.secret);
  });
  it('registration, metadata and subscriptions are visible to the other client', async () => {
    expect(await topcat.getRegisteredClients()).toContain(ours.selfId);
    expect((await topcat.getMetadata(ours.selfId))['samp.name']).toBe('LensDesk');
    expect(await ours.getSubscribedClients('table.load.votable')).toEqual([topcat.selfId]);
  });
  it('table.load.votable from LensDesk reaches the other client with its params', async () => {
    arrived = waitFor<void>();
    const recipients = await ours.loadVoTable('file:///tmp/cands.vot', { tableId: 'lensdesk-1', name: 'candidates' });
    expect(recipients).toEqual([topcat.selfId]);
    await arrived.promise;
    expect(received.at(-1)).toEqual(['table.load.votable', { url: 'file:///tmp/cands.vot', 'table-id': 'lensdesk-1', name: 'candidates' }, ours.selfId]);
  });
  it('image.load.fits and table.load.fits by direct notify', async () => {
    arrived = waitFor<void>();
    await ours.loadFitsImage('file:///tmp/stamp.fits', { name: 'J0012', to: topcat.selfId });
    await arrived.promise;
    expect(received.at(-1)?.slice(0, 2)).toEqual(['image.load.fits', { url: 'file:///tmp/stamp.fits', name: 'J0012' }]);
    arrived = waitFor<void>();
    await ours.loadFitsTable('file:///tmp/c.fits', { to: topcat.selfId });
    await arrived.promise;
    expect(received.at(-1)?.[0]).toBe('table.load.fits');
  });
  it('coord.pointAt.sky as a call gets the response back (call/reply/receiveResponse)', async () => {
    const r = await ours.call(topcat.selfId, 'coord.pointAt.sky', { ra: '150.1', dec: '-2.2' }, 3000);
    expect(r['samp.status']).toBe('samp.ok');
    expect(r['samp.result']).toEqual({ echoed: '150.1,-2.2' });
  });
  it('a call to an unsubscribed MType is refused by the hub', async () => {
    await expect(ours.call(topcat.selfId, 'spectrum.load.ssa-generic', {}, 1000)).rejects.toThrow(/not subscribed/);
  });
  it('table.highlight.row from the other client reaches LensDesk', async () => {
    const got = waitFor<{ tableId: string; row: number; sender: string }>();
    await ours.onHighlightRow((r) => got.push(r));
    await topcat.notify(ours.selfId, 'table.highlight.row', { 'table-id': 'lensdesk-1', url: 'file:///tmp/cands.vot', row: '42' });
    expect(await got.promise).toMatchObject({ tableId: 'lensdesk-1', row: 42, sender: topcat.selfId });
  });
  it('table.select.rowList from the other client reaches LensDesk as 0-based rows', async () => {
    const got = waitFor<{ rows: number[] }>();
    await ours.onSelectRowList((s) => got.push(s));
    await topcat.notify(ours.selfId, 'table.select.rowList', { 'table-id': 'lensdesk-1', url: 'file:///tmp/cands.vot', 'row-list': ['3', '7', '11'] });
    expect((await got.promise).rows).toEqual([3, 7, 11]);
  });
  it('samp.app.ping is answered', async () => {
    const r = await topcat.call(ours.selfId, 'samp.app.ping', {}, 2000);
    expect(r['samp.status']).toBe('samp.ok');
  });
});

describe('XML-RPC decoding of hostile or sloppy input', () => {
  it('a struct member named __proto__ stays data and does not replace the prototype', () => {
    const v = decodeResponse('<methodResponse><params><param><value><struct><member><name>__proto__</name><value><struct><member><name>polluted</name><value>yes</value></member></struct></value></member></struct></value></param></params></methodResponse>') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('malformed responses are typed errors, not TypeErrors', () => {
    expect(() => decodeResponse('<methodResponse><fault></fault></methodResponse>')).toThrow(/<fault> without a <value>/);
    expect(() => decodeResponse('<methodResponse><fault><value><string>x</string></value></fault></methodResponse>')).toThrow(/not a struct/);
    expect(() => decodeResponse('<methodResponse></methodResponse>')).toThrow(/response without a value/);
    expect(() => decodeCall('<methodCall><methodName>a & b</methodName></methodCall>')).toThrow(/'&' must start a reference/);
    expect(() => decodeCall('<!DOCTYPE lolz [<!ENTITY lol "lol">]><methodCall/>')).toThrow(/DOCTYPE/);
  });
  it('accepts what Python xmlrpc.client (astropy, TOPCAT-era peers) writes: single-quoted declaration, whitespace between elements', () => {
    const py = "<?xml version='1.0'?>\n<methodCall>\n<methodName>samp.client.receiveNotification</methodName>\n<params>\n<param>\n<value><string>k</string></value>\n</param>\n<param>\n<value><struct>\n<member>\n<name>samp.mtype</name>\n<value><string>x.y</string></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodCall>\n";
    expect(decodeCall(py)).toEqual({ method: 'samp.client.receiveNotification', params: ['k', { 'samp.mtype': 'x.y' }] });
  });
});
