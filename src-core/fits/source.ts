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

/**
 * Absolute ceiling for a decompressed `.fits.gz` held in memory (bytes). Larger files must be
 * gunzipped on disk, where the reader works lazily.
 */
export const DEFAULT_MAX_GUNZIP_BYTES = 2 * 1024 * 1024 * 1024 - 1;
/**
 * Ceiling on inflated size ÷ compressed size beyond DEFAULT_GUNZIP_RATIO_FLOOR. Real FITS images
 * and catalogs deflate by 1.2–20×, blank masks by a few hundred; a single deflate stream cannot
 * exceed ~1032× (RFC 1951: a 258-byte match costs at least 2 bits), so anything above this is
 * almost surely a decompression bomb (or a concatenation of them).
 */
export const DEFAULT_MAX_GUNZIP_RATIO = 256;
/** Output below this size is always allowed whatever the ratio (small, very compressible files). */
export const DEFAULT_GUNZIP_RATIO_FLOOR = 64 * 1024 * 1024;
/** Compressed bytes handed to the inflater per step: bounds one step's output to ~17 MB (1032×). */
const GUNZIP_STEP = 16 * 1024;

export interface GunzipLimits {
  /** Absolute ceiling on inflated bytes (default DEFAULT_MAX_GUNZIP_BYTES). */
  maxBytes?: number;
  /** Ceiling on inflated ÷ compressed bytes beyond `ratioFloor` (default DEFAULT_MAX_GUNZIP_RATIO). */
  maxRatio?: number;
  /** Output size always allowed regardless of ratio (default DEFAULT_GUNZIP_RATIO_FLOOR). */
  ratioFloor?: number;
}

/** The effective output ceiling for `compressedSize` bytes of gzip under `limits`. */
export function gunzipLimit(compressedSize: number, limits: GunzipLimits = {}): { max: number; byRatio: boolean } {
  const abs = limits.maxBytes ?? DEFAULT_MAX_GUNZIP_BYTES;
  const ratio = limits.maxRatio ?? DEFAULT_MAX_GUNZIP_RATIO;
  const rel = Math.max(limits.ratioFloor ?? DEFAULT_GUNZIP_RATIO_FLOOR, ratio * compressedSize);
  return rel < abs ? { max: rel, byRatio: true } : { max: abs, byRatio: false };
}

/**
 * Inflates a whole `.fits.gz` into memory as a stream (fflate's Gunzip, RFC 1952, multi-member):
 * compressed bytes are fed GUNZIP_STEP at a time, so memory grows only with real output and the
 * inflate stops as soon as the output passes the ceiling (gunzipLimit): FitsError
 * FITS_GZIP_BOMB when the ratio limit is passed, FITS_GZIP_TOO_LARGE for the absolute one,
 * FITS_GZIP_CORRUPT for a damaged stream. `gz` may be bytes or a ByteSource (read in steps, so a
 * file is never held compressed and inflated at once). `limits` as a number means `maxBytes`.
 * The trailer's ISIZE (size mod 2^32) is only a hint for the first allocation, trusted only
 * below the ceiling.
 */
export function gunzipToSource(name: string, gz: Uint8Array | ByteSource, limits: number | GunzipLimits = {}): MemorySource {
  const lim: GunzipLimits = typeof limits === 'number' ? { maxBytes: limits } : limits;
  const size = gz instanceof Uint8Array ? gz.length : gz.size;
  const readAt = (off: number, len: number): Uint8Array => (gz instanceof Uint8Array ? gz.subarray(off, off + len) : gz.read(off, len));
  const { max, byRatio } = gunzipLimit(size, lim);
  let isize = 0;
  if (size >= 18) {
    const t = readAt(size - 4, 4);
    isize = (t[0]! | (t[1]! << 8) | (t[2]! << 16) | (t[3]! << 24)) >>> 0;
  }
  let cap = Math.max(64 * 1024, isize > 0 && isize <= max ? isize : Math.min(max, size * 4));
  let out = new Uint8Array(Math.min(cap, Math.max(max, 0)));
  cap = out.length;
  let used = 0;
  let tooLarge = false;
  const g = new Gunzip((chunk) => {
    if (tooLarge) return;
    if (used + chunk.length > max) {
      tooLarge = true;
      return;
    }
    if (used + chunk.length > cap) {
      cap = Math.min(max, Math.max(used + chunk.length, cap * 2));
      const next = new Uint8Array(cap);
      next.set(out.subarray(0, used));
      out = next;
    }
    out.set(chunk, used);
    used += chunk.length;
  });
  let consumed = 0;
  try {
    for (let i = 0; i < size && !tooLarge; i += GUNZIP_STEP) {
      const end = Math.min(size, i + GUNZIP_STEP);
      g.push(readAt(i, end - i), end === size);
      consumed = end;
    }
  } catch (e) {
    if (e instanceof FitsError) throw e;
    if (!tooLarge) {
      throw new FitsError('FITS_GZIP_CORRUPT', `${name}: gzip data is corrupt near compressed byte ${consumed}: ${(e as Error).message}`, {
        file: name,
        offset: consumed,
      });
    }
  }
  if (tooLarge) throw tooLargeError(name, max, byRatio, size, consumed, lim);
  if (used === 0) {
    throw new FitsError('FITS_GZIP_CORRUPT', `${name}: gzip stream is empty or truncated`, { file: name });
  }
  return new MemorySource(name, used === out.length ? out : out.slice(0, used));
}

function tooLargeError(name: string, max: number, byRatio: boolean, size: number, consumed: number, lim: GunzipLimits): FitsError {
  if (byRatio) {
    const ratio = lim.maxRatio ?? DEFAULT_MAX_GUNZIP_RATIO;
    return new FitsError(
      'FITS_GZIP_BOMB',
      `${name}: refusing a likely decompression bomb: ${consumed} of its ${size} compressed bytes already inflate to more than ${max} bytes ` +
        `(limit ${ratio}× the compressed size); raise maxGunzipRatio if this file is genuine`,
      { file: name, maxBytes: max, compressedSize: size, maxRatio: ratio },
    );
  }
  return new FitsError(
    'FITS_GZIP_TOO_LARGE',
    `${name}: decompressed .gz is larger than ${max} bytes, too large to inflate in memory; gunzip it on disk to read it lazily`,
    { file: name, maxBytes: max, compressedSize: size },
  );
}

/** Wraps raw bytes: gzip is inflated transparently, anything else is served as is. */
export function sourceFromBytes(name: string, bytes: Uint8Array, limits?: number | GunzipLimits): MemorySource {
  return isGzip(bytes) ? gunzipToSource(name, bytes, limits) : new MemorySource(name, bytes);
}
