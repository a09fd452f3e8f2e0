// Reading and writing stamp FITS files on disk. Writes are atomic (temp file + rename), so a job
// killed mid-write never leaves a half file that a resume would take for finished.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { decodeStamp, encodeStamp } from '../../src-core/stamps/format';
import type { Stamp } from '../../src-core/stamps/stamp';
import type { CardInput } from '../../src-core/fits/card-format';
import { openByteSource } from '../fits/file-source';
import { rethrowAsDiskError } from '../store/disk-error';

export function readStampFile(path: string): Stamp {
  const src = openByteSource(path);
  try {
    return decodeStamp(src);
  } finally {
    src.close?.();
  }
}

export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    // A full disk leaves no half temp file behind, and says which file and how much room it needed.
    rmSync(tmp, { force: true });
    rethrowAsDiskError(e, path, { needBytes: bytes.length, what: 'file' });
  }
}

export function writeStampFile(path: string, stamp: Stamp, extraCards: CardInput[] = []): void {
  writeFileAtomic(path, encodeStamp(stamp, extraCards));
}
