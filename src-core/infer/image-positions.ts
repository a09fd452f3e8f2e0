// Quasar images in a cutout and a lens model that puts them there: the starting point of the 'sie+ps' fit and
// the test behind `fit --model auto`.
//  1. compactPeaks: peaks of the image minus its running median (a smooth model of the lens light and arcs:
//     what a smooth model leaves is compact), kept when they are PSF-like — the fraction of their flux in the
//     central pixel is at least 0.6 × the PSF's own — and significant (S/N ≥ minSnr). An arc or a galaxy's
//     core is broader than the PSF and fails the first test.
//  2. fitLensToImages: SIE + shear + centre + source position fitted to the image positions by Levenberg–
//     Marquardt on image-plane residuals A(θᵢ)⁻¹(βᵢ − β), i.e. the source-plane mismatch mapped back through
//     the magnification matrix (the usual "image-plane" approximation of position fitting; Keeton 2001,
//     astro-ph/0102340 §5), with weak Gaussian priors on e, γ and the centre that settle the directions a
//     double (4 constraints) or a quad (8 constraints for 9 parameters) leaves open.
import type { PsfKernel } from '../lens/psf';
import { lensJacobian, rayShoot, solvePointImages } from '../lens/point-images';
import type { LensCutout } from './lens-model';
import { ExtLensModel } from './lens-model-ext';
import { levenbergMarquardt } from './optimize/levenberg-marquardt';

export interface CompactPeak {
  /** Position in arcsec from the stamp centre (x along columns). */
  x: number;
  y: number;
  /** Peak of the median-subtracted image over σ. */
  snr: number;
  /** Fraction of the 5 × 5 residual flux in the peak pixel, over the PSF's same fraction. */
  compactness: number;
}

function median(v: number[]): number {
  v.sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : 0.5 * (v[m - 1]! + v[m]!);
}

/**
 * Compact peaks of one band (image and variance size × size, e⁻), brightest first. `psf` is the band's kernel;
 * peaks within `centreRadius` arcsec of the stamp centre (the deflector's nucleus) are left out.
 */
export function compactPeaks(
  image: ArrayLike<number>, variance: ArrayLike<number>, size: number, pixelScale: number, psf: PsfKernel,
  o: { minSnr?: number; centreRadius?: number; maxPeaks?: number; minCompactness?: number } = {},
): CompactPeak[] {
  const h = psf.h, w = 2 * h + 1;
  // The PSF's central fraction within 5 × 5 (the kernel is symmetric about its centre up to the flip).
  let core = 0;
  for (let a = -2; a <= 2; a++) for (let b = -2; b <= 2; b++) if (Math.abs(a) <= h && Math.abs(b) <= h) core += psf.k2[(h + a) * w + h + b]!;
  const psfFrac = psf.k2[h * w + h]! / core;
  // Running median over a box ~4 PSF widths wide (at least 7 pixels): removes light smoother than the PSF.
  let fwhmPx = 0;
  for (let b = 0; b < w; b++) if (psf.k2[h * w + b]! >= 0.5 * psf.k2[h * w + h]!) fwhmPx++;
  const r = Math.max(3, Math.ceil(2 * fwhmPx));
  const res = new Float64Array(size * size);
  const buf: number[] = [];
  for (let j = 0; j < size; j++)
    for (let i = 0; i < size; i++) {
      buf.length = 0;
      for (let b = Math.max(0, j - r); b <= Math.min(size - 1, j + r); b++)
        for (let a = Math.max(0, i - r); a <= Math.min(size - 1, i + r); a++) {
          const v = image[b * size + a]!;
          if (Number.isFinite(v) && variance[b * size + a]! > 0) buf.push(v);
        }
      res[j * size + i] = buf.length ? image[j * size + i]! - median(buf) : 0;
    }
  const c0 = (size - 1) / 2;
  const peaks: CompactPeak[] = [];
  for (let j = 2; j < size - 2; j++)
    for (let i = 2; i < size - 2; i++) {
      const k = j * size + i, v = res[k]!, vr = variance[k]!;
      if (!(vr > 0) || !Number.isFinite(v)) continue;
      const snr = v / Math.sqrt(vr);
      if (snr < (o.minSnr ?? 30)) continue;
      let isMax = true;
      for (let b = -1; b <= 1 && isMax; b++) for (let a = -1; a <= 1; a++) if ((a || b) && res[k + b * size + a]! >= v) { isMax = false; break; }
      if (!isMax) continue;
      let sum = 0;
      for (let b = -2; b <= 2; b++) for (let a = -2; a <= 2; a++) sum += Math.max(res[k + b * size + a]!, 0);
      const compactness = v / sum / psfFrac;
      if (compactness < (o.minCompactness ?? 0.6)) continue;
      // Sub-pixel centre: a parabola through the peak and its neighbours along each axis.
      const dx = parabola(res[k - 1]!, v, res[k + 1]!), dy = parabola(res[k - size]!, v, res[k + size]!);
      const x = (i + dx - c0) * pixelScale, y = (j + dy - c0) * pixelScale;
      if (Math.hypot(x, y) < (o.centreRadius ?? 0.3)) continue;
      peaks.push({ x, y, snr, compactness });
    }
  peaks.sort((a, b) => b.snr - a.snr);
  return peaks.slice(0, o.maxPeaks ?? 4);
}

const parabola = (l: number, c: number, r: number) => {
  const d = l - 2 * c + r;
  return d < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (l - r)) / d)) : 0;
};

export interface PositionFit {
  /** θE, e1, e2, centre x, y, γ1, γ2, β x, y. */
  params: number[];
  /** RMS image-plane mismatch of the images (arcsec), from the fitted model's own images. */
  rms: number;
  /** Number of images the fitted model predicts. */
  nPredicted: number;
}

/**
 * SIE + shear + centre + source position from 2–4 image positions (arcsec). Multi-start over θE (the images'
 * mean radius × 0.8, 1, 1.2) and the shear direction; returns the best fit, its RMS mismatch measured with
 * the lens-equation solver (not the approximation it was fitted with) and the number of predicted images.
 */
export function fitLensToImages(images: { x: number; y: number }[], o: { sigmaPos?: number } = {}): PositionFit | null {
  if (images.length < 2) return null;
  const sigma = o.sigmaPos ?? 0.005;
  const rMean = images.reduce((s, p) => s + Math.hypot(p.x, p.y), 0) / images.length;
  const b = [0, 0];
  const resid = (p: Float64Array, out: Float64Array) => {
    const mass = ExtLensModel.massComponents([p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!]);
    let k = 0;
    for (const im of images) {
      rayShoot(mass, im.x, im.y, b);
      const ex = b[0]! - p[7]!, ey = b[1]! - p[8]!;
      const [a11, a12, a22] = lensJacobian(mass, im.x, im.y);
      const det = a11 * a22 - a12 * a12;
      // δθ = A⁻¹ δβ (capped: near a critical curve A⁻¹ is huge and the linearisation useless).
      const inv = Math.abs(det) > 0.02 ? 1 / det : Math.sign(det || 1) * 50;
      out[k++] = ((a22 * ex - a12 * ey) * inv) / sigma;
      out[k++] = ((a11 * ey - a12 * ex) * inv) / sigma;
    }
    out[k++] = p[1]! / 0.3;
    out[k++] = p[2]! / 0.3;
    out[k++] = p[3]! / 0.3;
    out[k++] = p[4]! / 0.3;
    out[k++] = p[5]! / 0.1;
    out[k++] = p[6]! / 0.1;
  };
  const lower = Float64Array.from([0.1, -0.45, -0.45, -0.6, -0.6, -0.2, -0.2, -3, -3]);
  const upper = Float64Array.from([4, 0.45, 0.45, 0.6, 0.6, 0.2, 0.2, 3, 3]);
  let best: { x: Float64Array; cost: number } | null = null;
  for (const f of [0.8, 1, 1.2])
    for (const ang of [0, Math.PI / 4, Math.PI / 2, (3 * Math.PI) / 4]) {
      const x0 = Float64Array.from([rMean * f, 0.05 * Math.cos(2 * ang), 0.05 * Math.sin(2 * ang), 0, 0, 0.05 * Math.cos(2 * ang), 0.05 * Math.sin(2 * ang), 0, 0]);
      const r = levenbergMarquardt({ residuals: resid, nResiduals: 2 * images.length + 6, x0, lower, upper, maxEvals: 600, fdStep: 1e-7 });
      if (!best || r.cost < best.cost) best = { x: r.x, cost: r.cost };
    }
  const p = Array.from(best!.x);
  const mass = ExtLensModel.massComponents(p);
  const pred = solvePointImages(mass, p[7]!, p[8]!, { minAbsMu: 1e-3 });
  let s2 = 0;
  for (const im of images) s2 += Math.min(...pred.map((q2) => (q2.x - im.x) ** 2 + (q2.y - im.y) ** 2), 100);
  return { params: p, rms: Math.sqrt(s2 / images.length), nPredicted: pred.length };
}

/**
 * MAP starts of the extended model from a position fit: the mass and source position as fitted, the source
 * and lens-light shapes at a few typical values (compact host, de Vaucouleurs-like or exponential light).
 */
export function extStartsFromPositions(fit: PositionFit): number[][] {
  const [te, e1, e2, cx, cy, g1, g2, bx, by] = fit.params as [number, number, number, number, number, number, number, number, number];
  const starts: number[][] = [];
  for (const [sre, sn] of [[0.15, 1.5], [0.4, 1]])
    for (const [lre, ln] of [[0.8, 4], [0.5, 2]])
      starts.push([te, e1, e2, cx, cy, g1, g2, bx, by, sre, sn, 0, 0, lre, ln, 0.5 * e1, 0.5 * e2]);
  return starts;
}

/** Compact peaks of the band where they are most significant (the brightest peaks' summed S/N). */
export function detectPointImages(c: LensCutout, o: { minSnr?: number } = {}): { band: number; peaks: CompactPeak[] } {
  let best = { band: 0, peaks: [] as CompactPeak[], score: -1 };
  for (let b = 0; b < c.bands; b++) {
    const n = c.size * c.size;
    const peaks = compactPeaks(c.image.subarray(b * n, (b + 1) * n), c.variance.subarray(b * n, (b + 1) * n), c.size, c.pixelScale, c.psf[b]!, o);
    const score = peaks.reduce((s, p) => s + p.snr, 0);
    if (score > best.score) best = { band: b, peaks, score };
  }
  return { band: best.band, peaks: best.peaks };
}

/** What `fit --model auto` and the 'sie+ps' starts use: the detected images, the position fit and the MAP starts. */
export function pointSourceStarts(c: LensCutout): { peaks: CompactPeak[]; positionFit: PositionFit | null; starts: number[][] } {
  const { peaks } = detectPointImages(c);
  const positionFit = peaks.length >= 2 ? fitLensToImages(peaks) : null;
  return { peaks, positionFit, starts: positionFit ? extStartsFromPositions(positionFit) : [] };
}
