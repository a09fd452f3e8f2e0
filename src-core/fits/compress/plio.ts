// PLIO_1 tiles (FITS 4.0 §10.4.5): IRAF pixel-list line lists, stored as 16-bit words in a 1PI
// column. Transliterated from cfitsio pliocomp.c pl_l2pi (itself f2c of IRAF's pll2pi.x).
// Header: words 1..7 (1-based); if word 3 > 0 it is the list length and data start at word 4
// (old format), else length = (word5 << 15) + word4 and data start at word (word2 + 1).
// Each data word is opcode (top 4 bits, 0..7) and a 12-bit datum:
//   0 zeros · 1 set value (next word <<12 | datum) · 2/3 add/subtract to value ·
//   4 run of value · 5 zeros then one value · 6/7 add/subtract then emit one pixel.
import { TileCodecError } from './errors';

/** Decodes `words` (signed 16-bit, big-endian already converted) into out[0..npix). */
export function plioDecode(words: Int16Array, out: Int32Array, npix: number): void {
  const ll = (i: number): number => {
    // 1-based access as in the Fortran original
    if (i < 1 || i > words.length) throw new TileCodecError(`PLIO_1 line list reads word ${i} of ${words.length}`, 2 * (i - 1));
    return words[i - 1]!;
  };
  if (npix <= 0) return;
  if (words.length < 3) throw new TileCodecError(`PLIO_1 line list of ${words.length} words is too short`, 0);
  let lllen: number;
  let llfirt: number;
  if (ll(3) > 0) {
    lllen = ll(3);
    llfirt = 4;
  } else {
    lllen = (ll(5) << 15) + ll(4);
    llfirt = ll(2) + 1;
  }
  if (lllen > words.length) {
    throw new TileCodecError(`PLIO_1 line list claims ${lllen} words but holds ${words.length}`, 0);
  }
  const xs = 1;
  const xe = xs + npix - 1;
  let op = 0; // 0-based output position
  let x1 = 1;
  let pv = 1;
  let skip = false;
  for (let ip = llfirt; ip <= lllen && x1 <= xe; ip++) {
    if (skip) {
      skip = false;
      continue;
    }
    const word = ll(ip);
    const opcode = Math.trunc(word / 4096);
    const data = word & 4095;
    switch (opcode) {
      case 0:
      case 4:
      case 5: {
        const x2 = x1 + data - 1;
        const i1 = Math.max(x1, xs);
        const i2 = Math.min(x2, xe);
        const np = i2 - i1 + 1;
        if (np > 0) {
          const otop = op + np; // exclusive
          if (opcode === 4) out.fill(pv, op, otop);
          else {
            out.fill(0, op, otop);
            if (opcode === 5 && i2 === x2) out[otop - 1] = pv;
          }
          op = otop;
        }
        x1 = x2 + 1;
        break;
      }
      case 1:
        pv = (ll(ip + 1) << 12) + data;
        skip = true;
        break;
      case 2:
        pv += data;
        break;
      case 3:
        pv -= data;
        break;
      case 6:
      case 7:
        pv += opcode === 6 ? data : -data;
        if (x1 >= xs && x1 <= xe) out[op++] = pv;
        x1++;
        break;
      default:
        break; // negative words (opcode < 0) are ignored, as in cfitsio
    }
  }
  if (op < npix) out.fill(0, op, npix);
}
