// Convergence power spectra on a pixel grid (shared/reference/mass-mapping.md §4).
// A table (ℓ, C_ℓ) is interpolated log-log and held flat outside its range (numpy.interp, as the peer
// does). For the unitary DFT on an N × N grid of pixel side Δ (radians) the per-mode variance of κ is
// P_k = C_ℓ(|ℓ_k|)/Δ², with P_0 = 0 (the mean of κ is not measured).
import { InputError } from '../errors';
import { fft2 } from '../math/fft';
import type { KsKernel } from './ks93';

export interface PowerTable {
  readonly ell: Float64Array;
  readonly cl: Float64Array;
}

/**
 * Parses a power-spectrum table: CSV/TSV/whitespace text with two numeric columns ℓ, C_ℓ (a header line
 * naming them and '#' comments are skipped). ℓ must increase and C_ℓ be > 0 (it is interpolated in log).
 */
export function parsePowerTable(text: string, file = 'power spectrum'): PowerTable {
  const ell: number[] = [], cl: number[] = [];
  const lines = text.split(/\r?\n/);
  let iL = 0, iC = 1, seenHeader = false;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const f = line.split(/[\s,;]+/);
    if (!seenHeader && ell.length === 0 && f.some((x) => !Number.isFinite(Number(x)))) {
      seenHeader = true;
      const low = f.map((x) => x.toLowerCase());
      const a = low.findIndex((x) => x === 'ell' || x === 'l'), b = low.findIndex((x) => /^c_?ell$|^c_?l$|^cl$/.test(x));
      if (a >= 0) iL = a;
      if (b >= 0) iC = b;
      return;
    }
    const l = Number(f[iL]), c = Number(f[iC]);
    if (!Number.isFinite(l) || !Number.isFinite(c) || !(l > 0) || !(c > 0)) {
      throw new InputError('MASSMAP_PS', `${file}: line ${i + 1}: need ℓ > 0 and C_ℓ > 0, got '${line}'`, { file, row: i + 1 });
    }
    if (ell.length && !(l > ell[ell.length - 1]!)) {
      throw new InputError('MASSMAP_PS', `${file}: line ${i + 1}: ℓ = ${l} does not increase`, { file, row: i + 1 });
    }
    ell.push(l);
    cl.push(c);
  });
  if (ell.length < 2) throw new InputError('MASSMAP_PS', `${file}: needs at least 2 rows of (ℓ, C_ℓ), found ${ell.length}`, { file });
  return { ell: Float64Array.from(ell), cl: Float64Array.from(cl) };
}

/** C_ℓ at ℓ, log-log interpolation, flat outside the table. */
export function interpolateCl(t: PowerTable, l: number): number {
  const { ell, cl } = t, n = ell.length;
  if (!(l > ell[0]!)) return cl[0]!;
  if (l >= ell[n - 1]!) return cl[n - 1]!;
  let lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    const m = (lo + hi) >> 1;
    if (ell[m]! <= l) lo = m;
    else hi = m;
  }
  const x = Math.log(l), x0 = Math.log(ell[lo]!), x1 = Math.log(ell[hi]!);
  const y0 = Math.log(cl[lo]!), y1 = Math.log(cl[hi]!);
  return Math.exp(y0 + ((x - x0) / (x1 - x0)) * (y1 - y0));
}

/** Per-mode variance P_k = C_ℓ(|ℓ_k|)/Δ² of the unitary DFT, P_0 = 0. */
export function modeVariance(k: KsKernel, t: PowerTable): Float64Array {
  const out = new Float64Array(k.ell.length), a = k.pixRad * k.pixRad;
  for (let i = 1; i < out.length; i++) out[i] = interpolateCl(t, k.ell[i]!) / a;
  return out;
}

/** Power-law C_ℓ = A (ℓ/ℓ0)^−n (the peer's default stand-in: A = 6e-10, ℓ0 = 1000, n = 1.2). */
export function powerLawModeVariance(k: KsKernel, amp = 6e-10, ell0 = 1000, slope = 1.2): Float64Array {
  const out = new Float64Array(k.ell.length), a = k.pixRad * k.pixRad;
  for (let i = 1; i < out.length; i++) out[i] = (amp * (k.ell[i]! / ell0) ** -slope) / a;
  return out;
}

export interface MeasuredSpectrum {
  /** Bin centres (geometric mean of the edges) and mean |ℓ| of the modes in each bin. */
  ell: Float64Array;
  /** Ĉ_ℓ = Δ² · mean |κ̂_k|² (unitary DFT) per bin, divided by the unmasked fraction when a mask is given. */
  cl: Float64Array;
  modes: Int32Array;
}

/**
 * Binned power spectrum of a map in log-spaced annuli of |ℓ| between the fundamental 2π/(NΔ) and the
 * Nyquist π/Δ (§4). The map mean is removed. A mask (1 = observed) zeroes unobserved pixels and the result
 * is divided by the observed fraction (the first-order pseudo-C_ℓ correction of §4).
 */
export function measurePowerSpectrum(k: KsKernel, map: ArrayLike<number>, o: { bins?: number; mask?: ArrayLike<number> } = {}): MeasuredSpectrum {
  const n = k.rows * k.cols, bins = o.bins ?? 20;
  const re = new Float64Array(n), im = new Float64Array(n);
  let mean = 0, nObs = 0;
  for (let i = 0; i < n; i++) {
    if (!o.mask || o.mask[i]) {
      mean += map[i]!;
      nObs++;
    }
  }
  mean /= Math.max(nObs, 1);
  for (let i = 0; i < n; i++) re[i] = !o.mask || o.mask[i] ? map[i]! - mean : 0;
  fft2(re, im, k.rows, k.cols, false);
  const lMin = (2 * Math.PI) / (Math.max(k.rows, k.cols) * k.pixRad), lMax = Math.PI / k.pixRad;
  const edges = Array.from({ length: bins + 1 }, (_, b) => lMin * (lMax / lMin) ** (b / bins));
  const sum = new Float64Array(bins), sumL = new Float64Array(bins), cnt = new Int32Array(bins);
  const scale = (k.pixRad * k.pixRad) / n / Math.max(nObs / n, 1e-12);
  for (let i = 1; i < n; i++) {
    const l = k.ell[i]!;
    if (l < edges[0]! || l > edges[bins]!) continue;
    const b = Math.min(bins - 1, Math.floor((Math.log(l / lMin) / Math.log(lMax / lMin)) * bins));
    sum[b] += (re[i]! ** 2 + im[i]! ** 2) * scale;
    sumL[b] += l;
    cnt[b]++;
  }
  const ell = new Float64Array(bins), cl = new Float64Array(bins);
  for (let b = 0; b < bins; b++) {
    ell[b] = cnt[b] ? sumL[b]! / cnt[b]! : Math.sqrt(edges[b]! * edges[b + 1]!);
    cl[b] = cnt[b] ? sum[b]! / cnt[b]! : NaN;
  }
  return { ell, cl, modes: cnt };
}
