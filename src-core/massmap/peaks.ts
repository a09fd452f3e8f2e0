// Peak finding on a convergence map (mass-mapping.md §7 validation items 5/7): a peak is an observed pixel
// strictly larger than its 8 neighbours (all observed), away from the border, with signal-to-noise
// ν = κ/σ_κ above a threshold; σ_κ is the per-pixel noise (KS) or posterior (Wiener) standard deviation.
// Peak counts per S/N bin are the usual weak-lensing peak statistic (e.g. Dietrich & Hartlap 2010).
import { InputError } from '../errors';
import { fft2 } from '../math/fft';
import type { CardInput } from '../fits/card-format';
import type { BinTableHduSpec } from '../fits/writer';
import type { KsKernel } from './ks93';

export interface Peak {
  /** 0-based pixel. */
  x: number;
  y: number;
  ra: number;
  dec: number;
  kappa: number;
  std: number;
  snr: number;
}

export interface PeakOptions {
  /** S/N threshold (default 3). */
  threshold?: number;
  /** Pixels from the edge that cannot hold a peak (default 1). */
  margin?: number;
  mask?: ArrayLike<number>;
  /** Pixel → sky, degrees (the grid's TAN WCS); NaN when absent. */
  toSky?: (x: number, y: number) => [number, number];
}

/** Peaks with ν ≥ threshold, highest S/N first. `std` is one value per pixel or a constant. */
export function findPeaks(map: ArrayLike<number>, std: ArrayLike<number> | number, rows: number, cols: number, o: PeakOptions = {}): Peak[] {
  if (map.length !== rows * cols) throw new InputError('OPERATOR_SHAPE', `peak finder: map has ${map.length} pixels, expected ${rows * cols}`, {});
  const thr = o.threshold ?? 3, m = Math.max(1, o.margin ?? 1), mask = o.mask;
  const sd = (i: number) => (typeof std === 'number' ? std : std[i]!);
  const out: Peak[] = [];
  for (let y = m; y < rows - m; y++) {
    for (let x = m; x < cols - m; x++) {
      const i = y * cols + x, v = map[i]!;
      if (mask && !mask[i]) continue;
      const s = sd(i);
      if (!(s > 0) || !(v / s >= thr)) continue;
      let isMax = true;
      for (let dy = -1; dy <= 1 && isMax; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if (!dx && !dy) continue;
          const j = i + dy * cols + dx;
          if ((mask && !mask[j]) || !(map[j]! < v)) { isMax = false; break; }
        }
      }
      if (!isMax) continue;
      const [ra, dec] = o.toSky ? o.toSky(x, y) : [NaN, NaN];
      out.push({ x, y, ra, dec, kappa: v, std: s, snr: v / s });
    }
  }
  return out.sort((a, b) => b.snr - a.snr);
}

/** Number of peaks per S/N bin [edges[b], edges[b+1]). */
export function peakCounts(peaks: readonly Peak[], edges: readonly number[]): number[] {
  const c = new Array<number>(edges.length - 1).fill(0);
  for (const p of peaks) {
    for (let b = 0; b < c.length; b++) if (p.snr >= edges[b]! && p.snr < edges[b + 1]!) c[b]++;
  }
  return c;
}

export function peaksCsv(peaks: readonly Peak[]): string {
  const f = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(10)).toString() : '');
  return ['x,y,ra,dec,kappa,std,snr', ...peaks.map((p) => [p.x, p.y, f(p.ra), f(p.dec), f(p.kappa), f(p.std), f(p.snr)].join(','))].join('\n') + '\n';
}

export function peaksTable(peaks: readonly Peak[], cards: CardInput[] = []): BinTableHduSpec {
  const col = (name: string, format: string, values: number[], unit?: string) => ({ name, format, values, unit });
  return {
    kind: 'bintable', extname: 'PEAKS', nrows: peaks.length, cards,
    columns: [
      col('X', 'J', peaks.map((p) => p.x), 'pix'), col('Y', 'J', peaks.map((p) => p.y), 'pix'),
      col('RA', 'D', peaks.map((p) => p.ra), 'deg'), col('DEC', 'D', peaks.map((p) => p.dec), 'deg'),
      col('KAPPA', 'D', peaks.map((p) => p.kappa)), col('STD', 'D', peaks.map((p) => p.std)), col('SNR', 'D', peaks.map((p) => p.snr)),
    ],
  };
}

/**
 * Noise std of a (Gaussian-smoothed) KS map from the per-pixel shear variance: σ²_κ ≈ K² ⋆ σ²_γ, with K
 * the smoothing kernel (a delta without smoothing). Exact for white noise (KS is unitary); for noise
 * varying across the field it is the local approximation. Masked pixels contribute nothing (zero-filled).
 */
export function ksNoiseStd(k: KsKernel, variance: ArrayLike<number>, sigmaRad: number): Float64Array {
  const n = k.rows * k.cols, out = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = Number.isFinite(variance[i]!) ? variance[i]! : 0;
  if (sigmaRad === 0) return v.map(Math.sqrt);
  // K² in Fourier: K̂ = exp(−½ℓ²σ²) ⇒ K (pixels) by inverse FFT; then square and transform back.
  const kr = new Float64Array(n), ki = new Float64Array(n);
  for (let i = 0; i < n; i++) kr[i] = Math.exp(-0.5 * k.ell[i]! ** 2 * sigmaRad * sigmaRad) / n;
  fft2(kr, ki, k.rows, k.cols, true);
  for (let i = 0; i < n; i++) { kr[i] = kr[i]! * kr[i]!; ki[i] = 0; }
  fft2(kr, ki, k.rows, k.cols, false);
  const vi = new Float64Array(n);
  fft2(v, vi, k.rows, k.cols, false);
  for (let i = 0; i < n; i++) {
    const a = v[i]!, b = vi[i]!, c = kr[i]!, d = ki[i]!;
    v[i] = a * c - b * d;
    vi[i] = a * d + b * c;
  }
  fft2(v, vi, k.rows, k.cols, true);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(Math.max(0, v[i]! / n));
  return out;
}
