// Byte-range sources: how src-core reads FITS bytes without knowing about files.
//
// Decision: the interface is synchronous. A cutout touches ~64 short row ranges; a Promise per
// range costs more than the read itself (fs.readSync of 256 bytes is ~1 µs), and every caller
// that needs asynchrony (UI) already runs FITS work in a worker. src-main/fits/file-source.ts
// implements it with fs.openSync/readSync; MemorySource serves buffers and decompressed .gz.
import { Gunzip } from 'fflate';
import { FitsError } from '../errors';

export interface ByteSource {
  /** File name (or a label) used in error messages. */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Returns exactly `length` bytes starting at `offset`, or throws FitsError('FITS_TRUNCATED')
   * when the range passes the end. The returned array is owned by the caller.
   */
  read(offset: number, length: number): Uint8Array;
  /**
   * Optional fast path: copies `length` bytes at `offset` into `target[targetOffset…]` without
   * allocating (cutouts read ~64 short rows into one buffer). Same errors as read().
   */
  readInto?(offset: number, length: number, target: Uint8Array, targetOffset: number): void;
  /** Releases the underlying handle (file descriptor); further reads throw. */
  close?(): void;
}

/** A source backed by bytes already in memory (tests, decompressed .fits.gz, network buffers). */
export class MemorySource implements ByteSource {
  readonly size: number;
  private readonly bytes: Uint8Array;
  constructor(
    readonly name: string,
    bytes: Uint8Array,
  ) {
    // A Node Buffer's slice() is a view, not a copy: keep a plain Uint8Array so read() copies.
    this.bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.size = bytes.length;
  }
  read(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    return this.bytes.slice(offset, offset + length);
  }
  readInto(offset: number, length: number, target: Uint8Array, targetOffset: number): void {
    checkRange(this, offset, length);
    target.set(this.bytes.subarray(offset, offset + length), targetOffset);
  }
  /** Zero-copy view (valid as long as the source lives); used by whole-image reads. */
  view(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    return this.bytes.subarray(offset, offset + length);
  }
}

/** Throws a FitsError naming the file and offset when [offset, offset+length) is not inside. */
export function checkRange(src: { name: string; size: number }, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new FitsError('FITS_BAD_RANGE', `${src.name}: invalid byte range ${offset}+${length}`, {
      file: src.name,
      offset,
    });
  }
  if (offset + length > src.size) {
    throw new FitsError(
      'FITS_TRUNCATED',
      `${src.name}: file is truncated: needs bytes ${offset}..${offset + length} but has ${src.size}`,
      { file: src.name, offset, size: src.size },
    );
  }
}

/** gzip magic bytes (RFC 1952 §2.3.1). */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Default ceiling for a decompressed `.fits.gz` held in memory (bytes). */
export const DEFAULT_MAX_GUNZIP_BYTES = 2 * 1024 * 1024 * 1024 - 1;

/**
 * Inflates a whole `.fits.gz` into memory, refusing to grow past `maxBytes` (a gzip bomb or a
 * file too large to hold stops with FitsError('FITS_GZIP_TOO_LARGE') instead of exhausting memory).
 * Uses the gzip trailer's ISIZE (size mod 2^32) only as a hint for the first allocation.
 */
export function gunzipToSource(
  name: string,
  gz: Uint8Array,
  maxBytes: number = DEFAULT_MAX_GUNZIP_BYTES,
): MemorySource {
  const isize =
    gz.length >= 18
      ? (gz[gz.length - 4]! | (gz[gz.length - 3]! << 8) | (gz[gz.length - 2]! << 16) | (gz[gz.length - 1]! << 24)) >>> 0
      : 0;
  let cap = Math.min(maxBytes, Math.max(64 * 1024, isize > 0 ? isize : gz.length * 4));
  let out = new Uint8Array(cap);
  let used = 0;
  let tooLarge = false;
  const g = new Gunzip((chunk) => {
    if (tooLarge) return;
    if (used + chunk.length > maxBytes) {
      tooLarge = true;
      return;
    }
    if (used + chunk.length > cap) {
      cap = Math.min(maxBytes, Math.max(used + chunk.length, cap * 2));
      const next = new Uint8Array(cap);
      next.set(out.subarray(0, used));
      out = next;
    }
    out.set(chunk, used);
    used += chunk.length;
  });
  try {
    const STEP = 1 << 20;
    for (let i = 0; i < gz.length && !tooLarge; i += STEP) {
      const end = Math.min(gz.length, i + STEP);
      g.push(gz.subarray(i, end), end === gz.length);
    }
  } catch (e) {
    if (tooLarge) throw tooLargeError(name, maxBytes);
    throw new FitsError('FITS_GZIP_CORRUPT', `${name}: gzip data is corrupt: ${(e as Error).message}`, {
      file: name,
    });
  }
  if (tooLarge) throw tooLargeError(name, maxBytes);
  if (used === 0) {
    throw new FitsError('FITS_GZIP_CORRUPT', `${name}: gzip stream is empty or truncated`, { file: name });
  }
  return new MemorySource(name, used === out.length ? out : out.slice(0, used));
}

function tooLargeError(name: string, maxBytes: number): FitsError {
  return new FitsError(
    'FITS_GZIP_TOO_LARGE',
    `${name}: decompressed .gz exceeds ${maxBytes} bytes; decompress it on disk (gunzip) to read lazily`,
    { file: name, maxBytes },
  );
}

/** Wraps raw bytes: gzip is inflated transparently, anything else is served as is. */
export function sourceFromBytes(name: string, bytes: Uint8Array, maxGunzipBytes?: number): MemorySource {
  return isGzip(bytes) ? gunzipToSource(name, bytes, maxGunzipBytes) : new MemorySource(name, bytes);
}
