// L-BFGS for smooth unconstrained minimisation (Nocedal & Wright 2006, "Numerical Optimization",
// Algorithm 7.4 two-loop recursion, initial scaling γ = sᵀy/yᵀy eq. 7.20) with a strong-Wolfe line
// search (Algorithms 3.5 and 3.6, zoom by safeguarded cubic interpolation; c1 = 1e-4, c2 = 0.9).
// Used for MAP of general log densities: minimise −log π.

/** f(x), writing ∇f(x) into gradOut. */
export type ObjectiveFn = (x: Float64Array, gradOut: Float64Array) => number;

export interface LbfgsOptions {
  f: ObjectiveFn;
  x0: Float64Array;
  /** History length. */
  memory?: number;
  maxIterations?: number;
  /** Budget of f evaluations. */
  maxEvals?: number;
  /** Stop when ‖∇f‖∞ ≤ gtol·max(1, |f|). */
  gtol?: number;
  /** Stop when the relative decrease of f is below ftol. */
  ftol?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  grad: Float64Array;
  iterations: number;
  nEvals: number;
  reason: 'gtol' | 'ftol' | 'maxIterations' | 'maxEvals' | 'lineSearch';
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

export function lbfgs(o: LbfgsOptions): LbfgsResult {
  const n = o.x0.length;
  const mem = o.memory ?? 7;
  const maxIt = o.maxIterations ?? 1000;
  const maxEvals = o.maxEvals ?? 20 * maxIt;
  const gtol = o.gtol ?? 1e-8;
  const ftol = o.ftol ?? 1e-14;
  const x = Float64Array.from(o.x0);
  const g = new Float64Array(n);
  let nEvals = 1;
  let fx = o.f(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rhoH: number[] = [];
  const d = new Float64Array(n);
  const alphaH = new Float64Array(mem);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  let reason: LbfgsResult['reason'] = 'maxIterations';
  let it = 0;

  const evalAt = (alpha: number) => {
    for (let i = 0; i < n; i++) xNew[i] = x[i]! + alpha * d[i]!;
    nEvals++;
    const f = o.f(xNew, gNew);
    return { f: Number.isNaN(f) ? Infinity : f, dphi: dot(gNew, d) };
  };

  for (; it < maxIt; it++) {
    let gInf = 0;
    for (let i = 0; i < n; i++) gInf = Math.max(gInf, Math.abs(g[i]!));
    if (gInf <= gtol * Math.max(1, Math.abs(fx))) {
      reason = 'gtol';
      break;
    }
    // Two-loop recursion: d = −H g.
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    const k = S.length;
    for (let j = k - 1; j >= 0; j--) {
      alphaH[j] = rhoH[j]! * dot(S[j]!, d);
      for (let i = 0; i < n; i++) d[i] = d[i]! - alphaH[j]! * Y[j]![i]!;
    }
    const gamma = k > 0 ? dot(S[k - 1]!, Y[k - 1]!) / dot(Y[k - 1]!, Y[k - 1]!) : 1 / Math.max(1, gInf);
    for (let i = 0; i < n; i++) d[i] = d[i]! * gamma;
    for (let j = 0; j < k; j++) {
      const beta = rhoH[j]! * dot(Y[j]!, d);
      for (let i = 0; i < n; i++) d[i] = d[i]! + S[j]![i]! * (alphaH[j]! - beta);
    }
    let dphi0 = dot(g, d);
    if (!(dphi0 < 0)) {
      // Not a descent direction (bad curvature pairs): restart from steepest descent.
      S.length = Y.length = rhoH.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i]! / Math.max(1, gInf);
      dphi0 = dot(g, d);
    }
    const ls = strongWolfe(evalAt, fx, dphi0, 1, () => nEvals >= maxEvals);
    if (!ls) {
      reason = nEvals >= maxEvals ? 'maxEvals' : 'lineSearch';
      break;
    }
    // evalAt left xNew/gNew at the accepted α.
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i]! - x[i]!;
      y[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(s, y);
    const fOld = fx;
    x.set(xNew);
    g.set(gNew);
    fx = ls.f;
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (S.length === mem) {
        S.shift();
        Y.shift();
        rhoH.shift();
      }
      S.push(s);
      Y.push(y);
      rhoH.push(1 / sy);
    }
    if (Math.abs(fOld - fx) <= ftol * Math.max(Math.abs(fOld), Math.abs(fx), 1)) {
      reason = 'ftol';
      it++;
      break;
    }
    if (nEvals >= maxEvals) {
      reason = 'maxEvals';
      it++;
      break;
    }
  }
  return { x, f: fx, grad: g, iterations: it, nEvals, reason };
}

type Phi = (alpha: number) => { f: number; dphi: number };

/** Strong-Wolfe line search; returns the accepted {alpha, f} with phi last evaluated there, or null. */
function strongWolfe(phi: Phi, f0: number, dphi0: number, alpha1: number, out: () => boolean): { alpha: number; f: number } | null {
  const c1 = 1e-4;
  const c2 = 0.9;
  let aPrev = 0;
  let fPrev = f0;
  let dPrev = dphi0;
  let a = alpha1;
  for (let i = 0; i < 40; i++) {
    if (out()) return null;
    const { f, dphi } = phi(a);
    if (f > f0 + c1 * a * dphi0 || (i > 0 && f >= fPrev) || !Number.isFinite(f))
      return zoom(phi, f0, dphi0, aPrev, fPrev, dPrev, a, f, Number.isFinite(dphi) ? dphi : NaN, out);
    if (Math.abs(dphi) <= -c2 * dphi0) return { alpha: a, f };
    if (dphi >= 0) return zoom(phi, f0, dphi0, a, f, dphi, aPrev, fPrev, dPrev, out);
    aPrev = a;
    fPrev = f;
    dPrev = dphi;
    a *= 2;
  }
  return null;
}

function zoom(
  phi: Phi, f0: number, dphi0: number,
  aLo: number, fLo: number, dLo: number,
  aHi: number, fHi: number, dHi: number,
  out: () => boolean,
): { alpha: number; f: number } | null {
  const c1 = 1e-4;
  const c2 = 0.9;
  for (let i = 0; i < 40; i++) {
    if (out()) return null;
    // Cubic interpolation between the bracket ends, safeguarded into its middle 80 %.
    let a = cubicMin(aLo, fLo, dLo, aHi, fHi, dHi);
    const lo = Math.min(aLo, aHi);
    const w = Math.abs(aHi - aLo);
    if (!Number.isFinite(a) || a < lo + 0.1 * w || a > lo + 0.9 * w) a = 0.5 * (aLo + aHi);
    const { f, dphi } = phi(a);
    if (f > f0 + c1 * a * dphi0 || f >= fLo || !Number.isFinite(f)) {
      aHi = a;
      fHi = f;
      dHi = dphi;
    } else {
      if (Math.abs(dphi) <= -c2 * dphi0) return { alpha: a, f };
      if (dphi * (aHi - aLo) >= 0) {
        aHi = aLo;
        fHi = fLo;
        dHi = dLo;
      }
      aLo = a;
      fLo = f;
      dLo = dphi;
    }
    if (w < 1e-16 * Math.max(1, Math.abs(aLo))) break;
  }
  // Accept the best sufficient-decrease point found, evaluated again so phi's buffers hold it.
  if (aLo > 0 && fLo < f0) {
    const { f } = phi(aLo);
    return { alpha: aLo, f };
  }
  return null;
}

/** Minimiser of the cubic through (a, fa, da) and (b, fb, db) (Nocedal & Wright eq. 3.59). */
function cubicMin(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  if (!Number.isFinite(fb) || !Number.isFinite(db)) return NaN;
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (disc < 0) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
}

/** MAP of a log density by L-BFGS on −log π (positions in the sampler's unconstrained coordinates). */
export function maximiseLogDensity(
  logDensityAndGrad: (q: Float64Array, g: Float64Array) => number,
  x0: Float64Array,
  options: Omit<LbfgsOptions, 'f' | 'x0'> = {},
): LbfgsResult & { logDensity: number } {
  const res = lbfgs({
    ...options,
    x0,
    f: (x, g) => {
      const lp = logDensityAndGrad(x, g);
      for (let i = 0; i < g.length; i++) g[i] = -g[i]!;
      return Number.isFinite(lp) ? -lp : Infinity;
    },
  });
  return { ...res, logDensity: -res.f };
}
