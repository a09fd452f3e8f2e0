// Full or failing disks, recognised wherever LensDesk writes (the workspace database, stamp files,
// exports) and turned into one typed error that names the path and the free space, so a job fails
// with "disk full: <path> …" instead of an uncaught SqliteError that ends the process.
//
// What counts: SQLite's SQLITE_FULL (the OS reported ENOSPC, or a write came up short) and the
// SQLITE_IOERR_* family (https://www.sqlite.org/rescode.html), and the POSIX errnos ENOSPC (no space
// left on device), EDQUOT (quota exceeded) and EFBIG (file-size limit, RLIMIT_FSIZE) for files
// written by LensDesk itself; EIO and EROFS are disk errors that are not "full".
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { LensDeskError } from '../../src-core/errors';

export class DiskError extends LensDeskError {
  override name = 'DiskError';
}

/**
 * Room SQLite wants to go on after SQLITE_FULL: one WAL auto-checkpoint (1000 pages of 4 KiB,
 * https://www.sqlite.org/wal.html#automatic_checkpoint) plus a write batch, doubled for margin.
 */
export const SQLITE_NEED_BYTES = 16 * 1024 * 1024;

const FULL_ERRNO = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);
const IO_ERRNO = new Set(['EIO', 'EROFS']);

/** 'full', 'io' or null for an error that is not about the disk. */
export function diskErrorKind(e: unknown): 'full' | 'io' | null {
  if (e instanceof DiskError) return e.code === 'DISK_FULL' ? 'full' : 'io';
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (code === 'SQLITE_FULL' || FULL_ERRNO.has(code)) return 'full';
  if (code.startsWith('SQLITE_IOERR') || IO_ERRNO.has(code)) return 'io';
  return null;
}

/** Bytes free to an unprivileged user on the disk holding `path` (its nearest existing folder). */
export function freeBytes(path: string): number | null {
  let p = path;
  for (let i = 0; i < 64; i++) {
    try {
      const s = statfsSync(p);
      return Number(s.bavail) * Number(s.bsize);
    } catch {
      const up = dirname(p);
      if (up === p) return null;
      p = up;
    }
  }
  return null;
}

const mb = (b: number) => (b / (1024 * 1024)).toFixed(1);

export interface DiskErrorOptions {
  /** Bytes the failed write needed, when known (a file write); SQLite's margin otherwise. */
  needBytes?: number;
  /** What was being written, for the message ("the workspace database", "stamp file"). */
  what?: string;
}

/** The typed DiskError for `e` (writing `path`), or null when `e` is not a disk error. */
export function toDiskError(e: unknown, path: string, o: DiskErrorOptions = {}): DiskError | null {
  if (e instanceof DiskError) return e;
  const kind = diskErrorKind(e);
  if (!kind) return null;
  const code = String((e as { code: string }).code);
  const free = freeBytes(path);
  const need = o.needBytes ?? SQLITE_NEED_BYTES;
  const freeText = free === null ? 'free space unknown' : `${mb(free)} MB free on the disk holding it`;
  const details = { path, cause: code, freeBytes: free, needBytes: need };
  const what = o.what ? `${o.what} ` : '';
  if (kind === 'full') {
    const limit = code === 'EFBIG' ? ' (or the file-size limit was reached)' : '';
    return new DiskError(
      'DISK_FULL',
      `disk full: cannot write ${what}${path}${limit} [${code}]; ${freeText}, free at least ${mb(need)} MB needed. ` +
        'Free some space, then resume the job; what was saved before is kept.',
      details,
    );
  }
  return new DiskError(
    'DISK_IO',
    `disk error: cannot write ${what}${path} [${code}]; the disk may be full, read-only or failing (${freeText}). ` +
      'Check the disk, then resume the job; what was saved before is kept.',
    details,
  );
}

/**
 * A job's error as a DiskError when the disk is the cause: SQLITE_FULL/IOERR name the workspace
 * database; ENOSPC & co. name the file when the error carries its path (a write on an open
 * descriptor does not: then the workspace folder).
 */
export function jobDiskError(e: unknown, dbPath: string | null, workspaceDir: string): DiskError | null {
  const code = String((e as { code?: unknown } | null)?.code ?? '');
  const file = (e as NodeJS.ErrnoException | null)?.path;
  if (code.startsWith('SQLITE_')) return toDiskError(e, dbPath ?? workspaceDir, { what: 'the workspace database' });
  if (typeof file === 'string') return toDiskError(e, file, { what: 'file' });
  return toDiskError(e, workspaceDir, { what: 'a file under' });
}

/** Throws the DiskError for `e` when it is one, else `e` itself. */
export function rethrowAsDiskError(e: unknown, path: string, o?: DiskErrorOptions): never {
  throw toDiskError(e, path, o) ?? e;
}

/** On a full (or failing) disk, says that the disk holding the workspace is full, not "internal error". */
export function workspaceDiskError(e: unknown, dir: string, dbPath: string): DiskError | null {
  const d = toDiskError(e, dbPath, { what: 'the workspace database' });
  if (!d) return null;
  const free = d.details.freeBytes as number | null;
  const need = d.details.needBytes as number;
  const full = d.code === 'DISK_FULL' || (free !== null && free < need);
  const mbs = (b: number) => (b / (1024 * 1024)).toFixed(1);
  const room = free === null ? '' : ` (${mbs(free)} MB free, at least ${mbs(need)} MB needed)`;
  return new DiskError(
    full ? 'DISK_FULL' : 'DISK_IO',
    `cannot open the workspace ${dir}: the disk holding the workspace is ${full ? 'full' : 'full, read-only or failing'}${room} ` +
      `[${String(d.details.cause)}]. Free some space on that disk, or use another workspace (--workspace DIR or LENSDESK_WORKSPACE).`,
    { ...d.details, path: dir },
  );
}
