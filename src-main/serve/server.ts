// Browser mode: the same backend serves the built renderer on 127.0.0.1 (never another interface),
// with a per-run token required on every request (query `token=` once, then an HttpOnly cookie),
// a Host-header check against DNS rebinding and an Origin check on the WebSocket.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RpcEvent, RpcRequest, RpcResponse } from '../../src-core/api/contract';
import { LensDeskError, serializeError } from '../../src-core/errors';
import type { Backend } from '../api/backend';
import { resolveImagePath } from '../api/images';
import { contentSecurityPolicy } from './csp';

export interface ServeOptions {
  backend: Backend;
  rendererDir: string;
  port?: number; // 0 = random
  token?: string;
}

export interface RunningServer {
  url: string; // with token
  origin: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

function tokenOk(expected: Buffer, given: string | null | undefined): boolean {
  if (!given) return false;
  const b = Buffer.from(given);
  return b.length === expected.length && timingSafeEqual(b, expected);
}

function cookieToken(req: IncomingMessage): string | null {
  const c = req.headers.cookie ?? '';
  const m = /(?:^|;\s*)lensdesk_token=([0-9a-f]+)/.exec(c);
  return m ? m[1]! : null;
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(24).toString('hex');
  const expected = Buffer.from(token);
  const csp = contentSecurityPolicy('browser');
  const rendererRoot = resolve(opts.rendererDir);
  let port = 0;

  const hostOk = (req: IncomingMessage) => {
    const h = req.headers.host ?? '';
    return h === `127.0.0.1:${port}` || h === `localhost:${port}`;
  };

  const send = (res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8') => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(body);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!hostOk(req)) return send(res, 421, 'wrong host');
    if (url.pathname === '/healthz') return send(res, 200, 'ok');
    const qtoken = url.searchParams.get('token');
    if (!tokenOk(expected, qtoken) && !tokenOk(expected, cookieToken(req))) {
      return send(res, 401, 'LensDesk: this page needs the per-run token. Open the URL printed by `lensdesk serve` / `npm start`.');
    }
    if (qtoken) res.setHeader('set-cookie', `lensdesk_token=${token}; HttpOnly; SameSite=Strict; Path=/`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');

    if (url.pathname.startsWith('/img/')) {
      try {
        const { file, contentType } = resolveImagePath(opts.backend.ws.dir, opts.backend.repo, url.pathname.slice(5));
        res.writeHead(200, {
          'content-type': contentType,
          'content-length': statSync(file).size,
          'cache-control': 'private, max-age=60',
          'x-content-type-options': 'nosniff',
        });
        createReadStream(file).pipe(res);
      } catch (e) {
        const err = serializeError(e);
        send(res, err.code === 'PATH_OUTSIDE_WORKSPACE' || err.code === 'BAD_IMAGE_PATH' ? 403 : 404, `${err.code}: ${err.message}`);
      }
      return;
    }

    // Static renderer files.
    const rel = url.pathname === '/' ? 'index.html' : normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
    const file = resolve(rendererRoot, rel);
    if (!file.startsWith(rendererRoot + sep) || !existsSync(file) || !statSync(file).isFile()) {
      return send(res, 404, 'not found');
    }
    res.writeHead(200, {
      'content-type': STATIC_TYPES[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': rel === 'index.html' ? 'no-store' : 'public, max-age=3600',
    });
    createReadStream(file).pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = req.headers.origin;
    const okOrigin = !origin || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    const okToken = tokenOk(expected, url.searchParams.get('token')) || tokenOk(expected, cookieToken(req));
    if (url.pathname !== '/ws' || !hostOk(req) || !okOrigin || !okToken) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const onEvent = (event: string, data: unknown) => {
    const msg = JSON.stringify({ event, data } as RpcEvent);
    for (const s of sockets) if (s.readyState === s.OPEN) s.send(msg);
  };
  opts.backend.on('event', onEvent);

  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', async (raw) => {
      let req: RpcRequest;
      try {
        req = JSON.parse(String(raw));
        if (typeof req !== 'object' || req === null || typeof req.id !== 'number') throw new Error('bad frame');
      } catch {
        ws.send(JSON.stringify({ id: -1, error: { name: 'InputError', code: 'BAD_FRAME', message: 'request is not a JSON {id, method, params} object' } }));
        return;
      }
      let resp: RpcResponse;
      try {
        resp = { id: req.id, result: await opts.backend.call(req.method, req.params) };
      } catch (e) {
        if (!(e instanceof LensDeskError)) console.error(`[api] ${req.method} failed:`, e);
        resp = { id: req.id, error: serializeError(e) };
      }
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(resp));
    });
  });

  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(opts.port ?? 0, '127.0.0.1', () => res());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    server,
    close: async () => {
      opts.backend.off('event', onEvent);
      for (const s of sockets) s.terminate();
      wss.close();
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export const indexHtmlExists = (dir: string) => existsSync(join(dir, 'index.html'));
