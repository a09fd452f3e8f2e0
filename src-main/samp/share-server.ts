// Capability URLs for SAMP peers. DS9 or TOPCAT fetch the file a SAMP message names by plain HTTP
// GET, without LensDesk's per-run token or cookie, so handing them the token would hand them the
// whole API. Instead each shared file gets its own unguessable URL on a separate loopback server:
//   http://127.0.0.1:PORT/share/<256-bit random hex>/<file name>
// which serves that one file (read-only, GET/HEAD) until it expires (default 1 h) and nothing else:
// no directory, no API, no other workspace file. The Host header is checked (DNS rebinding).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { CONTENT_TYPES } from '../api/images';
import { hardenServer, parseRequestTarget, pipeFile, totalHandler } from '../serve/http-safe';

interface Share {
  file: string;
  expires: number;
}

export class ShareServer {
  private server: Server | null = null;
  private port = 0;
  private readonly shares = new Map<string, Share>();

  constructor(
    private readonly ttlMs = 3600_000,
    private readonly maxShares = 500,
  ) {}

  private async ensure(): Promise<void> {
    if (this.server) return;
    const server = createServer(totalHandler((req, res) => {
      const deny = (status: number, text: string) => {
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        res.end(text);
      };
      const host = req.headers.host ?? '';
      if (host !== `127.0.0.1:${this.port}` && host !== `localhost:${this.port}`) return deny(421, 'wrong host');
      if (req.method !== 'GET' && req.method !== 'HEAD') return deny(405, 'method not allowed');
      const target = parseRequestTarget(req.url);
      if (!target) return deny(400, 'bad request target');
      const m = /^\/share\/([0-9a-f]{64})\/[^/]+$/.exec(target.pathname);
      const share = m ? this.lookup(m[1]!) : undefined;
      if (!share) return deny(404, 'no such share (expired or never shared)');
      let size: number;
      try {
        size = statSync(share.file).size;
      } catch {
        return deny(404, 'the shared file is gone');
      }
      const ext = share.file.split('.').pop()!.toLowerCase();
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
        'content-length': size,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      if (req.method === 'HEAD') return void res.end();
      pipeFile(share.file, res);
    }));
    hardenServer(server);
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => ok());
    });
    this.port = (server.address() as AddressInfo).port;
    server.unref();
    this.server = server;
  }

  private lookup(cap: string): Share | undefined {
    const given = Buffer.from(cap);
    for (const [k, s] of this.shares) {
      const b = Buffer.from(k);
      if (b.length === given.length && timingSafeEqual(b, given)) {
        if (s.expires < Date.now()) {
          this.shares.delete(k);
          return undefined;
        }
        return s;
      }
    }
    return undefined;
  }

  /** Returns a URL that serves `file` (an absolute path the caller has already confined) to any local client. */
  async share(file: string, name = basename(file)): Promise<string> {
    await this.ensure();
    const cap = randomBytes(32).toString('hex');
    this.shares.set(cap, { file, expires: Date.now() + this.ttlMs });
    while (this.shares.size > this.maxShares) this.shares.delete(this.shares.keys().next().value!);
    const safeName = name.replace(/[^\w.+-]/g, '_') || 'file';
    return `http://127.0.0.1:${this.port}/share/${cap}/${safeName}`;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    this.shares.clear();
    if (!s) return;
    s.closeAllConnections?.();
    await new Promise<void>((r) => s.close(() => r()));
  }
}
