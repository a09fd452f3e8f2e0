// Total request handling for LensDesk's loopback servers (browser mode, SAMP shares): every input a
// client can send — any request target, any header, a file that vanishes mid-response — ends in a
// response or a closed socket, never in an exception that takes the process down (issue #20: a
// request target of `//` made `new URL()` throw before any check).
import { createReadStream } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface RequestTarget {
  /** The path as sent (still percent-encoded), always starting with '/'. */
  pathname: string;
  query: URLSearchParams;
}

/**
 * Splits an origin-form request target (RFC 9112 §3.2.1) into path and query without the WHATWG
 * URL parser, which treats `//host` as an authority and throws on some inputs. Anything that is not
 * origin-form (absolute-form, authority-form, `*`, control characters) gives null: answer 400.
 */
export function parseRequestTarget(raw: string | undefined): RequestTarget | null {
  if (!raw || raw[0] !== '/' || raw.length > 8192) return null;
  if (/[\u0000-\u0020\u007f]/.test(raw)) return null;
  const q = raw.indexOf('?');
  const pathname = q < 0 ? raw : raw.slice(0, q);
  const search = q < 0 ? '' : raw.slice(q + 1).split('#')[0]!;
  return { pathname, query: new URLSearchParams(search) }; // URLSearchParams decodes leniently, never throws
}

/** decodeURIComponent that answers null for malformed escapes (`%E0%A4%A`) instead of throwing. */
export function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** Streams a file into a response; a read error (file removed or truncated meanwhile) ends the response, nothing else. */
export function pipeFile(file: string, res: ServerResponse): void {
  const stream = createReadStream(file);
  stream.on('error', (e) => {
    logServerError('read', e);
    if (!res.headersSent) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('the file could not be read');
    } else res.destroy();
  });
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

let logged = 0;
/** Logs a rejected request or a socket error to stderr, at most 100 times a run (a fuzzer must not fill a disk). */
export function logServerError(where: string, e: unknown): void {
  if (++logged > 100) return;
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  console.error(`[serve] ${where}: ${msg.slice(0, 300)}`);
}

/**
 * Makes a request handler total: an exception becomes a 400/500 answer (or a destroyed socket when
 * headers were already sent), and the server gets listeners for client and socket errors, plus
 * timeouts so that a slow client cannot hold a connection for ever.
 */
export function totalHandler(
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const fail = (e: unknown) => {
      logServerError(`${req.method} ${String(req.url).slice(0, 200)}`, e);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end('internal error (logged by LensDesk)');
    };
    // A client that goes away mid-request (page reload, closed tab) is normal: not logged.
    const quietly = (where: string) => (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ECONNRESET' && e.message !== 'aborted') logServerError(where, e);
    };
    req.on('error', quietly('request'));
    res.on('error', quietly('response'));
    try {
      const r = handler(req, res);
      if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch(fail);
    } catch (e) {
      fail(e);
    }
  };
}

/** Client-level errors (malformed HTTP, oversize headers, resets) close the socket with 400 where possible. */
export function hardenServer(server: Server): void {
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 100;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code !== 'ECONNRESET') logServerError('client', err);
    if (socket.writable && !(socket as Duplex & { _httpMessage?: unknown })._httpMessage) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    } else socket.destroy();
  });
}
