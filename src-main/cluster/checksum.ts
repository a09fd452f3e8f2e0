// sha256 of files (streamed in 1 MiB reads, so a large Parquet or model file never sits in memory)
// and of a model folder (names + per-file sha256, sorted by name, so the order files were written
// in does not matter).
import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function sha256File(path: string): string {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

export function sha256Text(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface FileSum {
  name: string;
  bytes: number;
  sha256: string;
}

/** Every regular file directly in `dir`, sorted by name, with size and sha256. */
export function folderSums(dir: string): FileSum[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => d.name)
    .sort()
    .map((name) => ({ name, bytes: statSync(join(dir, name)).size, sha256: sha256File(join(dir, name)) }));
}

/** One checksum for a folder: sha256 of "name sha256\n" lines. */
export function folderSha256(sums: FileSum[]): string {
  return sha256Text(sums.map((f) => `${f.name} ${f.sha256}\n`).join(''));
}
