// GZIP_1 and GZIP_2 tiles (FITS 4.0 §10.4.2, §10.4.3): the tile's big-endian pixel bytes
// deflated (cfitsio writes gzip members; zlib and raw deflate are accepted too). GZIP_2 first
// shuffles the bytes: all most-significant bytes of the tile, then the next, … (cfitsio
// fits_shuffle_Nbytes). Inflate uses fflate with an output buffer sized from the tile, so a
// lying gzip ISIZE or a deflate bomb cannot allocate more than one tile (+1 byte to detect excess).
import { gunzipSync, inflateSync, unzlibSync } from 'fflate';
import { TileCodecError } from './errors';

/**
 * Inflates a tile whose expected size is at most `maxBytes`. Returns the inflated bytes (possibly
 * shorter: cfitsio infers the pixel width from the length). Throws on corrupt or overlong data.
 */
export function inflateTile(input: Uint8Array, maxBytes: number): Uint8Array {
  if (input.length < 2) throw new TileCodecError(`deflate stream of ${input.length} bytes is too short`, 0);
  const out = new Uint8Array(maxBytes + 1);
  let res: Uint8Array;
  try {
    if (input[0] === 0x1f && input[1] === 0x8b) res = gunzipSync(input, { out });
    else if ((input[0]! & 0x0f) === 8 && ((input[0]! << 8) | input[1]!) % 31 === 0) res = unzlibSync(input, { out });
    else res = inflateSync(input, { out });
  } catch (e) {
    throw new TileCodecError(`corrupt deflate stream: ${(e as Error).message}`, 0);
  }
  if (res.length > maxBytes) {
    throw new TileCodecError(`inflated tile is longer than the ${maxBytes} bytes the tile can hold`, input.length);
  }
  return res;
}

/** Undoes GZIP_2 byte shuffling for elements of `size` bytes (in place semantics, new array). */
export function unshuffleBytes(bytes: Uint8Array, size: number): Uint8Array {
  if (size <= 1) return bytes;
  const n = Math.floor(bytes.length / size);
  const out = new Uint8Array(bytes.length);
  for (let k = 0; k < size; k++) {
    const src = k * n;
    for (let i = 0; i < n; i++) out[i * size + k] = bytes[src + i]!;
  }
  return out;
}

/** GZIP_2 shuffling, the inverse of unshuffleBytes (used by tests and the writer). */
export function shuffleBytes(bytes: Uint8Array, size: number): Uint8Array {
  if (size <= 1) return bytes;
  const n = Math.floor(bytes.length / size);
  const out = new Uint8Array(bytes.length);
  for (let k = 0; k < size; k++) {
    const dst = k * n;
    for (let i = 0; i < n; i++) out[dst + i] = bytes[i * size + k]!;
  }
  return out;
}
