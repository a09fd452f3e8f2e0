// Reading and writing stamp FITS files on disk. Writes are atomic (temp file + rename), so a job
// killed mid-write never leaves a half file that a resume would take for finished.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { FitsFile } from '../../src-core/fits/index';
import { openCutoutChunk, readChunkCutout } from '../../src-core/stamps/cutout-chunk';
import { decodeStamp, encodeStamp, type DecodedStamp, type DecodeOptions } from '../../src-core/stamps/format';
import type { Stamp } from '../../src-core/stamps/stamp';
import type { CardInput } from '../../src-core/fits/card-format';
import { openByteSource } from '../fits/file-source';
import { rethrowAsDiskError } from '../store/disk-error';

export function readStampFile(path: string, opts: DecodeOptions = {}): DecodedStamp {
  const src = openByteSource(path);
  try {
    return decodeStamp(src, opts);
  } finally {
    src.close?.();
  }
}

/**
 * Every stamp in a file: one for a stamp file; one per cutout, with its set index and name, for a
 * multi-cutout cube as `lensdesk simulate` writes (src-core/stamps/cutout-chunk.ts). `each` gets them
 * one at a time, so a 500-cutout chunk is never decoded whole.
 */
export function forEachStampInFile(
  path: string,
  each: (s: Stamp, j: number, cutout: { index: number; name: string } | null, bandSource: string) => void,
  opts: DecodeOptions = {},
): number {
  const src = openByteSource(path);
  try {
    const chunk = openCutoutChunk(new FitsFile(src), opts);
    if (!chunk) {
      const s = decodeStamp(src, opts);
      each(s, 0, null, s.bandSource);
      return 1;
    }
    for (let j = 0; j < chunk.count; j++) {
      const c = readChunkCutout(chunk, j);
      each(c, j, { index: c.index, name: c.name }, chunk.bandSource);
    }
    return chunk.count;
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
