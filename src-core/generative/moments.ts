// Morphology statistics used to validate the Flow-VAE as Lanusse et al. 2020 do
// (deblending-and-generative.md §B6):
// - adaptive second moments (Bernstein & Jarvis 2002; Hirata & Seljak 2003; GalSim's HSM): the
//   elliptical Gaussian weight of covariance M with M = 2 × the weighted covariance of the image about
//   its weighted centroid; for a Gaussian profile of covariance C the fixed point is M = C.
//   Size σ = (det M)^¼, distortion e1 = (M11 − M22)/(M11 + M22), e2 = 2 M12/(M11 + M22).
// - the two-sample Kolmogorov–Smirnov test with the asymptotic p-value and Stephens' (1970) small-
//   sample correction λ = (√nₑ + 0.12 + 0.11/√nₑ)·D (as in Numerical Recipes §14.3).

export interface AdaptiveMoments {
  /** Size (det M)^¼, in the units of `pixelScale`. */
  sigma: number;
  e1: number;
  e2: number;
  /** Weighted centroid (0-based pixels, x = column). */
  x: number;
  y: number;
  converged: boolean;
  iterations: number;
}

export interface MomentOptions {
  pixelScale?: number;
  /** Initial weight σ in pixels (default 2). */
  sigma0?: number;
  maxIterations?: number;
  tolerance?: number;
}

/** Adaptive moments of a row-major width×height image (positive sources; noise is allowed). */
export function adaptiveMoments(img: ArrayLike<number>, width: number, height: number, o: MomentOptions = {}): AdaptiveMoments {
  const s0 = o.sigma0 ?? 2, maxIt = o.maxIterations ?? 200, tol = o.tolerance ?? 1e-6, scale = o.pixelScale ?? 1;
  let m11 = s0 * s0, m22 = s0 * s0, m12 = 0;
  let cx = (width - 1) / 2, cy = (height - 1) / 2;
  for (let it = 1; it <= maxIt; it++) {
    const det = m11 * m22 - m12 * m12;
    if (!(det > 0)) break;
    const i11 = m22 / det, i22 = m11 / det, i12 = -m12 / det;
    let s = 0, sx = 0, sy = 0;
    const wI = new Float64Array(width * height);
    for (let r = 0; r < height; r++)
      for (let c = 0; c < width; c++) {
        const dx = c - cx, dy = r - cy;
        const q = i11 * dx * dx + 2 * i12 * dx * dy + i22 * dy * dy;
        if (q > 50) continue; // weight < e⁻²⁵
        const v = Math.exp(-0.5 * q) * img[r * width + c]!;
        wI[r * width + c] = v;
        s += v;
        sx += v * c;
        sy += v * r;
      }
    if (!(s > 0)) break;
    const nx = sx / s, ny = sy / s;
    let c11 = 0, c22 = 0, c12 = 0;
    for (let r = 0; r < height; r++)
      for (let c = 0; c < width; c++) {
        const v = wI[r * width + c]!;
        if (v === 0) continue;
        const dx = c - nx, dy = r - ny;
        c11 += v * dx * dx;
        c22 += v * dy * dy;
        c12 += v * dx * dy;
      }
    const n11 = (2 * c11) / s, n22 = (2 * c22) / s, n12 = (2 * c12) / s;
    const change = Math.abs(n11 - m11) + Math.abs(n22 - m22) + Math.abs(n12 - m12) + Math.abs(nx - cx) + Math.abs(ny - cy);
    m11 = n11;
    m22 = n22;
    m12 = n12;
    cx = nx;
    cy = ny;
    if (!(m11 > 0 && m22 > 0 && m11 * m22 > m12 * m12)) break;
    if (change < tol * (m11 + m22)) {
      const tr = m11 + m22;
      return { sigma: (m11 * m22 - m12 * m12) ** 0.25 * scale, e1: (m11 - m22) / tr, e2: (2 * m12) / tr, x: cx, y: cy, converged: true, iterations: it };
    }
  }
  return { sigma: NaN, e1: NaN, e2: NaN, x: cx, y: cy, converged: false, iterations: maxIt };
}

/** Kolmogorov's Q(λ) = 2 Σ_{j≥1} (−1)^{j−1} exp(−2 j² λ²), the asymptotic P(D > observed). */
export function kolmogorovQ(lambda: number): number {
  if (lambda < 1e-3) return 1;
  let sum = 0;
  for (let j = 1; j <= 100; j++) {
    const t = 2 * (j % 2 ? 1 : -1) * Math.exp(-2 * j * j * lambda * lambda);
    sum += t;
    if (Math.abs(t) < 1e-12) break;
  }
  return Math.min(1, Math.max(0, sum));
}

/** Two-sample KS test: statistic D = sup |F_a − F_b| and its p-value. NaNs are dropped. */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): { d: number; p: number; na: number; nb: number } {
  const x = Float64Array.from(a).filter(Number.isFinite).sort(), y = Float64Array.from(b).filter(Number.isFinite).sort();
  const na = x.length, nb = y.length;
  if (na === 0 || nb === 0) return { d: NaN, p: NaN, na, nb };
  let i = 0, j = 0, d = 0;
  while (i < na && j < nb) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < na && x[i]! <= v) i++;
    while (j < nb && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / na - j / nb));
  }
  const ne = Math.sqrt((na * nb) / (na + nb));
  return { d, p: kolmogorovQ((ne + 0.12 + 0.11 / ne) * d), na, nb };
}
