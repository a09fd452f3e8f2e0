// A local stand-in for the GPU download hosts (storage.googleapis.com and api.nuget.org), for the
// `lensdesk setup gpu` tests: node http on 127.0.0.1 (random port), small fake archives laid out at
// the same paths as upstream, a log of every request, and copies of the real packages in a temp
// dir so the real node_modules is never touched.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { zipSync } from 'fflate';

export interface Route {
  status?: number;
  body: Buffer | string;
  type?: string;
}

export interface Mirror {
  url: string;
  routes: Map<string, Route>;
  requests: { method: string; path: string }[];
  close(): Promise<void>;
}

export async function startMirror(): Promise<Mirror> {
  const routes = new Map<string, Route>();
  const requests: { method: string; path: string }[] = [];
  let base = '';
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    requests.push({ method: req.method ?? 'GET', path });
    const r = routes.get(path);
    if (!r) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    const body = typeof r.body === 'string' ? Buffer.from(r.body.replaceAll('{BASE}', base)) : r.body;
    res.writeHead(r.status ?? 200, { 'content-type': r.type ?? 'application/octet-stream', 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    routes,
    requests,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

/** A .tar.gz made by the system tar from `files` (relative path → content). */
export function tarGz(files: Record<string, string>): Buffer {
  const stage = mkdtempSync(join(tmpdir(), 'lensdesk-tar-'));
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(stage, 'root', p)), { recursive: true });
    writeFileSync(join(stage, 'root', p), c);
  }
  const out = join(stage, 'a.tar.gz');
  const tops = [...new Set(Object.keys(files).map((p) => p.split('/')[0]))];
  const r = spawnSync('tar', ['-czf', out, '-C', join(stage, 'root'), ...tops]);
  try {
    if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
    return readFileSync(out);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

export function zip(files: Record<string, string>): Buffer {
  return Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([p, c]) => [p, new TextEncoder().encode(c)]))));
}

export const REAL_NODE_MODULES = realpathSync(join(import.meta.dirname, '..', 'node_modules'));

/** Copies of tfjs-node-gpu and onnxruntime-node (without onnxruntime's ~300 MB of prebuilt binaries). */
export function copyPackages(): { root: string; tfjsDir: string; ortDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'lensdesk-gpu-pkgs-'));
  const tfjsDir = join(root, 'node_modules', '@tensorflow', 'tfjs-node-gpu');
  const ortDir = join(root, 'node_modules', 'onnxruntime-node');
  cpSync(join(REAL_NODE_MODULES, '@tensorflow', 'tfjs-node-gpu'), tfjsDir, { recursive: true });
  cpSync(join(REAL_NODE_MODULES, 'onnxruntime-node'), ortDir, { recursive: true, filter: (src) => !/\/bin\/napi-v6\/.*\.(so(\.\d+)*|node|dll|dylib|lib|pdb)$/.test(src) });
  return { root, tfjsDir, ortDir };
}
