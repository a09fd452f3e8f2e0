// Floating-point (de)quantisation of tile-compressed images (FITS 4.0 §10.2; Pence et al. 2010,
// PASP 122, 1065). The subtractive dither sequence is cfitsio's (imcompress.c fits_init_randoms):
// 10000 uniform deviates from the Park & Miller (1988) minimal standard generator, a = 16807,
// m = 2^31 − 1, seed 1, each stored as a C float. Tile k (0-based) starts at table index
// iseed = (k + ZDITHER0 − 1) mod 10000 and at position nextrand = int(rand[iseed]·500); after each
// pixel nextrand advances, and when it reaches 10000 iseed advances and nextrand restarts.

export const N_RANDOM = 10000;
/** Quantised value that marks an undefined (NaN) pixel when no ZBLANK is given (cfitsio). */
export const NULL_VALUE = -2147483647;
/** SUBTRACTIVE_DITHER_2 marks pixels that were exactly 0.0 with this value. */
export const ZERO_VALUE = -2147483646;

export type QuantizeMethod = 'NO_DITHER' | 'SUBTRACTIVE_DITHER_1' | 'SUBTRACTIVE_DITHER_2';

let table: Float32Array | null = null;

/** cfitsio's dither table; the 10000th seed must be 1043618065 (checked, as cfitsio does). */
export function ditherTable(): Float32Array {
  if (table) return table;
  const a = 16807;
  const m = 2147483647;
  const t = new Float32Array(N_RANDOM);
  let seed = 1;
  for (let i = 0; i < N_RANDOM; i++) {
    const temp = a * seed; // < 2^46, exact in a double
    seed = temp - m * Math.trunc(temp / m);
    t[i] = seed / m; // rounded to float, as cfitsio stores it
  }
  if (seed !== 1043618065) throw new Error('dither table: wrong Park–Miller sequence');
  table = t;
  return t;
}

/**
 * Restores float pixels of one tile from quantised integers:
 * value = (q − r + 0.5)·scale + zero with dithering, q·scale + zero without.
 * `blank` (ZBLANK) marks NaN pixels; SUBTRACTIVE_DITHER_2 turns ZERO_VALUE back into 0.0.
 * `tileIndex` is 0-based; `ditherSeed` is ZDITHER0 (1..10000).
 */
export function unquantizeTile(
  q: Int32Array,
  npix: number,
  out: Float32Array | Float64Array,
  scale: number,
  zero: number,
  method: QuantizeMethod,
  tileIndex: number,
  ditherSeed: number,
  blank: number | undefined,
): void {
  const hasBlank = blank !== undefined;
  const nullv = hasBlank ? blank : NaN;
  if (method === 'NO_DITHER') {
    for (let i = 0; i < npix; i++) {
      const v = q[i]!;
      out[i] = hasBlank && v === nullv ? NaN : v * scale + zero;
    }
    return;
  }
  const rand = ditherTable();
  let iseed = (((tileIndex + ditherSeed - 1) % N_RANDOM) + N_RANDOM) % N_RANDOM;
  let nextrand = Math.trunc(rand[iseed]! * 500);
  const keepZero = method === 'SUBTRACTIVE_DITHER_2';
  const special = hasBlank || keepZero;
  // Runs between wraps of nextrand need no per-pixel wrap test (same sequence as cfitsio).
  for (let i = 0; i < npix; ) {
    const end = Math.min(npix, i + (N_RANDOM - nextrand));
    let k = nextrand - i;
    if (!special) {
      for (; i < end; i++) out[i] = (q[i]! - rand[k + i]! + 0.5) * scale + zero;
    } else {
      for (; i < end; i++) {
        const v = q[i]!;
        if (hasBlank && v === nullv) out[i] = NaN;
        else if (keepZero && v === ZERO_VALUE) out[i] = 0;
        else out[i] = (v - rand[k + i]! + 0.5) * scale + zero;
      }
    }
    k += i;
    if (k === N_RANDOM) {
      iseed++;
      if (iseed === N_RANDOM) iseed = 0;
      nextrand = Math.trunc(rand[iseed]! * 500);
    } else nextrand = k;
  }
}
