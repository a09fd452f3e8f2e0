// Project postinstall: (1) build the app and CLI so `npx lensdesk` and `npm start` work right after
// `npm install`; (2) try to fetch the Electron binary (its own install script is disabled in
// package.json "allowScripts", because on offline machines it fails and takes the whole install
// down); (3) fetch the GPU libraries where a driver and the network allow (postinstall-gpu.mjs).
// No step may fail the install: each explains what happened and how to finish it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gpuStep } from './postinstall-gpu.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const log = (m) => console.log(`[lensdesk postinstall] ${m}`);

function build() {
  const bin = join(root, 'node_modules', '.bin', 'electron-vite');
  if (!existsSync(bin)) return log('electron-vite is not installed (production install?): skipping the build.');
  log('building the app (electron-vite build)…');
  const r = spawnSync(bin, ['build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  if (r.status === 0) log('built out/ — `npm start` and `npx lensdesk --help` are ready.');
  else log(`build failed (exit ${r.status}); run \`npm run build\` to see why.`);
}

function electronBinary() {
  if (process.env.LENSDESK_SKIP_ELECTRON_DOWNLOAD || process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    return log('Electron binary download skipped by environment; browser mode (`npm start`) still works.');
  }
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return log('electron is not installed; `npm start` will use browser mode.');
  }
  if (existsSync(join(pkgDir, 'path.txt')) && existsSync(join(pkgDir, 'dist'))) return log('Electron binary present.');
  log('fetching the Electron binary (needs network access to its download host)…');
  const r = spawnSync(process.execPath, [join(pkgDir, 'install.js')], { cwd: pkgDir, stdio: 'pipe', timeout: 180_000, encoding: 'utf8' });
  if (r.status === 0 && existsSync(join(pkgDir, 'path.txt'))) return log('Electron binary installed: `npm start` opens the desktop window.');
  const lines = (r.stderr || r.stdout || r.error?.message || '').split('\n').map((l) => l.trim()).filter(Boolean);
  const why = lines.find((l) => /error|ENOTFOUND|EAI_AGAIN|ECONN|ETIMEDOUT|403|404/i.test(l) && !l.startsWith('at ')) ?? lines[0] ?? 'unknown error';
  log(`could not fetch the Electron binary (${why.slice(0, 200)}).`);
  log('That is fine: `npm start` serves the same app in your browser (browser mode).');
  log('For the desktop window later, on a networked machine run: node node_modules/electron/install.js');
}

try {
  build();
} catch (e) {
  log(`build step error: ${e?.message ?? e}`);
}
try {
  electronBinary();
} catch (e) {
  log(`electron step error: ${e?.message ?? e}`);
}
try {
  await gpuStep({ root, log });
} catch (e) {
  log(`gpu step error: ${e?.message ?? e}`);
}
