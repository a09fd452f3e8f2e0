// Resolves image-protocol paths to files, for both the Electron custom scheme and browser mode.
// Only two forms exist: `cutout/<id>` (a registered cutout) and `file/<path>` for files under the
// workspace's exports/, cutouts/, massmaps/ and products/ folders (never the database, its WAL or the models: issue #20).
// Anything that resolves outside the workspace folder (.., absolute paths, symlinks out) is refused.
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { InputError, NotFoundError } from '../../src-core/errors';
import type { Repo } from '../store/repo';

export const CONTENT_TYPES: Record<string, string> = {
  fits: 'application/fits',
  fit: 'application/fits',
  fz: 'application/fits',
  png: 'image/png',
  csv: 'text/csv',
  ecsv: 'text/csv',
  xml: 'application/x-votable+xml',
  vot: 'application/x-votable+xml',
  json: 'application/json',
};

/** Workspace folders whose files the image protocol serves. */
const SERVED_FOLDERS = ['exports', 'cutouts', 'massmaps', 'products'];

function contained(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

export function resolveImagePath(workspaceDir: string, repo: Repo, urlPath: string): { file: string; contentType: string } {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath).replace(/^\/+/, '');
  } catch {
    throw new InputError('BAD_IMAGE_PATH', `malformed image path ${JSON.stringify(urlPath)}`);
  }
  if (decoded.includes('\0')) throw new InputError('BAD_IMAGE_PATH', 'image path contains a NUL byte');
  let target: string;
  const m = /^cutout\/(\d+)$/.exec(decoded);
  if (m) {
    const p = repo.cutoutPath(Number(m[1]));
    if (!p) throw new NotFoundError('NO_CUTOUT', `no cutout ${m[1]}`);
    target = resolve(workspaceDir, p);
  } else if (decoded.startsWith('file/')) {
    target = resolve(workspaceDir, decoded.slice(5));
    const top = relative(workspaceDir, target).split(sep)[0];
    if (!SERVED_FOLDERS.includes(top ?? '') && contained(workspaceDir, target)) {
      throw new InputError('BAD_IMAGE_PATH', `refused: only files under ${SERVED_FOLDERS.join('/ and ')}/ are served (asked for ${JSON.stringify(decoded)})`);
    }
  } else {
    throw new InputError('BAD_IMAGE_PATH', `unknown image path ${JSON.stringify(decoded)}`);
  }
  // Lexical check first, then the real path (a symlink inside the workspace must not point out).
  if (!contained(workspaceDir, target)) {
    throw new InputError('PATH_OUTSIDE_WORKSPACE', `refused: ${JSON.stringify(decoded)} is outside the workspace`);
  }
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    throw new NotFoundError('NO_FILE', `no such file in the workspace: ${decoded}`);
  }
  if (!contained(workspaceDir, real)) {
    throw new InputError('PATH_OUTSIDE_WORKSPACE', `refused: ${JSON.stringify(decoded)} links outside the workspace`);
  }
  if (!statSync(real).isFile()) throw new NotFoundError('NO_FILE', `not a file: ${decoded}`);
  const ext = real.split('.').pop()!.toLowerCase();
  return { file: real, contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream' };
}
