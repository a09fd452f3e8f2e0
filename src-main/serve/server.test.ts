// Browser-mode server: loopback only, per-run token on every request, Host and Origin checks,
// typed errors over the WebSocket, and an image protocol that refuses paths outside the workspace.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Backend } from '../api/backend';
import { openWorkspace } from '../store/workspace';
import { tempDir } from '../../test/workspace-fixture';
import { startServer, type RunningServer } from './server';

const t = tempDir();
let srv: RunningServer;
let backend: Backend;

beforeAll(async () => {
  const renderer = join(t.dir, 'renderer');
  mkdirSync(renderer);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>LensDesk</title>');
  writeFileSync(join(t.dir, 'secret.txt'), 'outside the workspace');
  const ws = openWorkspace(join(t.dir, 'ws'));
  writeFileSync(join(ws.dir, 'exports', 'ok.csv'), 'id\n1\n');
  symlinkSync(join(t.dir, 'secret.txt'), join(ws.dir, 'exports', 'link.csv'));
  backend = new Backend(ws, { mode: 'browser', reviewer: 'tester' });
  srv = await startServer({ backend, rendererDir: renderer, port: 0 });
});
afterAll(async () => {
  await srv?.close();
  await backend?.close();
  t.cleanup();
});

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv.port, path, headers: { host: `127.0.0.1:${srv.port}`, ...headers }, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('browser-mode server', () => {
  it('listens on 127.0.0.1 only', () => {
    const addr = srv.server.address();
    expect(typeof addr === 'object' && addr?.address).toBe('127.0.0.1');
    expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
  });

  it('requires the token (query or Bearer), sets no cookie, and sends a strict CSP', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=wrong')).status).toBe(401);
    const ok = await get(`/?token=${srv.token}`);
    expect(ok.status).toBe(200);
    // A cookie would reach every other service on 127.0.0.1 (cookies ignore the port): none is set,
    // and one sent by the browser is not a credential.
    expect(ok.headers['set-cookie']).toBeUndefined();
    expect(String(ok.headers['content-security-policy'])).toContain("script-src 'self'");
    expect((await get('/', { cookie: `lensdesk_token=${srv.token}` })).status).toBe(401);
    expect((await get('/', { authorization: `Bearer ${srv.token}` })).status).toBe(200);
    expect((await get('/img/file/exports/ok.csv', { cookie: `lensdesk_token=${srv.token}` })).status).toBe(401);
  });

  it('rejects a foreign Host header (DNS rebinding)', async () => {
    expect((await get(`/?token=${srv.token}`, { host: 'evil.example:80' })).status).toBe(421);
  });

  it('serves workspace files and refuses traversal and symlinks out of the workspace', async () => {
    const c = { authorization: `Bearer ${srv.token}` };
    expect((await get('/img/file/exports/ok.csv', c)).body).toBe('id\n1\n');
    for (const p of ['/img/file/..%2F..%2Fsecret.txt', '/img/file/%2Fetc%2Fpasswd', '/img/file/exports/link.csv', '/img/..%2f..%2fsecret.txt']) {
      const r = await get(p, c);
      expect(r.status, p).toBe(403);
      expect(r.body).not.toContain('outside the workspace\n');
    }
    expect((await get('/img/cutout/999', c)).status).toBe(404);
    // Inside the workspace but not served: the database, its WAL, anything outside exports/ and cutouts/.
    for (const p of ['/img/file/lensdesk.sqlite', '/img/file/lensdesk.sqlite-wal', '/img/file/models/x', '/img/file/exports/..%2flensdesk.sqlite']) {
      expect((await get(p, c)).status, p).toBe(403);
    }
  });

  it('WebSocket: refuses connections without the token; malformed requests get typed errors naming the field', async () => {
    await expect(
      new Promise((resolve, reject) => {
        const w = new WebSocket(`ws://127.0.0.1:${srv.port}/ws`);
        w.on('open', () => resolve('open'));
        w.on('error', reject);
      }),
    ).rejects.toThrow(/401/);

    // The token without our page's Origin (another local page, or a missing Origin) is refused too.
    for (const origin of ['http://127.0.0.1:1', 'null', undefined]) {
      await expect(
        new Promise((resolve, reject) => {
          const w = new WebSocket(`ws://127.0.0.1:${srv.port}/ws?token=${srv.token}`, { origin });
          w.on('open', () => resolve('open'));
          w.on('error', reject);
        }),
      ).rejects.toThrow(/401/);
    }
    const w = new WebSocket(`ws://127.0.0.1:${srv.port}/ws?token=${srv.token}`, { origin: srv.origin });
    await new Promise((r) => w.on('open', r));
    const call = (msg: unknown) =>
      new Promise<Record<string, any>>((resolve) => {
        w.once('message', (d) => resolve(JSON.parse(String(d))));
        w.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
      });
    expect((await call('not json')).error.code).toBe('BAD_FRAME');
    const bad = await call({ id: 1, method: 'labels.add', params: { sourceId: 1, grade: 9 } });
    expect(bad.error).toMatchObject({ name: 'InputError', code: 'INVALID_PARAMS', details: { field: 'grade' } });
    const unknown = await call({ id: 2, method: 'fs.read', params: {} });
    expect(unknown.error.code).toBe('UNKNOWN_METHOD');
    const missing = await call({ id: 3, method: 'candidate.get', params: { sourceId: 12345 } });
    expect(missing.error).toMatchObject({ name: 'NotFoundError', code: 'NO_SOURCE' });
    const info = await call({ id: 4, method: 'session.info', params: {} });
    expect(info.result.reviewer.name).toBe('tester');
    w.close();
  });
});
