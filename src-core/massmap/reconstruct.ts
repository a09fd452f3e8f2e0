// One mass-map reconstruction from gridded shear: KS93 (optionally smoothed) or the Wiener filter, with
// the per-pixel uncertainty each method can give, and the FITS layout the CLI writes.
//  - KS93: κ_E, κ_B (smoothed alike), noise std ≈ √(K² ⋆ σ²_γ) (peaks.ts ksNoiseStd).
//  - Wiener: posterior mean κ_E. Posterior std: exact and constant for white noise without mask (§5a);
//    otherwise estimated from `samples` constrained realisations (Hoffman & Ribak 1991, §5a): for
//    κ_s ~ N(0, S), n_s ~ N(0, N), r_s = κ_s − W(Pκ_s + n_s) is a draw of (posterior sample − mean), so
//    std = √(mean r_s²); with samples = 0 the std is absent. κ_B is the KS B-mode (a null test; the
//    Wiener model has no B mode).
//  - hybrid (learned score prior): not here; it needs the score machinery of issue 13.
import { InputError } from '../errors';
import { fft2 } from '../math/fft';
import type { Rng } from '../rng';
import type { HduSpec } from '../fits/writer';
import type { CardInput } from '../fits/card-format';
import { gridWcsCards, type GriddedShear } from './grid';
import { ARCMIN_RAD, gaussianSmooth, ks93, ksKernel, shearFromKappa, type KsKernel } from './ks93';
import { ksNoiseStd } from './peaks';
import { isWhite, wienerFilter, wienerWhite } from './wiener';

export type MassMapMethod = 'ks93' | 'wiener' | 'hybrid';

export interface ReconstructOptions {
  method: MassMapMethod;
  /** Gaussian smoothing σ, arcmin (KS93; for Wiener it smooths nothing: the prior regularises). */
  smoothArcmin?: number;
  /** Per-mode prior variance P_k (Wiener). */
  modeVariance?: Float64Array;
  /** Constrained realisations for the Wiener posterior std when it has no closed form (default 0). */
  samples?: number;
  rng?: Rng;
  tol?: number;
  maxIter?: number;
  signal?: { readonly aborted: boolean };
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface MassMap {
  kernel: KsKernel;
  kappaE: Float64Array;
  kappaB: Float64Array;
  /** Per-pixel std (KS: noise; Wiener: posterior), or null when not computed. */
  std: Float64Array | null;
  stdKind: string;
  info: Record<string, string | number | boolean>;
}

export function hybridNotImplemented(): never {
  throw new InputError('MASSMAP_METHOD', 'method "hybrid" is not implemented yet (needs the learned score prior of issue 13); use --method ks93 or --method wiener', { option: 'method' });
}

function gaussianField(k: KsKernel, P: Float64Array, rng: Rng): Float64Array {
  const n = k.rows * k.cols, re = new Float64Array(n), im = new Float64Array(n);
  for (let i = 0; i < n; i++) re[i] = rng.normal();
  fft2(re, im, k.rows, k.cols, false);
  for (let i = 0; i < n; i++) {
    const s = Math.sqrt(P[i]!);
    re[i] = re[i]! * s;
    im[i] = im[i]! * s;
  }
  fft2(re, im, k.rows, k.cols, true);
  for (let i = 0; i < n; i++) re[i] = re[i]! / n;
  return re;
}

export function reconstruct(gs: GriddedShear, o: ReconstructOptions): MassMap {
  if (o.method === 'hybrid') hybridNotImplemented();
  const { rows, cols, pixArcmin } = gs.grid;
  const k = ksKernel(rows, cols, pixArcmin * ARCMIN_RAD);
  const smooth = (o.smoothArcmin ?? 0) * ARCMIN_RAD;
  const ks = ks93(k, gs.g1, gs.g2);
  const sm = gaussianSmooth(k, smooth, ks.kE, ks.kB);
  const info: Record<string, string | number | boolean> = { method: o.method, smoothArcmin: o.smoothArcmin ?? 0 };
  if (o.method === 'ks93') {
    return { kernel: k, kappaE: sm.a, kappaB: sm.b!, std: ksNoiseStd(k, gs.variance, smooth), stdKind: 'KS noise std sqrt(K^2 * var)', info };
  }
  const P = o.modeVariance;
  if (!P) throw new InputError('MASSMAP_PS', 'the Wiener filter needs a power spectrum (--ps FILE with columns ell, C_ell)', { option: 'ps' });
  if (isWhite(gs.variance)) {
    const w = wienerWhite(k, gs.g1, gs.g2, gs.variance[0]!, P);
    info.wiener = 'closed form';
    return { kernel: k, kappaE: w.kappa, kappaB: sm.b!, std: new Float64Array(rows * cols).fill(w.pixelStd), stdKind: 'Wiener posterior std (closed form)', info };
  }
  const wopts = { modeVariance: P, variance: gs.variance, tol: o.tol, maxIter: o.maxIter, signal: o.signal };
  o.onProgress?.('wiener', 0, 1 + (o.samples ?? 0));
  const w = wienerFilter(k, gs.g1, gs.g2, wopts);
  Object.assign(info, { wiener: w.method, iterations: w.iterations, residual: w.residual, converged: w.converged });
  const ns = o.samples ?? 0;
  if (ns <= 0) return { kernel: k, kappaE: w.kappa, kappaB: sm.b!, std: null, stdKind: 'absent: masked/non-white Wiener; use --samples N', info };
  if (!o.rng) throw new InputError('MASSMAP_SAMPLES', 'constrained realisations need a seeded random generator', {});
  const n = rows * cols, acc = new Float64Array(n);
  for (let s = 0; s < ns; s++) {
    const ks_ = gaussianField(k, P, o.rng);
    const { g1, g2 } = shearFromKappa(k, ks_);
    for (let i = 0; i < n; i++) {
      const v = gs.variance[i]!;
      if (Number.isFinite(v)) {
        const sd = Math.sqrt(v);
        g1[i] = g1[i]! + sd * o.rng.normal();
        g2[i] = g2[i]! + sd * o.rng.normal();
      } else g1[i] = g2[i] = 0;
    }
    const ws = wienerFilter(k, g1, g2, wopts).kappa;
    for (let i = 0; i < n; i++) acc[i] = acc[i]! + (ks_[i]! - ws[i]!) ** 2;
    o.onProgress?.('wiener samples', s + 1, ns);
  }
  info.samples = ns;
  return { kernel: k, kappaE: w.kappa, kappaB: sm.b!, std: acc.map((v) => Math.sqrt(v / ns)), stdKind: `Wiener posterior std, ${ns} constrained realisations`, info };
}

/** FITS HDUs: KAPPA_E, KAPPA_B, KAPPA_STD (when available), MASK, NGAL, each with the grid's TAN WCS. */
export function massMapHdus(gs: GriddedShear, m: MassMap, extra: CardInput[] = []): HduSpec[] {
  const { rows, cols } = gs.grid;
  const wcs = gridWcsCards(gs.grid);
  const prov: CardInput[] = [
    { keyword: 'MMMETHOD', value: String(m.info.method), comment: 'mass-mapping method' },
    { keyword: 'MMSMOOTH', value: Number(m.info.smoothArcmin), type: 'float', comment: 'Gaussian smoothing sigma, arcmin' },
    { keyword: 'SIGMA_E', value: gs.sigmaE, type: 'float', comment: 'shape noise per component' },
    ...extra,
  ];
  const img = (extname: string, data: Float32Array | Uint8Array | Int32Array, comment: string): HduSpec => ({
    kind: 'image', extname, shape: [rows, cols], data, cards: [...wcs, { keyword: 'COMMENT', value: comment }, ...prov],
  });
  const hdus: HduSpec[] = [
    { kind: 'image', shape: [], cards: [...prov, { keyword: 'COMMENT', value: 'LensDesk weak-lensing mass map (docs/massmap.md)' }] },
    img('KAPPA_E', Float32Array.from(m.kappaE), m.info.method === 'wiener' ? 'Wiener posterior mean of kappa (E mode)' : m.info.method === 'hybrid' ? 'hybrid-prior posterior mean of kappa (E mode)' : 'KS93 convergence, E mode'),
    img('KAPPA_B', Float32Array.from(m.kappaB), 'KS93 B mode (null test)'),
  ];
  if (m.std) hdus.push(img('KAPPA_STD', Float32Array.from(m.std), m.stdKind));
  else (hdus[0] as { cards: CardInput[] }).cards.push({ keyword: 'COMMENT', value: `KAPPA_STD ${m.stdKind}` });
  hdus.push(img('MASK', Uint8Array.from(gs.mask), '1 = pixel holds at least one galaxy'));
  hdus.push(img('NGAL', Int32Array.from(gs.count), 'galaxies per pixel'));
  return hdus;
}
