// Minimal PNG encoder (PNG spec, W3C 2nd ed. 2003 / ISO 15948): 8-bit greyscale, RGB or RGBA,
// no interlace. Each scanline gets the filter (None, Sub, Up) with the smallest sum of absolute
// byte values (the spec's §12.8 heuristic, without Average/Paeth to stay fast), then zlib via
// fflate. Pure: works in the renderer (Blob/canvas-free) and in Node.
import { zlibSync } from 'fflate';
import { InputError } from '../errors';

export interface RasterImage {
  width: number;
  height: number;
  /** 1 = grey, 3 = RGB, 4 = RGBA; 8 bits per sample. */
  channels: 1 | 3 | 4;
  /** Row-major samples, interleaved, length width·height·channels. */
  data: Uint8Array;
}

export interface PngOptions {
  /**
   * Write the last data row first (astropy/matplotlib origin='lower'): FITS row 1 is the bottom of
   * the sky image, while PNG rows go top-down. Default false (rows as given).
   */
  flipY?: boolean;
  /** zlib level 0–9, default 6. */
  level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  /** tEXt chunks (Latin-1 keyword → text), e.g. {Software: 'LensDesk'}. */
  text?: Record<string, string>;
}

const COLOR_TYPE = { 1: 0, 3: 2, 4: 6 } as const;

let crcTable: Uint32Array | undefined;
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, payload.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(payload, 8);
  dv.setUint32(8 + payload.length, crc32(out, 4, 8 + payload.length));
  return out;
}

export function encodePng(img: RasterImage, opts: PngOptions = {}): Uint8Array {
  const { width, height, channels, data } = img;
  if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height)))
    throw new InputError('PNG_SIZE', `PNG size must be positive integers, got ${width}×${height}`);
  if (!(channels in COLOR_TYPE)) throw new InputError('PNG_CHANNELS', `PNG channels must be 1, 3 or 4, got ${channels}`);
  const stride = width * channels;
  if (data.length !== stride * height) throw new InputError('PNG_SIZE', `PNG data has ${data.length} bytes, expected ${stride * height}`);

  const raw = new Uint8Array((stride + 1) * height);
  const cand = [new Uint8Array(stride), new Uint8Array(stride), new Uint8Array(stride)];
  for (let y = 0; y < height; y++) {
    const srcRow = opts.flipY ? height - 1 - y : y;
    const prevRow = opts.flipY ? srcRow + 1 : srcRow - 1;
    const row = data.subarray(srcRow * stride, srcRow * stride + stride);
    const prev = y > 0 ? data.subarray(prevRow * stride, prevRow * stride + stride) : undefined;
    let best = 0;
    let bestCost = Infinity;
    for (let ft = 0; ft < 3; ft++) {
      if (ft === 2 && !prev) continue;
      const c = cand[ft]!;
      let cost = 0;
      for (let i = 0; i < stride; i++) {
        const v = ft === 0 ? row[i]! : ft === 1 ? (row[i]! - (i >= channels ? row[i - channels]! : 0)) & 0xff : (row[i]! - prev![i]!) & 0xff;
        c[i] = v;
        cost += v < 128 ? v : 256 - v;
      }
      if (cost < bestCost) {
        bestCost = cost;
        best = ft;
      }
    }
    raw[y * (stride + 1)] = best;
    raw.set(cand[best]!, y * (stride + 1) + 1);
  }

  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOR_TYPE[channels];
  // compression 0, filter method 0, interlace 0
  const parts: Uint8Array[] = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  for (const [k, v] of Object.entries(opts.text ?? {})) {
    const t = new Uint8Array(k.length + 1 + v.length);
    for (let i = 0; i < k.length; i++) t[i] = k.charCodeAt(i) & 0xff;
    for (let i = 0; i < v.length; i++) t[k.length + 1 + i] = v.charCodeAt(i) & 0xff;
    parts.push(chunk('tEXt', t));
  }
  parts.push(chunk('IDAT', zlibSync(raw, { level: opts.level ?? 6 })));
  parts.push(chunk('IEND', new Uint8Array(0)));
  const total = parts.reduce((a, p) => a + p.length, 0);
  const png = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    png.set(p, off);
    off += p.length;
  }
  return png;
}
