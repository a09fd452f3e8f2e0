// Minimal Protocol Buffers writer (proto3 wire format, https://protobuf.dev/programming-guides/encoding/)
// — just what the ONNX encoder needs: varints, 32-bit floats, length-delimited fields.
// Field keys are (field_number << 3) | wire_type; wire types: 0 varint, 2 length-delimited, 5 fixed32.
import { concatBytes } from '../../bytes';

export class ProtoWriter {
  private chunks: Uint8Array[] = [];

  private push(b: Uint8Array): void {
    this.chunks.push(b);
  }

  private rawVarint(v: number | bigint): void {
    // Negative int64 values are encoded as their 64-bit two's complement (10 bytes).
    let x = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    do {
      let byte = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) byte |= 0x80;
      out.push(byte);
    } while (x !== 0n);
    this.push(Uint8Array.from(out));
  }

  private key(field: number, wire: 0 | 2 | 5): void {
    this.rawVarint((field << 3) | wire);
  }

  /** int32, int64, enum, bool (wire type 0). */
  varint(field: number, v: number | bigint): this {
    this.key(field, 0);
    this.rawVarint(v);
    return this;
  }

  float(field: number, v: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2);
    this.rawVarint(b.length);
    this.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, utf8(s));
  }

  /** Embedded message written by `fill` into a fresh writer. */
  message(field: number, fill: (w: ProtoWriter) => void): this {
    const w = new ProtoWriter();
    fill(w);
    return this.bytes(field, w.finish());
  }

  /** Packed repeated varints (proto3 default for repeated scalars). */
  packedVarints(field: number, values: ReadonlyArray<number>): this {
    const w = new ProtoWriter();
    for (const v of values) w.rawVarint(v);
    return this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    return concatBytes(this.chunks);
  }
}

/** UTF-8 bytes of a string (src-core has no TextEncoder: no DOM or Node types here). */
export function utf8(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/** One field of a protobuf message as byte offsets into the buffer it was read from. */
export interface RawField {
  field: number;
  wire: number;
  /** The whole field, key included: copy bytes[start, end) to re-emit it unchanged. */
  start: number;
  end: number;
  /** Length-delimited fields: the payload's offsets. */
  payloadStart: number;
  payloadEnd: number;
}

function readVarint(b: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let scale = 1;
  for (;;) {
    if (pos >= b.length) throw new Error('protobuf: truncated varint');
    const c = b[pos++];
    v += (c & 0x7f) * scale; // arithmetic, not bit shifts: lengths and keys can pass 2³¹
    if (c < 0x80) return [v, pos];
    scale *= 128;
  }
}

/** The fields of the message in b[start, end), in order (no decoding of values). */
export function scanFields(b: Uint8Array, start = 0, end = b.length): RawField[] {
  const out: RawField[] = [];
  let pos = start;
  while (pos < end) {
    const fieldStart = pos;
    const [key, p1] = readVarint(b, pos);
    pos = p1;
    const wire = key % 8;
    let payloadStart = pos;
    if (wire === 0) pos = readVarint(b, pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, p2] = readVarint(b, pos);
      payloadStart = p2;
      pos = p2 + len;
    } else throw new Error(`protobuf: unsupported wire type ${wire}`);
    if (pos > end) throw new Error('protobuf: field runs past the end of its message');
    out.push({ field: Math.floor(key / 8), wire, start: fieldStart, end: pos, payloadStart, payloadEnd: pos });
  }
  return out;
}
