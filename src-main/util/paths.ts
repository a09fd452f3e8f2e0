// Locating the project's own files (db/migrations, models/, out/renderer) from wherever this code
// runs: TypeScript sources under tsx/vitest (src-main/...) or the built bundle (out/main/...); and how a
// model card names a folder (cardPath).
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | null = null;

/** The app root: the nearest ancestor folder holding db/migrations and package.json. */
export function appRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'db', 'migrations')) && existsSync(join(dir, 'package.json'))) {
      cachedRoot = dir;
      return dir;
    }
    dir = resolve(dir, '..');
  }
  throw new Error('LensDesk installation is incomplete: db/migrations not found above ' + import.meta.url);
}

export const migrationsDir = (): string => join(appRoot(), 'db', 'migrations');
export const modelsDir = (): string => join(appRoot(), 'models');
export const rendererDir = (): string => join(appRoot(), 'out', 'renderer');
/** True when running from TypeScript sources (tsx / vitest) rather than the built bundle. */
export const runningFromSource = (): boolean => import.meta.url.endsWith('.ts');

/**
 * A path as a model card records it: relative to the working directory when inside it (a card shipped in the
 * repository must not name the folders of the machine it was trained on), else as given.
 */
export function cardPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, resolve(cwd, path));
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
