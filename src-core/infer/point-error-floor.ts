// A point-source error floor: σ²_pix → σ²_pix + (f · P_pix)², P the model image of the quasar images alone (the
// fitted amplitudes times the PSF at the images' positions, e⁻) and f a fractional PSF-model error.
//
// Why: a bright lensed quasar (HE0435-1223 in HST F814W: image peaks of ~10⁶ e⁻ against a background σ ≈ 20 e⁻)
// is described by the PSF model to a few per cent at best (PSF variations across the field, sub-pixel
// interpolation, colour, jitter). Those residuals are many σ of the pixel noise, so a likelihood with the pixel
// variances alone gives χ²/pixel ≫ 1 at the MAP. Rescaling every variance by χ²/pixel (fit-lens.ts
// `inflateAbove`) spreads the quasars' misfit over the whole stamp: the extended light is then down-weighted
// 37× while the quasar pixels still hold residuals of hundreds of their σ, and the posterior stays needle-sharp
// and curved (docs/real-skies.md "HE0435-1223 with the analytic gradient": NUTS step sizes 1e-3 of the Laplace
// scale, chains stuck). Lens modellers instead add the PSF-model error where the point sources are:
// lenstronomy (Birrer & Amara 2018, Phys. Dark Univ. 22, 189) takes a `psf_variance_map` in its PSF class and
// adds amplitude² × that map, rendered at each point image (PointSourceRendering.psf_error_map), to the pixel
// variances; the H0LiCOW/TDCOSMO HST quad models use it. With a uniform relative map (f²) this is exactly the
// (f·P)² term here.
//
// f is fitted by maximum likelihood to the MAP residuals r = data − model under r_i ~ N(0, v_i + f² P_i²),
// i.e. it is the fractional error the residuals themselves show (one parameter, ~10³ pixels near the images),
// and the fit states it. The floor is computed once at the MAP and held fixed while sampling, so the sampled
// likelihood keeps its exact analytic gradient; the images move by milliarcseconds within the posterior, far
// less than the PSF width over which P changes.

/** Pixel variances with the floor added: v_i + (f·P_i)² (e⁻²). Pixels with v_i ≤ 0 or non-finite stay as they
 * are: they carry no weight (masked, no noise information). */
export function withPointErrorFloor(variance: ArrayLike<number>, pointImage: ArrayLike<number>, f: number): Float64Array {
  const out = Float64Array.from(variance);
  for (let i = 0; i < out.length; i++) {
    const v = out[i]!;
    if (!(v > 0) || !Number.isFinite(v)) continue;
    const s = f * pointImage[i]!;
    out[i] = v + s * s;
  }
  return out;
}

/** −2 log L of the residuals under N(0, v + f² P²), dropping the constant N log 2π (pixels with v > 0 only). */
export function floorDeviance(residual: ArrayLike<number>, variance: ArrayLike<number>, pointImage: ArrayLike<number>, f: number): number {
  let d = 0;
  for (let i = 0; i < residual.length; i++) {
    const v = variance[i]!;
    if (!(v > 0) || !Number.isFinite(v) || !Number.isFinite(residual[i]!)) continue;
    const s = f * pointImage[i]!;
    const t = v + s * s;
    d += (residual[i]! * residual[i]!) / t + Math.log(t);
  }
  return d;
}

export interface PointErrorFloor {
  /** Fractional PSF-model error of the point images (maximum likelihood over [fMin, fMax]). */
  f: number;
  /** −2 log L at f and with no floor (f = 0): their difference says how much the data ask for it. */
  deviance: number;
  devianceNoFloor: number;
  /** Whether f sits at an end of the search range (the residuals would take a smaller / larger floor). */
  atBound: boolean;
}

/**
 * Maximum-likelihood f for r_i ~ N(0, v_i + f² P_i²): a log-spaced scan of [fMin, fMax] (the deviance can have
 * a flat shelf at small f where f·P is below σ everywhere), then golden-section search in log f around the best
 * scan point. r = data − model and P in e⁻, v in e⁻².
 */
export function fitPointErrorFloor(
  residual: ArrayLike<number>, variance: ArrayLike<number>, pointImage: ArrayLike<number>,
  o: { fMin?: number; fMax?: number; scan?: number } = {},
): PointErrorFloor {
  const lo = Math.log(o.fMin ?? 1e-4), hi = Math.log(o.fMax ?? 1);
  const n = Math.max(3, o.scan ?? 41);
  const dev = (s: number) => floorDeviance(residual, variance, pointImage, Math.exp(s));
  let best = 0, bestD = Infinity;
  const grid = Array.from({ length: n }, (_, k) => lo + ((hi - lo) * k) / (n - 1));
  grid.forEach((s, k) => {
    const d = dev(s);
    if (d < bestD) { bestD = d; best = k; }
  });
  let a = grid[Math.max(0, best - 1)]!, b = grid[Math.min(n - 1, best + 1)]!;
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a), e = a + g * (b - a);
  let dc = dev(c), de = dev(e);
  for (let it = 0; it < 60 && b - a > 1e-7; it++) {
    if (dc < de) { b = e; e = c; de = dc; c = b - g * (b - a); dc = dev(c); }
    else { a = c; c = e; dc = de; e = a + g * (b - a); de = dev(e); }
  }
  let s = (a + b) / 2, d = dev(s);
  if (bestD < d) { s = grid[best]!; d = bestD; }
  return { f: Math.exp(s), deviance: d, devianceNoFloor: floorDeviance(residual, variance, pointImage, 0), atBound: best === 0 || best === n - 1 };
}
