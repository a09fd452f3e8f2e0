// Singular isothermal ellipsoid (SIE). Kormann, Schneider & Bartelmann (1994, A&A 284, 285);
// Keeton (2001, astro-ph/0102341) with core s → 0. Einstein radius θE in the intermediate-axis
// convention: κ = θE / (2 √(q x'² + y'²/q)) in the major-axis frame (x', y').
// Deflection prefactor θE √q / √(1 − q²): the one that satisfies ∇·α = 2κ (same normalisation
// as lenstronomy's SIE/NIE and COOLEST); a prefactor off by a factor q still passes the
// potential-gradient and q → 1 checks, so the Poisson test in profiles.test.ts is the one that pins it.
import { rotateSymInto } from './ellipse';
import { centreParams, type Hess3, type MassProfile, type Params, type Vec2 } from './types';

/** Below this √(1 − q²) the SIS formula is used (relative error of the SIE branch ~ k² there). */
const K_SIS = 1e-6;
/** Floor on radii so that r → 0 gives α → 0 (SIE) / finite values instead of NaN. */
const TINY = 1e-300;

/**
 * SIE deflection with the major axis on x: writes (αx', αy') into out. q in (0, 1].
 * At the exact centre α = (0, 0) (the limit along the axes; α is direction-dependent there).
 */
export function sieMajorFrame(x: number, y: number, thetaE: number, q: number, out: Vec2): void {
  const k = Math.sqrt((1 - q) * (1 + q)); // √(1 − q²) without cancellation near q = 1
  if (k < K_SIS) {
    const r = Math.max(Math.sqrt(x * x + y * y), TINY);
    out[0] = (thetaE * x) / r;
    out[1] = (thetaE * y) / r;
    return;
  }
  const w = Math.max(Math.sqrt(q * q * x * x + y * y), TINY);
  const amp = (thetaE * Math.sqrt(q)) / k;
  out[0] = amp * Math.atan((k * x) / w);
  out[1] = amp * Math.atanh((k * y) / w);
}

const scratch = new Float64Array(2);

// Grid fast path. α is homogeneous of degree 0: with ω = √(q²x'² + y'²), s = y'/ω and
// c = q x'/ω satisfy c² + s² = 1, so αx' = A·sgn(x')·atan(k√(1 − s²)/q) and αy' = A·atanh(k s)
// are functions of s alone (and of c alone: A·atan(k c/q), A·sgn(y')·atanh(k√(1 − c²))).
// Tabulating them per lens on |s| ≤ 1/√2 and |c| ≤ 1/√2 (where the square roots stay smooth) and
// interpolating linearly replaces an atan and a log per sample by a division and two lookups.
// Error ≤ Δ²/8 · max|G''| ≈ 1e-6 A for q ≥ 0.3 with 1024 intervals (A = θE√q/k); the test
// compares every grid point with the analytic scalar formula.
const T_N = 1024;
const HALF_SQRT2 = Math.SQRT1_2;
const T_SCALE = T_N / (2 * HALF_SQRT2);
const TS1 = new Float64Array(T_N + 2);
const TS2 = new Float64Array(T_N + 2);
const TC1 = new Float64Array(T_N + 2);
const TC2 = new Float64Array(T_N + 2);

function fillAngularTables(q: number, k: number): void {
  for (let j = 0; j <= T_N + 1; j++) {
    const u = Math.min(HALF_SQRT2, -HALF_SQRT2 + j / T_SCALE);
    const r = Math.sqrt(1 - u * u);
    TS1[j] = Math.atan((k * r) / q);
    TS2[j] = Math.atanh(k * u);
    TC1[j] = Math.atan((k * u) / q);
    TC2[j] = Math.atanh(k * r);
  }
}

function frame(x: number, y: number, p: Params) {
  const c = Math.cos(p.phi);
  const s = Math.sin(p.phi);
  const dx = x - p.center_x;
  const dy = y - p.center_y;
  return { c, s, xr: c * dx + s * dy, yr: c * dy - s * dx };
}

export const SIE: MassProfile = {
  kind: 'mass',
  name: 'SIE',
  params: [
    { name: 'theta_E', unit: 'arcsec', lower: 0.01, upper: 10, default: 1, doc: 'Einstein radius (intermediate axis)' },
    { name: 'q', unit: '', lower: 0.1, upper: 1, default: 0.8, doc: 'axis ratio of the convergence' },
    { name: 'phi', unit: 'rad', lower: -Math.PI, upper: Math.PI, default: 0, doc: 'major-axis angle from +x, CCW' },
    ...centreParams,
  ],
  potential(x, y, p) {
    // ψ is homogeneous of degree 1, so ψ = x'αx' + y'αy' (Euler) in the major-axis frame.
    const f = frame(x, y, p);
    sieMajorFrame(f.xr, f.yr, p.theta_E, p.q, scratch);
    return f.xr * scratch[0] + f.yr * scratch[1];
  },
  deflection(x, y, p, out) {
    const f = frame(x, y, p);
    sieMajorFrame(f.xr, f.yr, p.theta_E, p.q, scratch);
    out[0] = f.c * scratch[0] - f.s * scratch[1];
    out[1] = f.s * scratch[0] + f.c * scratch[1];
  },
  hessian(x, y, p, out: Hess3) {
    // α is homogeneous of degree 0, so H·(x', y') = 0: H' = 2κ/r² [[y'², −x'y'], [−x'y', x'²]].
    const f = frame(x, y, p);
    const r2 = Math.max(f.xr * f.xr + f.yr * f.yr, TINY);
    const twoKappaOverR2 = (2 * this.convergence(x, y, p)) / r2;
    rotateSymInto(
      twoKappaOverR2 * f.yr * f.yr, -twoKappaOverR2 * f.xr * f.yr, twoKappaOverR2 * f.xr * f.xr,
      f.c, f.s, out,
    );
  },
  convergence(x, y, p) {
    const f = frame(x, y, p);
    const q = p.q;
    return p.theta_E / (2 * Math.max(Math.sqrt(q * f.xr * f.xr + (f.yr * f.yr) / q), 1e-150));
  },
  addDeflections(xs, ys, n, p, ax, ay) {
    const thetaE = p.theta_E;
    const q = p.q;
    const c = Math.cos(p.phi);
    const s = Math.sin(p.phi);
    const cx = p.center_x;
    const cy = p.center_y;
    const k = Math.sqrt((1 - q) * (1 + q));
    if (k < K_SIS) {
      for (let i = 0; i < n; i++) {
        const dx = xs[i] - cx;
        const dy = ys[i] - cy;
        const f = thetaE / Math.max(Math.sqrt(dx * dx + dy * dy), TINY);
        ax[i] += f * dx;
        ay[i] += f * dy;
      }
      return;
    }
    const amp = (thetaE * Math.sqrt(q)) / k;
    fillAngularTables(q, k);
    const q2 = q * q;
    for (let i = 0; i < n; i++) {
      const dx = xs[i] - cx;
      const dy = ys[i] - cy;
      const xr = c * dx + s * dy;
      const yr = c * dy - s * dx;
      const w2 = q2 * xr * xr + yr * yr;
      if (w2 === 0) continue; // α(0) = 0
      const inv = 1 / Math.sqrt(w2);
      const sy = yr * inv; // s = y'/ω, and (q x'/ω)² + s² = 1
      let a1: number, a2: number;
      if (sy <= HALF_SQRT2 && sy >= -HALF_SQRT2) {
        const u = (sy + HALF_SQRT2) * T_SCALE;
        const j = u | 0;
        const f = u - j;
        a1 = TS1[j] + f * (TS1[j + 1] - TS1[j]);
        if (xr < 0) a1 = -a1;
        a2 = TS2[j] + f * (TS2[j + 1] - TS2[j]);
      } else {
        const u = (q * xr * inv + HALF_SQRT2) * T_SCALE;
        const j = u | 0;
        const f = u - j;
        a1 = TC1[j] + f * (TC1[j + 1] - TC1[j]);
        a2 = TC2[j] + f * (TC2[j + 1] - TC2[j]);
        if (yr < 0) a2 = -a2;
      }
      a1 *= amp;
      a2 *= amp;
      ax[i] += c * a1 - s * a2;
      ay[i] += s * a1 + c * a2;
    }
  },
};
