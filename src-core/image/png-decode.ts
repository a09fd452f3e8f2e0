// Minimal PNG decoder for 8-bit non-interlaced grey / grey+alpha / RGB / RGBA with all five
// scanline filters (PNG spec §9). Used to read our own output back in tests and to compare with
// reference PNGs written by matplotlib; also handy for previews. Palette and 16-bit are refused.
import { unzlibSync } from 'fflate';
import { InputError } from '../errors';
import { crc32 } from './png';

export interface DecodedPng {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array;
  text: Record<string, string>;
}

const CHANNELS: Record<number, 1 | 2 | 3 | 4> = { 0: 1, 4: 2, 2: 3, 6: 4 };

export function decodePng(png: Uint8Array): DecodedPng {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (sig.some((b, i) => png[i] !== b)) throw new InputError('PNG_SIGNATURE', 'not a PNG file (bad signature)');
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let off = 8;
  let width = 0;
  let height = 0;
  let channels: 1 | 2 | 3 | 4 = 1;
  const idat: Uint8Array[] = [];
  const text: Record<string, string> = {};
  while (off < png.length) {
    const len = dv.getUint32(off);
    const type = String.fromCharCode(...png.subarray(off + 4, off + 8));
    const body = png.subarray(off + 8, off + 8 + len);
    if (dv.getUint32(off + 8 + len) !== crc32(png, off + 4, off + 8 + len))
      throw new InputError('PNG_CRC', `PNG chunk ${type} at byte ${off} fails its CRC`, { offset: off });
    if (type === 'IHDR') {
      width = dv.getUint32(off + 8);
      height = dv.getUint32(off + 12);
      const depth = body[8]!;
      const ct = body[9]!;
      if (depth !== 8 || !(ct in CHANNELS) || body[12] !== 0)
        throw new InputError('PNG_UNSUPPORTED', `PNG bit depth ${depth}, colour type ${ct}, interlace ${body[12]} not supported`);
      channels = CHANNELS[ct]!;
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'tEXt') {
      const z = body.indexOf(0);
      text[String.fromCharCode(...body.subarray(0, z))] = String.fromCharCode(...body.subarray(z + 1));
    } else if (type === 'IEND') break;
    off += 12 + len;
  }
  const joined = new Uint8Array(idat.reduce((a, b) => a + b.length, 0));
  let p = 0;
  for (const c of idat) {
    joined.set(c, p);
    p += c.length;
  }
  const raw = unzlibSync(joined);
  const stride = width * channels;
  const data = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const ft = raw[y * (stride + 1)]!;
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const o = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? data[o + i - channels]! : 0;
      const b = y > 0 ? data[o - stride + i]! : 0;
      const c = y > 0 && i >= channels ? data[o - stride + i - channels]! : 0;
      let pred = 0;
      if (ft === 1) pred = a;
      else if (ft === 2) pred = b;
      else if (ft === 3) pred = (a + b) >> 1;
      else if (ft === 4) {
        const pp = a + b - c;
        const pa = Math.abs(pp - a);
        const pb = Math.abs(pp - b);
        const pc = Math.abs(pp - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (ft !== 0) throw new InputError('PNG_FILTER', `unknown PNG filter ${ft} on row ${y}`, { row: y });
      data[o + i] = (src[i]! + pred) & 0xff;
    }
  }
  return { width, height, channels, data, text };
}
