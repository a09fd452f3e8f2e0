// Standard normal deviates by the ziggurat method (Marsaglia & Tsang 2000, J. Stat. Softw. 5(8)),
// 128 layers, drawing from the project's seeded Rng. Most draws cost one table lookup and a
// multiply (no logarithm), which is what the per-pixel noise loop needs. Following Doornik (2005),
// the layer index comes from a separate 32-bit word, not from the low bits of the value, which
// avoids the correlation between index and value of the original.
import type { Rng } from '../rng';

const R = 3.442619855899; // start of the tail
const V = 9.91256303526217e-3; // area of each layer
const M1 = 2147483648; // 2^31
const kn = new Int32Array(128);
const wn = new Float64Array(128);
const fn = new Float64Array(128);
{
  let dn = R;
  let tn = dn;
  const q = V / Math.exp(-0.5 * dn * dn);
  kn[0] = Math.floor((dn / q) * M1);
  kn[1] = 0;
  wn[0] = q / M1;
  wn[127] = dn / M1;
  fn[0] = 1;
  fn[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(V / dn + Math.exp(-0.5 * dn * dn)));
    kn[i + 1] = Math.floor((dn / tn) * M1);
    tn = dn;
    fn[i] = Math.exp(-0.5 * dn * dn);
    wn[i] = dn / M1;
  }
}

/** One N(0, 1) deviate. */
export function zigguratNormal(rng: Rng): number {
  for (;;) {
    const hz = rng.nextU32() | 0; // signed 32-bit
    const iz = rng.nextU32() & 127;
    if (Math.abs(hz) < kn[iz]) return hz * wn[iz];
    const x = hz * wn[iz];
    if (iz === 0) {
      // Tail beyond R (Marsaglia 1964).
      let tx: number, ty: number;
      do {
        tx = -Math.log(1 - rng.uniform()) / R;
        ty = -Math.log(1 - rng.uniform());
      } while (ty + ty < tx * tx);
      return hz > 0 ? R + tx : -R - tx;
    }
    if (fn[iz] + rng.uniform() * (fn[iz - 1] - fn[iz]) < Math.exp(-0.5 * x * x)) return x;
  }
}
