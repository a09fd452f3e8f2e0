// Writing the posterior draws of `lensdesk fit --samples OUT.fits` to disk: the path is checked before the
// (minutes-long) fit starts, so a bad path fails at once; the bytes are written to a temporary sibling
// and renamed into place (atomic on one filesystem), so an interrupted run never leaves a truncated file.
// An existing file is refused unless `force`; a directory, a missing parent folder or a path with control
// characters is refused with the path named.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../../src-core/errors';
import { writeFileAtomic } from '../stamps/stamp-file';
import { appRoot } from '../util/paths';

/** Resolves and checks an output path; throws InputError (code OUTPUT_PATH / OUTPUT_EXISTS) naming it. */
export function checkOutputPath(path: string, o: { force?: boolean; option?: string } = {}): string {
  const option = o.option ?? 'samples';
  if (!path) throw new InputError('OUTPUT_PATH', `--${option}: empty output path`, { option });
  // Control characters (newline, NUL, ESC…) in a file name are almost always a mistake or an attack on
  // whoever later lists the folder; refuse them rather than create such a file.
  if (/[\x00-\x1f\x7f]/.test(path)) throw new InputError('OUTPUT_PATH', `--${option}: output path ${JSON.stringify(path)} contains control characters`, { option, file: path });
  const abs = resolve(path);
  const parent = dirname(abs);
  if (!existsSync(parent) || !statSync(parent).isDirectory())
    throw new InputError('OUTPUT_PATH', `--${option}: folder ${parent} does not exist (for ${path})`, { option, file: abs });
  if (existsSync(abs)) {
    if (statSync(abs).isDirectory()) throw new InputError('OUTPUT_PATH', `--${option}: ${abs} is a folder, not a file`, { option, file: abs });
    if (!o.force) throw new InputError('OUTPUT_EXISTS', `--${option}: ${abs} already exists (use --force to overwrite)`, { option, file: abs });
  }
  return abs;
}

/** Atomic write (temp sibling + rename); the temporary file is removed if the write fails. */
export function writeOutputFile(abs: string, bytes: Uint8Array, o: { force?: boolean; option?: string } = {}): void {
  checkOutputPath(abs, o); // again: the file may have appeared during the fit
  try {
    writeFileAtomic(abs, bytes);
  } catch (e) {
    rmSync(`${abs}.tmp-${process.pid}`, { force: true });
    throw e;
  }
}

let cachedVersion: string | null = null;

/** 'LensDesk <version>' from the app's package.json (falls back to 'LensDesk'). */
export function lensDeskSoftware(): string {
  if (cachedVersion === null) {
    try {
      const v = (JSON.parse(readFileSync(resolve(appRoot(), 'package.json'), 'utf8')) as { version?: unknown }).version;
      cachedVersion = typeof v === 'string' ? v : '';
    } catch {
      cachedVersion = '';
    }
  }
  return cachedVersion ? `LensDesk ${cachedVersion}` : 'LensDesk';
}
