// HCOMPRESS_1 decode-time smoothing (cfitsio fits_hdecompress.c hsmooth; White 1992), used when
// ZVAL2 (SMOOTH) ≠ 0. Integers are exact in float64; C shifts become floor divisions.

/**
 * cfitsio hsmooth: cosmetic smoothing at decode (SMOOTH ≠ 0) — adjusts the x, y and curvature
 * differences of each 2×2 block towards the slopes implied by its neighbours, limited to ±scale/2
 * and by monotonicity, so lossy (SCALE > 1) tiles show fewer block artefacts.
 */
export function hsmooth(a: Float64Array, nxtop: number, nytop: number, ny: number, scale: number): void {
  const smax = Math.floor(scale / 2);
  if (smax <= 0) return;
  const ny2 = ny * 2;
  const clamp = (v: number, lo: number, hi: number): number => Math.max(Math.min(v, hi), lo);
  const div = (s: number, d: number): number => (s >= 0 ? Math.floor(s / d) : Math.floor((s + d - 1) / d));
  for (let i = 2; i < nxtop - 2; i += 2) {
    let s00 = ny * i;
    let s10 = s00 + ny;
    for (let j = 0; j < nytop; j += 2) {
      const hm = a[s00 - ny2]!;
      const h0 = a[s00]!;
      const hp = a[s00 + ny2]!;
      let diff = hp - hm;
      const dmax = Math.max(Math.min(hp - h0, h0 - hm), 0) * 4;
      const dmin = Math.min(Math.max(hp - h0, h0 - hm), 0) * 4;
      if (dmin < dmax) {
        diff = clamp(diff, dmin, dmax);
        const s = clamp(div(diff - a[s10]! * 8, 8), -smax, smax);
        a[s10] = a[s10]! + s;
      }
      s00 += 2;
      s10 += 2;
    }
  }
  for (let i = 0; i < nxtop; i += 2) {
    let s00 = ny * i + 2;
    for (let j = 2; j < nytop - 2; j += 2) {
      const hm = a[s00 - 2]!;
      const h0 = a[s00]!;
      const hp = a[s00 + 2]!;
      let diff = hp - hm;
      const dmax = Math.max(Math.min(hp - h0, h0 - hm), 0) * 4;
      const dmin = Math.min(Math.max(hp - h0, h0 - hm), 0) * 4;
      if (dmin < dmax) {
        diff = clamp(diff, dmin, dmax);
        const s = clamp(div(diff - a[s00 + 1]! * 8, 8), -smax, smax);
        a[s00 + 1] = a[s00 + 1]! + s;
      }
      s00 += 2;
    }
  }
  for (let i = 2; i < nxtop - 2; i += 2) {
    let s00 = ny * i + 2;
    let s10 = s00 + ny;
    for (let j = 2; j < nytop - 2; j += 2) {
      const hmm = a[s00 - ny2 - 2]!;
      const hpm = a[s00 + ny2 - 2]!;
      const hmp = a[s00 - ny2 + 2]!;
      const hpp = a[s00 + ny2 + 2]!;
      const h0 = a[s00]!;
      let diff = hpp + hmm - hmp - hpm;
      const hx2 = a[s10]! * 2;
      const hy2 = a[s00 + 1]! * 2;
      let m1 = Math.min(Math.max(hpp - h0, 0) - hx2 - hy2, Math.max(h0 - hpm, 0) + hx2 - hy2);
      let m2 = Math.min(Math.max(h0 - hmp, 0) - hx2 + hy2, Math.max(hmm - h0, 0) + hx2 + hy2);
      const dmax = Math.min(m1, m2) * 16;
      m1 = Math.max(Math.min(hpp - h0, 0) - hx2 - hy2, Math.min(h0 - hpm, 0) + hx2 - hy2);
      m2 = Math.max(Math.min(h0 - hmp, 0) - hx2 + hy2, Math.min(hmm - h0, 0) + hx2 + hy2);
      const dmin = Math.max(m1, m2) * 16;
      if (dmin < dmax) {
        diff = clamp(diff, dmin, dmax);
        const s = clamp(div(diff - a[s10 + 1]! * 64, 64), -smax, smax);
        a[s10 + 1] = a[s10 + 1]! + s;
      }
      s00 += 2;
      s10 += 2;
    }
  }
}
