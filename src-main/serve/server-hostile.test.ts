// Hostile clients against the loopback servers (issue #20): each request that used to kill the
// process — a `//` target, a malformed percent escape, WebSocket protocol errors — now gets a 4xx or
// a closed socket, and a bounded protocol fuzz (random request lines, headers and frames) leaves the
// server answering. Everything talks raw TCP to 127.0.0.1 with per-connection timeouts.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src-core/rng';
import { tempDir } from '../../test/workspace-fixture';
import { Backend } from '../api/backend';
import { ShareServer } from '../samp/share-server';
import { XmlRpcServer } from '../samp/xmlrpc';
import { openWorkspace } from '../store/workspace';
import { startServer, type RunningServer } from './server';

const t = tempDir();
let srv: RunningServer;
let backend: Backend;
const shares = new ShareServer();
let shareUrl: URL;
// An error that escapes a server handler would kill a real `lensdesk serve`; here it would surface as
// an uncaught exception of the test process, so each test also asserts that none happened.
const escaped: unknown[] = [];
const onEscape = (e: unknown) => escaped.push(e);

beforeAll(async () => {
  process.on('uncaughtException', onEscape);
  const renderer = join(t.dir, 'renderer');
  mkdirSync(renderer);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>LensDesk</title>');
  const ws = openWorkspace(join(t.dir, 'ws'));
  writeFileSync(join(ws.dir, 'exports', 'ok.csv'), 'id\n1\n');
  backend = new Backend(ws, { mode: 'browser', reviewer: 'tester' });
  srv = await startServer({ backend, rendererDir: renderer, port: 0 });
  shareUrl = new URL(await shares.share(join(ws.dir, 'exports', 'ok.csv')));
});
afterEach(() => {
  expect(escaped.map(String), 'errors escaped a server handler').toEqual([]);
});
afterAll(async () => {
  process.off('uncaughtException', onEscape);
  await shares.close();
  await srv?.close();
  await backend?.close();
  t.cleanup();
});

/** Writes raw bytes to a port, returns what came back before the peer closed (or the timeout). */
function raw(port: number, chunks: (string | Buffer)[], timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let got = '';
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, timeoutMs);
    sock.on('data', (d) => (got += d.toString('latin1')));
    sock.on('error', done);
    sock.on('close', done);
    sock.on('connect', () => {
      for (const c of chunks) sock.write(c);
    });
  });
}

const status = (reply: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);

async function alive(port = srv.port): Promise<boolean> {
  const r = await raw(port, [`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`]);
  return port === srv.port ? status(r) === 200 : status(r) > 0;
}

/** Opens an authorised WebSocket by hand and sends `frame` after the handshake; returns the bytes after it. */
async function wsFrame(frame: Buffer): Promise<string> {
  const key = randomBytes(16).toString('base64');
  const handshake =
    `GET /ws?token=${srv.token} HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nOrigin: ${srv.origin}\r\n` +
    `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
  return new Promise((resolve) => {
    const sock = connect(srv.port, '127.0.0.1');
    let got = '';
    let upgraded = false;
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, 3000);
    sock.on('data', (d) => {
      got += d.toString('latin1');
      if (!upgraded && got.includes('\r\n\r\n')) {
        upgraded = true;
        expect(status(got)).toBe(101);
        sock.write(frame);
      }
    });
    sock.on('error', done);
    sock.on('close', done);
    sock.on('connect', () => sock.write(handshake));
  });
}

/** A client frame (masked unless `mask` is false) with the given first byte and payload. */
function frame(first: number, payload: Buffer, opts: { mask?: boolean; claimedLength?: bigint } = {}): Buffer {
  const mask = opts.mask ?? true;
  const len = opts.claimedLength ?? BigInt(payload.length);
  let head: Buffer;
  if (len < 126n) head = Buffer.from([first, (mask ? 0x80 : 0) | Number(len)]);
  else if (len < 65536n) head = Buffer.from([first, (mask ? 0x80 : 0) | 126, Number(len >> 8n), Number(len & 255n)]);
  else {
    head = Buffer.alloc(10);
    head[0] = first;
    head[1] = (mask ? 0x80 : 0) | 127;
    head.writeBigUInt64BE(len, 2);
  }
  if (!mask) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([head, key, body]);
}

describe('browser-mode server under hostile requests (issue #20)', () => {
  it('answers 400 to a `//` target, with or without the token, and on the upgrade path', async () => {
    for (const target of ['//', '//?token=' + srv.token, '//evil.example/x', 'http://127.0.0.1/']) {
      const r = await raw(srv.port, [`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nConnection: close\r\n\r\n`]);
      expect(status(r), target).toBeGreaterThanOrEqual(400);
      expect(status(r), target).toBeLessThan(500);
    }
    const up = await raw(srv.port, [
      `GET // HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    ]);
    expect(status(up)).toBe(400);
    expect(await alive()).toBe(true);
  });

  it('answers 400 to malformed percent escapes in the path and the image protocol', async () => {
    for (const target of ['/%E0%A4%A', `/img/file/%E0%A4%A?token=${srv.token}`, '/%', `/img/%ZZ?token=${srv.token}`]) {
      const r = await raw(srv.port, [`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nConnection: close\r\n\r\n`]);
      expect([400, 403], target).toContain(status(r));
    }
    expect(await alive()).toBe(true);
  });

  it('closes a WebSocket on protocol errors and keeps serving', async () => {
    const cases: [string, Buffer][] = [
      ['frame over 1 MiB', frame(0x82, Buffer.alloc(0), { claimedLength: 2n * 1024n * 1024n })],
      ['invalid UTF-8 text', frame(0x81, Buffer.from([0xff, 0xfe, 0xfd]))],
      ['unmasked client frame', frame(0x81, Buffer.from('hello'), { mask: false })],
      ['reserved opcode', frame(0x83, Buffer.from('x'))],
      ['2^40-byte length', frame(0x82, Buffer.alloc(0), { claimedLength: 1n << 40n })],
      ['RSV bits set', frame(0xf1, Buffer.from('x'))],
    ];
    for (const [name, f] of cases) {
      const after = await wsFrame(f);
      // The server answered the handshake, then closed (a close frame 0x88, or just the socket).
      expect(after, name).toMatch(/^HTTP\/1\.1 101/);
      expect(await alive(), `server alive after ${name}`).toBe(true);
    }
  });

  it('refuses a WebSocket from another loopback origin or without Origin, even with the token', async () => {
    const key = randomBytes(16).toString('base64');
    for (const originLine of [`Origin: http://127.0.0.1:${srv.port + 1}\r\n`, '']) {
      const r = await raw(srv.port, [
        `GET /ws?token=${srv.token} HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\n${originLine}Upgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ]);
      expect(status(r)).toBe(401);
    }
  });

  it('the SAMP share port survives `//` and malformed targets', async () => {
    const port = Number(shareUrl.port);
    for (const target of ['//', '/%E0%A4%A', '//share/x']) {
      const r = await raw(port, [`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`]);
      expect(status(r), target).toBeGreaterThanOrEqual(400);
    }
    const ok = await raw(port, [`GET ${shareUrl.pathname} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`]);
    expect(status(ok)).toBe(200);
    expect(ok).toContain('id\n1\n');
  });

  it('the SAMP XML-RPC callback port survives junk bodies, entity tricks and bad request lines', async () => {
    const rpc = new XmlRpcServer((m) => (m === 'samp.client.receiveNotification' ? () => '' : undefined));
    const url = new URL(await rpc.listen());
    const port = Number(url.port);
    try {
      const post = (body: string | Buffer) => [`POST /xmlrpc HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: text/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`, body];
      for (const chunks of [
        post('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><methodCall><methodName>&a;</methodName></methodCall>'),
        post('<methodCall><methodName>samp.client.receiveNotification</methodName><params><param><value><struct><member><name>__proto__</name><value>x</value></member></struct></value></param></params></methodCall>'),
        post(Buffer.from([0xff, 0xfe, 0x00, 0x3c])),
        post('<'.repeat(5000)),
        [`GET // HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`],
        [`POST //%E0%A4%A HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab`],
      ]) {
        const r = await raw(port, chunks, 1500);
        expect(r === '' || status(r) > 0).toBe(true);
      }
      const ok = await raw(port, post('<?xml version="1.0"?><methodCall><methodName>samp.client.receiveNotification</methodName><params></params></methodCall>'));
      expect(status(ok)).toBe(200);
    } finally {
      await rpc.close();
    }
  });

  it('protocol fuzz: random request lines, headers and frames leave the server answering', async () => {
    const rng = new Rng(2026, 20);
    const pick = <T>(xs: T[]) => xs[Math.floor(rng.uniform() * xs.length)]!;
    const junk = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rng.uniform() * 256)));
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS', 'CONNECT', 'G\u00e9T', '', 'GET GET'];
    const targets = ['//', '/', '/%', '/%00', '/img/', '/img/file/..%2f..%2f', '/ws', '*', 'http://x/', '/' + 'a'.repeat(9000), '/?token=' + srv.token, '//?//', '/\u0001'];
    const versions = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', ''];
    let sent = 0;
    for (let i = 0; i < 120; i++) {
      const kind = rng.uniform();
      const host = pick([`127.0.0.1:${srv.port}`, 'evil.example', '', `localhost:${srv.port}`]);
      const headers = [
        host ? `Host: ${host}` : '',
        pick(['', 'Upgrade: websocket', 'Connection: Upgrade', `Origin: ${srv.origin}`, 'Content-Length: -1', 'Transfer-Encoding: chunked', 'X: ' + 'y'.repeat(20000)]),
        pick(['', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Cookie: lensdesk_token=' + srv.token]),
      ].filter(Boolean);
      let chunks: (string | Buffer)[];
      if (kind < 0.6) {
        chunks = [`${pick(methods)} ${pick(targets)} ${pick(versions)}\r\n${headers.join('\r\n')}\r\n\r\n`];
      } else if (kind < 0.8) {
        chunks = [junk(1 + Math.floor(rng.uniform() * 300))];
      } else {
        const key = randomBytes(16).toString('base64');
        chunks = [
          `GET /ws?token=${srv.token} HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nOrigin: ${srv.origin}\r\nUpgrade: websocket\r\n` +
            `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
          junk(2 + Math.floor(rng.uniform() * 64)),
        ];
      }
      await raw(srv.port, chunks, 1500);
      sent++;
      if (i % 20 === 19) expect(await alive(), `after fuzz case ${i}`).toBe(true);
    }
    expect(sent).toBe(120);
    expect(await alive()).toBe(true);
  });
});
