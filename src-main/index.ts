// Electron main-process entry. Heavy compute runs in worker threads behind the job interface;
// the window talks to the backend only through the preload bridge.
import { app, BrowserWindow, dialog } from 'electron';
import { parseArgs } from 'node:util';
import type { Backend } from './api/backend';
import { openApp } from './app';
import { createMainWindow, installIpc, installProtocol, registerScheme } from './windows';

const { values } = parseArgs({
  args: process.argv.slice(app.isPackaged ? 1 : 2),
  options: { workspace: { type: 'string' }, reviewer: { type: 'string' }, 'no-demo': { type: 'boolean' } },
  strict: false,
});

registerScheme();
let backend: Backend | null = null;

app.whenReady().then(() => {
  try {
    backend = openApp({
      workspace: values.workspace as string | undefined,
      reviewer: values.reviewer as string | undefined,
      mode: 'electron',
      demo: !values['no-demo'],
    });
  } catch (e) {
    const msg = `LensDesk cannot open its workspace: ${(e as Error).message}`;
    console.error(msg);
    dialog.showErrorBox('LensDesk', msg);
    app.exit(2);
    return;
  }
  installProtocol(backend);
  installIpc(backend);
  createMainWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('will-quit', () => {
  void backend?.close();
});
