// Lists the FITS files of an ingest folder, and says why every other entry that could have been one
// was not taken. Rules (documented in README "Ingest"):
// - Symbolic links are followed wherever they point: the user put them there (a folder of links
//   into a data archive is common). A link whose target is missing, or that loops (ELOOP, or a
//   folder link back to the folder or one of its parents), is reported, never walked.
// - A folder reached twice (two links to one folder) is walked once, and a file reached twice (a
//   link next to its target) is ingested once, under the first name in sorted order.
// - FIFOs, sockets and devices are never opened (reading a FIFO blocks forever): reported.
import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join, relative } from 'node:path';

export const FITS_EXT = /\.(fits?|fts|fits\.gz|fit\.gz|fz)$/i;

export interface ScannedFile {
  /** Path as listed (inside the folder, through any links). */
  path: string;
  /** Path relative to the ingest folder: the file's identity, with size and mtime. */
  rel: string;
  size: number;
  /** Modification time, milliseconds since 1970 (whole milliseconds). */
  mtimeMs: number;
}

export interface SkippedEntry {
  file: string;
  reason: string;
}

function specialKind(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function linkError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return 'symbolic link loop';
  if (code === 'ENOENT') return 'broken symbolic link (its target does not exist)';
  return `cannot follow symbolic link (${code ?? (e as Error).message})`;
}

export function scanFitsFolder(folder: string, recursive: boolean): { files: ScannedFile[]; skipped: SkippedEntry[] } {
  const files: ScannedFile[] = [];
  const skipped: SkippedEntry[] = [];
  const seenFiles = new Map<string, string>(); // real path → rel of the first name
  const seenDirs = new Map<string, string>();
  const rootReal = realpathSync(folder);
  seenDirs.set(rootReal, '.');

  const walk = (dir: string, ancestors: string[]) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      const rel = relative(folder, p);
      let st: Stats;
      let real: string;
      try {
        st = statSync(p); // follows links
        real = realpathSync(p);
      } catch (err) {
        if (e.isSymbolicLink()) skipped.push({ file: rel, reason: linkError(err) });
        else skipped.push({ file: rel, reason: `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
        continue;
      }
      if (st.isDirectory()) {
        if (!recursive) continue;
        if (ancestors.includes(real)) {
          skipped.push({ file: rel, reason: 'symbolic link loop (links back to a folder that contains it)' });
        } else if (seenDirs.has(real)) {
          skipped.push({ file: rel, reason: `same folder as ${seenDirs.get(real)} (walked once)` });
        } else {
          seenDirs.set(real, rel);
          walk(p, [...ancestors, real]);
        }
      } else if (st.isFile()) {
        if (!FITS_EXT.test(e.name)) continue; // other files (README, logs) are not candidates
        const first = seenFiles.get(real);
        if (first !== undefined) {
          skipped.push({ file: rel, reason: `same file as ${first} (ingested once)` });
          continue;
        }
        seenFiles.set(real, rel);
        files.push({ path: p, rel, size: st.size, mtimeMs: Math.floor(st.mtimeMs) });
      } else {
        skipped.push({ file: rel, reason: `${specialKind(st)}, not a regular file` });
      }
    }
  };
  walk(folder, [rootReal]);
  return { files, skipped };
}
