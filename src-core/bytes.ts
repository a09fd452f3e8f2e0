// Byte-buffer helpers shared by the FITS writer and the ONNX encoder/rewriter (pure: no Node or DOM APIs).

/** One buffer holding `parts` back to back. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Decodes UTF-8 bytes b[start, end) (malformed sequences become U+FFFD). */
export function decodeUtf8(b: Uint8Array, start = 0, end = b.length): string {
  let s = '';
  for (let i = start; i < end; ) {
    const c = b[i++];
    let cp = 0xfffd;
    let need = 0;
    if (c < 0x80) cp = c;
    else if (c >= 0xc2 && c < 0xe0) (cp = c & 0x1f), (need = 1);
    else if (c >= 0xe0 && c < 0xf0) (cp = c & 0x0f), (need = 2);
    else if (c >= 0xf0 && c < 0xf5) (cp = c & 0x07), (need = 3);
    for (; need > 0 && i < end && (b[i] & 0xc0) === 0x80; need--) cp = (cp << 6) | (b[i++] & 0x3f);
    s += String.fromCodePoint(need > 0 ? 0xfffd : cp);
  }
  return s;
}
