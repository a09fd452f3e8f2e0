// Browser mode: the same backend serves the built renderer on 127.0.0.1 (never another interface).
// Credential: a per-run token, sent as `?token=` (the URL printed at start, the page's own requests)
// or `Authorization: Bearer`. No cookie: cookies are not scoped by port, so a cookie would reach
// every other service on 127.0.0.1 and hand it the API (issue #20). The page reads the token from its
// own URL, which the same-origin policy keeps from other origins, ports included. The renderer's
// static files (scripts, styles) are public build output and need no token; index.html, the image
// protocol and the WebSocket do. A Host check stops DNS rebinding; the WebSocket also requires our
// exact Origin. Every handler is total (./http-safe.ts): malformed input gets a 4xx or a closed socket.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RpcEvent, RpcRequest, RpcResponse } from '../../src-core/api/contract';
import { LensDeskError, serializeError } from '../../src-core/errors';
import type { Backend } from '../api/backend';
import { resolveImagePath } from '../api/images';
import { contentSecurityPolicy } from './csp';
import { hardenServer, logServerError, parseRequestTarget, pipeFile, safeDecode, totalHandler } from './http-safe';

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

/** The token a request carries: `?token=` or `Authorization: Bearer <token>` (never a cookie). */
function requestToken(req: IncomingMessage, query: URLSearchParams): string | null {
  const q = query.get('token');
  if (q) return q;
  const m = /^Bearer ([0-9a-f]{16,128})$/.exec(req.headers.authorization ?? '');
  return m ? m[1]! : null;
}

const MAX_WS_CONNECTIONS = 32;
const NEEDS_TOKEN = 'LensDesk: this page needs the per-run token. Open the URL printed by `lensdesk serve` / `npm start`.';

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

  const server = createServer(
    totalHandler((req, res) => {
      if (!hostOk(req)) return send(res, 421, 'wrong host');
      const target = parseRequestTarget(req.url);
      if (!target) return send(res, 400, 'bad request target');
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
      const pathname = safeDecode(target.pathname);
      if (pathname === null || pathname.includes('\0')) return send(res, 400, 'malformed percent-encoding in the path');
      if (pathname === '/healthz') return send(res, 200, 'ok');
      const authorised = tokenOk(expected, requestToken(req, target.query));

      if (target.pathname.startsWith('/img/')) {
        if (!authorised) return send(res, 401, NEEDS_TOKEN);
        let file: string;
        let contentType: string;
        try {
          ({ file, contentType } = resolveImagePath(opts.backend.ws.dir, opts.backend.repo, target.pathname.slice(5)));
        } catch (e) {
          const err = serializeError(e);
          return send(res, err.code === 'PATH_OUTSIDE_WORKSPACE' || err.code === 'BAD_IMAGE_PATH' ? 403 : 404, `${err.code}: ${err.message}`);
        }
        res.writeHead(200, {
          'content-type': contentType,
          'content-length': statSync(file).size,
          'cache-control': 'private, no-store',
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
        });
        if (req.method === 'HEAD') return void res.end();
        return pipeFile(file, res);
      }

      // Static renderer files. index.html needs the token (a clear message for a bare URL);
      // the bundle's scripts and styles are public build output.
      const isIndex = pathname === '/' || pathname === '/index.html';
      if (isIndex && !authorised) return send(res, 401, NEEDS_TOKEN);
      const rel = isIndex ? 'index.html' : normalize(pathname).replace(/^([/\\])+/, '');
      const file = resolve(rendererRoot, rel);
      if (!file.startsWith(rendererRoot + sep) || !existsSync(file) || !statSync(file).isFile()) {
        return send(res, 404, 'not found');
      }
      res.writeHead(200, {
        'content-type': STATIC_TYPES[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': csp,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': isIndex ? 'no-store' : 'public, max-age=3600',
      });
      if (req.method === 'HEAD') return void res.end();
      pipeFile(file, res);
    }),
  );
  hardenServer(server);

  // maxPayload: a larger frame closes that socket with 1009; ws reports it as an 'error' on the
  // socket, which must have a listener (else the process dies: issue #20).
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', (e: NodeJS.ErrnoException) => e.code !== 'ECONNRESET' && logServerError('upgrade socket', e));
    const refuse = (status: string) => {
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    try {
      const target = parseRequestTarget(req.url);
      // A browser always sends Origin on a WebSocket handshake; a missing one is a non-browser client
      // that must still present the token, but a page of another origin (another port) never passes.
      const origin = req.headers.origin;
      const okOrigin = origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
      if (!target || target.pathname !== '/ws' || !hostOk(req)) return refuse('400 Bad Request');
      if (!okOrigin || !tokenOk(expected, requestToken(req, target.query))) return refuse('401 Unauthorized');
      if (sockets.size >= MAX_WS_CONNECTIONS) return refuse('503 Service Unavailable');
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    } catch (e) {
      logServerError('upgrade', e);
      refuse('400 Bad Request');
    }
  });

  const onEvent = (event: string, data: unknown) => {
    const msg = JSON.stringify({ event, data } as RpcEvent);
    for (const s of sockets) if (s.readyState === s.OPEN) s.send(msg);
  };
  opts.backend.on('event', onEvent);

  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    // Protocol errors (oversize frame, invalid UTF-8, unmasked frame, bad opcode) close this socket only.
    ws.on('error', (e) => {
      logServerError('websocket', e);
      ws.terminate();
    });
    const reply = (text: string) => {
      if (ws.readyState === ws.OPEN) ws.send(text, (e) => e && logServerError('websocket send', e));
    };
    ws.on('message', (raw) => void answer(raw).catch((e) => logServerError('websocket message', e)));
    const answer = async (raw: unknown) => {
      let req: RpcRequest;
      try {
        req = JSON.parse(String(raw));
        if (typeof req !== 'object' || req === null || !Number.isSafeInteger(req.id) || typeof req.method !== 'string') throw new Error('bad frame');
      } catch {
        reply(JSON.stringify({ id: -1, error: { name: 'InputError', code: 'BAD_FRAME', message: 'request is not a JSON {id, method, params} object' } }));
        return;
      }
      let resp: RpcResponse;
      try {
        resp = { id: req.id, result: await opts.backend.call(req.method, req.params) };
      } catch (e) {
        if (!(e instanceof LensDeskError)) console.error(`[api] ${req.method} failed:`, e);
        resp = { id: req.id, error: serializeError(e) };
      }
      let text: string;
      try {
        text = JSON.stringify(resp);
      } catch (e) {
        text = JSON.stringify({ id: req.id, error: serializeError(e) });
      }
      reply(text);
    };
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
