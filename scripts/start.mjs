// `npm start`: LensDesk on the demo workspace — the Electron window when its binary is installed
// and a display is available, else browser mode (same backend and renderer on 127.0.0.1).
// Extra arguments pass through, e.g. `npm start -- --workspace ~/lenses`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const args = process.argv.slice(2);

if (!existsSync(join(root, 'out', 'main', 'serve.js')) || !existsSync(join(root, 'out', 'renderer', 'index.html'))) {
  console.log('LensDesk: building the app first (npm run build)…');
  const r = spawnSync(join(root, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function electronPath() {
  if (process.env.LENSDESK_BROWSER_MODE) return null;
  try {
    const p = require('electron'); // the binary path, or throws when the binary is absent
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

const haveDisplay = process.platform === 'darwin' || process.platform === 'win32' || !!process.env.DISPLAY || !!process.env.WAYLAND_DISPLAY;
const electron = haveDisplay ? electronPath() : null;
let child;
if (electron) {
  console.log('LensDesk: opening the desktop window (Electron).');
  child = spawn(electron, [root, ...args], { stdio: 'inherit' });
} else {
  console.log(
    haveDisplay
      ? 'LensDesk: the Electron binary is not installed here, so LensDesk runs in browser mode.'
      : 'LensDesk: no display found, so LensDesk runs in browser mode.',
  );
  child = spawn(process.execPath, [join(root, 'out', 'main', 'serve.js'), ...args], { stdio: 'inherit' });
}
// Ctrl-C in a terminal reaches both processes; a signal sent to this one alone is passed on. If the
// app has not ended 8 s later it is killed, so `npm start` always stops.
const forward = (sig) => () => {
  child.kill(sig);
  setTimeout(() => child.kill('SIGKILL'), 8000).unref();
};
process.on('SIGINT', forward('SIGINT'));
process.on('SIGTERM', forward('SIGTERM'));
child.on('exit', (code) => process.exit(code ?? 0));
