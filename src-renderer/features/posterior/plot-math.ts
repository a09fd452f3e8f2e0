// Pure helpers for the posterior plots (corner and trace): columns of thinned draws, robust axis ranges,
// histograms and linear scales. No DOM; tested in test/posterior-plot-math.test.ts.
import type { PosteriorSamples } from '../../../src-core/api/contract';

/** Draws of parameter `name` per chain (empty arrays when the parameter is absent). */
export function chainColumn(s: PosteriorSamples, name: string): number[][] {
  const j = s.parameters.indexOf(name);
  const P = s.parameters.length;
  return s.draws.map((d) => {
    if (j < 0) return [];
    const out: number[] = [];
    for (let i = j; i < d.length; i += P) out.push(d[i]!);
    return out;
  });
}

/** [lo, hi] covering the 0.5–99.5 % range of the values, padded by 5 % (never zero width). */
export function axisRange(values: number[]): [number, number] {
  if (!values.length) return [0, 1];
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))]!;
  let lo = at(0.005), hi = at(0.995);
  if (hi <= lo) {
    const w = Math.abs(lo) * 1e-3 || 1e-3;
    lo -= w;
    hi += w;
  }
  const pad = 0.05 * (hi - lo);
  return [lo - pad, hi + pad];
}

/** Counts in `bins` equal bins over [lo, hi]; values outside are dropped. */
export function histogram(values: number[], lo: number, hi: number, bins: number): number[] {
  const c = new Array<number>(bins).fill(0);
  const w = (hi - lo) / bins;
  for (const v of values) {
    if (!(v >= lo && v <= hi)) continue;
    c[Math.min(bins - 1, Math.floor((v - lo) / w))]!++;
  }
  return c;
}

/** Linear map of [d0, d1] onto [r0, r1]. */
export function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = (r1 - r0) / (d1 - d0 || 1);
  return (v) => r0 + (v - d0) * k;
}

/** Short label for a number with ~4 significant digits. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toPrecision(4);
}

/** Display names (astronomer's words) of the fit parameters. */
export const PARAM_LABELS: Record<string, string> = {
  theta_E: 'θE (″)', e1: 'e1 (mass)', e2: 'e2 (mass)', gamma1: 'γ1', gamma2: 'γ2', src_x: 'source x (″)', src_y: 'source y (″)',
  src_r_e: 'source Rₑ (″)', src_n: 'source n', src_e1: 'source e1', src_e2: 'source e2', lens_r_e: 'lens light Rₑ (″)',
};
