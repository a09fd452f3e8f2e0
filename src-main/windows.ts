// The desktop window and the privileged `lensdesk://` scheme that serves the renderer and the
// workspace images (no file:// anywhere), with every IPC sender checked.
import { app, BrowserWindow, ipcMain, net, protocol, session, shell } from 'electron';
import { existsSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LensDeskError, serializeError } from '../src-core/errors';
import type { Backend } from './api/backend';
import { resolveImagePath } from './api/images';
import { contentSecurityPolicy } from './serve/csp';
import { appRoot, rendererDir } from './util/paths';

export const APP_ORIGIN = 'lensdesk://app';

/** Must run before app 'ready'. */
export function registerScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: 'lensdesk', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ]);
}

export function installProtocol(backend: Backend): void {
  const root = resolve(rendererDir());
  const csp = contentSecurityPolicy('electron');
  protocol.handle('lensdesk', async (req) => {
    const url = new URL(req.url);
    if (url.host !== 'app') return new Response('not found', { status: 404 });
    try {
      if (url.pathname.startsWith('/img/')) {
        const { file, contentType } = resolveImagePath(backend.ws.dir, backend.repo, url.pathname.slice(5));
        const r = await net.fetch(pathToFileURL(file).toString());
        return new Response(r.body, { headers: { 'content-type': contentType, 'x-content-type-options': 'nosniff' } });
      }
      const rel = url.pathname === '/' ? 'index.html' : normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
      const file = resolve(root, rel);
      if (!file.startsWith(root + sep) || !existsSync(file)) return new Response('not found', { status: 404 });
      const r = await net.fetch(pathToFileURL(file).toString());
      const headers = new Headers(r.headers);
      headers.set('content-security-policy', csp);
      return new Response(r.body, { status: r.status, headers });
    } catch (e) {
      const err = serializeError(e);
      return new Response(`${err.code}: ${err.message}`, { status: err.code === 'PATH_OUTSIDE_WORKSPACE' ? 403 : 404 });
    }
  });
}

function senderOk(frameUrl: string | undefined): boolean {
  if (!frameUrl) return false;
  if (frameUrl.startsWith(APP_ORIGIN + '/')) return true;
  const dev = process.env.ELECTRON_RENDERER_URL;
  return !!dev && !app.isPackaged && frameUrl.startsWith(dev);
}

export function installIpc(backend: Backend): void {
  ipcMain.handle('lensdesk:call', async (event, method: unknown, params: unknown) => {
    if (!senderOk(event.senderFrame?.url)) {
      return { ok: false, error: { name: 'InputError', code: 'FORBIDDEN_SENDER', message: 'IPC from an unexpected frame was refused' } };
    }
    try {
      return { ok: true, result: await backend.call(method, params) };
    } catch (e) {
      if (!(e instanceof LensDeskError)) console.error(`[api] ${String(method)} failed:`, e);
      return { ok: false, error: serializeError(e) };
    }
  });
  backend.on('event', (name: string, data: unknown) => {
    for (const w of BrowserWindow.getAllWindows()) w.webContents.send('lensdesk:event', name, data);
  });
}

export function createMainWindow(): BrowserWindow {
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    backgroundColor: '#111318',
    title: 'LensDesk',
    show: false,
    webPreferences: {
      // From the app root: the bundle may place this code in a shared chunk.
      preload: join(appRoot(), 'out', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (!senderOk(url)) e.preventDefault();
  });
  win.once('ready-to-show', () => win.show());
  const dev = process.env.ELECTRON_RENDERER_URL;
  void win.loadURL(dev && !app.isPackaged ? dev : `${APP_ORIGIN}/index.html`);
  return win;
}
