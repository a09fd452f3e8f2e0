// Node implementation of src-core's ByteSource: lazy positional reads with fs.readSync, so a
// cutout of a 1 GB image reads only the rows it needs. `.fits.gz` (gzip magic, RFC 1952) is
// inflated into memory as a stream read from the file in steps, with a size ceiling and a ratio
// ceiling against decompression bombs (src-core/fits/source.ts gunzipToSource, gunzipLimit).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { FitsError } from '../../src-core/errors';
import { FitsFile } from '../../src-core/fits/file';
import { checkRange, gunzipToSource, type ByteSource } from '../../src-core/fits/source';

export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number | null;
  constructor(
    readonly path: string,
    readonly name: string = basename(path),
  ) {
    try {
      this.fd = openSync(path, 'r');
      const st = fstatSync(this.fd);
      if (!st.isFile()) {
        closeSync(this.fd);
        throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
      }
      this.size = st.size;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      throw new FitsError('FITS_OPEN_FAILED', `${path}: cannot open (${code}: ${(e as Error).message})`, { file: path });
    }
  }
  read(offset: number, length: number): Uint8Array {
    const buf = new Uint8Array(length);
    this.readInto(offset, length, buf, 0);
    return buf;
  }
  readInto(offset: number, length: number, buf: Uint8Array, at: number): void {
    if (this.fd === null) throw new FitsError('FITS_CLOSED', `${this.name}: source is closed`, { file: this.name });
    checkRange(this, offset, length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buf, at + done, length - done, offset + done);
      if (n <= 0) {
        throw new FitsError('FITS_TRUNCATED', `${this.name}: short read at byte ${offset + done}`, {
          file: this.name,
          offset: offset + done,
        });
      }
      done += n;
    }
  }
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

export interface OpenFitsOptions {
  /** Absolute ceiling for an in-memory decompressed .gz (bytes; default DEFAULT_MAX_GUNZIP_BYTES). */
  maxGunzipBytes?: number;
  /** Ceiling on inflated ÷ compressed size above the floor (default DEFAULT_MAX_GUNZIP_RATIO). */
  maxGunzipRatio?: number;
  /** Inflated size always allowed whatever the ratio (default DEFAULT_GUNZIP_RATIO_FLOOR). */
  gunzipRatioFloor?: number;
}

/** Opens a path as a ByteSource: gzip is detected by its magic bytes, not the extension. */
export function openByteSource(path: string, opts: OpenFitsOptions = {}): ByteSource {
  const src = new FileSource(path);
  if (src.size >= 2) {
    const head = src.read(0, 2);
    if (head[0] === 0x1f && head[1] === 0x8b) {
      try {
        return gunzipToSource(basename(path), src, { maxBytes: opts.maxGunzipBytes, maxRatio: opts.maxGunzipRatio, ratioFloor: opts.gunzipRatioFloor });
      } finally {
        src.close();
      }
    }
  }
  return src;
}

/** Opens a FITS file (plain or .gz) for lazy reading. Call `file.source.close?.()` when done. */
export function openFitsFile(path: string, opts: OpenFitsOptions = {}): FitsFile {
  const src = openByteSource(path, opts);
  try {
    return new FitsFile(src);
  } catch (e) {
    src.close?.();
    throw e;
  }
}
