// Minimal FITS card formatting (FITS Standard 4.0 §4.1–4.2) for the simulator's output. The
// project's FITS writer (src-core/fits/, being built) should replace this file: only
// fits-cube.ts calls it, through `card`, `headerBlock`.

export type CardValue = string | number | boolean;

/** One 80-character card: fixed-format value (right-justified to column 30; strings quoted). */
export function card(key: string, value: CardValue | null, comment = ''): string {
  const k = key.toUpperCase().padEnd(8).slice(0, 8);
  comment = comment.replace(/[^\x20-\x7e]/g, '?');
  if (value === null) return (k + (comment ? '  ' + comment : '')).padEnd(80).slice(0, 80);
  let v: string;
  if (typeof value === 'boolean') v = (value ? 'T' : 'F').padStart(20);
  else if (typeof value === 'number') {
    if (Number.isInteger(value) && Math.abs(value) < 1e15) v = String(value).padStart(20);
    else if (Number.isFinite(value)) v = value.toExponential(12).replace('e', 'E').padStart(20);
    else throw new Error(`FITS header value for ${key} is not finite`);
  } else {
    const s = value.replace(/[^\x20-\x7e]/g, '?').replace(/'/g, "''");
    v = `'${s.padEnd(8)}'`.padEnd(20);
  }
  const text = `${k}= ${v}${comment ? ' / ' + comment : ''}`;
  return text.padEnd(80).slice(0, 80);
}

/** COMMENT / HISTORY cards for arbitrary text, split into 72-character pieces. */
export function commentary(key: 'COMMENT' | 'HISTORY', text: string): string[] {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  const out: string[] = [];
  for (let i = 0; i < clean.length || i === 0; i += 72) out.push((key.padEnd(8) + clean.slice(i, i + 72)).padEnd(80));
  return out;
}

/** Cards + END, padded with blanks to a multiple of 2880 bytes. */
export function headerBlock(cards: string[]): Uint8Array {
  const all = [...cards, 'END'.padEnd(80)];
  const len = Math.ceil((all.length * 80) / 2880) * 2880;
  const bytes = new Uint8Array(len).fill(0x20);
  let o = 0;
  for (const c of all) {
    for (let i = 0; i < 80; i++) bytes[o + i] = c.charCodeAt(i);
    o += 80;
  }
  return bytes;
}

/** Big-endian float32 data, zero-padded to a multiple of 2880 bytes. */
export function float32Block(data: Float32Array): Uint8Array {
  const len = Math.ceil((data.length * 4) / 2880) * 2880;
  const out = new Uint8Array(len);
  const src = new Uint8Array(data.buffer, data.byteOffset, data.length * 4);
  for (let i = 0; i < data.length * 4; i += 4) {
    // Host order is little-endian on every platform Node and Electron run on.
    out[i] = src[i + 3]; out[i + 1] = src[i + 2]; out[i + 2] = src[i + 1]; out[i + 3] = src[i];
  }
  return out;
}
