// Where a worker thread's entry is. Built app: out/main/<name>.js (located from the app root,
// because the bundle may put the caller in a shared chunk). From TypeScript sources (tsx, vitest):
// a data-URL bootstrap that registers tsx's loader inside the worker before importing the .ts
// entry, since Node 20 does not carry `--import` loaders into worker threads.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { appRoot } from '../util/paths';

/**
 * @param name   bundle entry name, e.g. 'job-worker' (see electron.vite.config.ts)
 * @param source the .ts entry as a URL relative to the caller's import.meta.url
 * @param callerUrl the caller's import.meta.url
 */
export function workerFile(name: string, source: string, callerUrl: string): string | URL {
  if (callerUrl.endsWith('.ts')) {
    const entry = new URL(source, callerUrl).href;
    const tsxApi = join(dirname(createRequire(callerUrl).resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs');
    const code = `import { register } from ${JSON.stringify(pathToFileURL(tsxApi).href)}; register(); await import(${JSON.stringify(entry)});`;
    return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
  }
  const built = join(appRoot(), 'out', 'main', `${name}.js`);
  if (!existsSync(built)) throw new Error(`worker bundle missing at ${built}; run \`npm run build\``);
  return built;
}
