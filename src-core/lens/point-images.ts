// Images of a point source: all solutions θ of the lens equation β = θ − α(θ) for a given source
// position β, with their signed magnifications μ = 1 / det(I − H) (Schneider, Ehlers & Falco 1992,
// "Gravitational Lenses", §5.1–5.2; H = Hessian of the lensing potential, angles in arcsec).
//
// Method (the triangle-mapping search of Keeton 2001, astro-ph/0102340 §4, also used by
// lenstronomy's LensEquationSolver): a fine square grid over the image plane is split into
// triangles, each mapped to the source plane; every triangle whose image contains β brackets one
// solution (mapping is a local diffeomorphism away from critical curves, and a flipped triangle
// still contains β when a negative-parity image lies inside it). Each bracket starts a Newton
// iteration θ ← θ − (I − H)⁻¹ (θ − α(θ) − β), polished to |β(θ) − β| < tol. Solutions closer
// than `mergeRadius` are one image. Singular centres (SIE/SIS: α jumps at r = 0, the
// "central image" has μ → 0) produce brackets whose Newton steps do not converge; they are dropped.
import { massProfile } from './profiles/registry';
import type { MassComponent } from './scene';

export interface PointImage {
  /** Image position, arcsec (same frame as the mass components). */
  x: number;
  y: number;
  /** Signed magnification 1 / det(I − H): > 0 minima/maxima, < 0 saddle points. */
  mu: number;
  /** |β(θ) − β| after the polish, arcsec. */
  residual: number;
}

export interface SolveOptions {
  /** Half-width of the searched square, arcsec (default 3·(max θE) + 2|β|, at least 1). */
  searchRadius?: number;
  /** Grid step, arcsec (default searchRadius / 80; cells crossed by a critical curve are searched 8× finer). */
  step?: number;
  /** Required |β(θ) − β| (arcsec, default 1e-9). */
  tolerance?: number;
  /** Images closer than this are one (arcsec, default step / 4). */
  mergeRadius?: number;
  /** Images with |μ| below this are dropped (the demagnified central image of a cored lens). */
  minAbsMu?: number;
}

const tmp = new Float64Array(2);
const hes = new Float64Array(3);

/** β = θ − α(θ) into out. */
export function rayShoot(mass: readonly MassComponent[], x: number, y: number, out: Float64Array | number[]): void {
  let ax = 0, ay = 0;
  for (const m of mass) {
    massProfile(m.profile).deflection(x, y, m.params, tmp);
    ax += tmp[0]!;
    ay += tmp[1]!;
  }
  out[0] = x - ax;
  out[1] = y - ay;
}

/** Jacobian A = I − H as [a11, a12, a22] (symmetric). */
export function lensJacobian(mass: readonly MassComponent[], x: number, y: number): [number, number, number] {
  let hxx = 0, hxy = 0, hyy = 0;
  for (const m of mass) {
    massProfile(m.profile).hessian(x, y, m.params, hes);
    hxx += hes[0]!;
    hxy += hes[1]!;
    hyy += hes[2]!;
  }
  return [1 - hxx, -hxy, 1 - hyy];
}

/** Signed magnification at θ: 1 / det(I − H). */
export function magnification(mass: readonly MassComponent[], x: number, y: number): number {
  const [a, b, d] = lensJacobian(mass, x, y);
  return 1 / (a * d - b * b);
}

function defaultRadius(mass: readonly MassComponent[], bx: number, by: number): number {
  let te = 0;
  for (const m of mass) te = Math.max(te, m.params.theta_E ?? 0);
  return Math.max(1, 3 * te + 2 * Math.hypot(bx, by));
}

/** Newton polish from (x, y); null when it does not converge (singular centre, critical curve). */
function polish(mass: readonly MassComponent[], bx: number, by: number, x: number, y: number, tol: number, maxStep: number): { x: number; y: number; r: number } | null {
  const b = [0, 0];
  for (let it = 0; it < 40; it++) {
    rayShoot(mass, x, y, b);
    const fx = b[0]! - bx, fy = b[1]! - by;
    const r = Math.hypot(fx, fy);
    if (r < tol) return { x, y, r };
    const [a11, a12, a22] = lensJacobian(mass, x, y);
    const det = a11 * a22 - a12 * a12;
    if (!Number.isFinite(det) || det === 0) return null;
    let dx = (a22 * fx - a12 * fy) / det;
    let dy = (a11 * fy - a12 * fx) / det;
    // Damped near critical curves, where (I − H)⁻¹ is huge: never jump more than a few cells.
    const len = Math.hypot(dx, dy);
    if (len > maxStep) { dx *= maxStep / len; dy *= maxStep / len; }
    x -= dx;
    y -= dy;
  }
  rayShoot(mass, x, y, b);
  const r = Math.hypot(b[0]! - bx, b[1]! - by);
  return r < tol ? { x, y, r } : null;
}

/** Barycentric test: is (px, py) inside the triangle (a, b, c) (either orientation)? */
function inTriangle(px: number, py: number, ax: number, ay: number, bx: number, by: number, cx: number, cy: number): boolean {
  const d1 = (px - bx) * (ay - by) - (ax - bx) * (py - by);
  const d2 = (px - cx) * (by - cy) - (bx - cx) * (py - cy);
  const d3 = (px - ax) * (cy - ay) - (cx - ax) * (py - ay);
  const neg = d1 < 0 || d2 < 0 || d3 < 0;
  const pos = d1 > 0 || d2 > 0 || d3 > 0;
  return !(neg && pos);
}

/**
 * Every image of a point source at (bx, by) behind `mass`, ordered by arrival along decreasing |μ|.
 * Deterministic (no random starts), so a simulated quasar is reproducible from its (seed, index).
 */
export function solvePointImages(mass: readonly MassComponent[], bx: number, by: number, o: SolveOptions = {}): PointImage[] {
  const R = o.searchRadius ?? defaultRadius(mass, bx, by);
  const h = o.step ?? R / 80;
  const tol = o.tolerance ?? 1e-9;
  const merge = o.mergeRadius ?? h / 4;
  const n = Math.ceil((2 * R) / h) + 1;
  const cx = mass.find((m) => m.profile !== 'SHEAR')?.params.center_x ?? 0;
  const cy = mass.find((m) => m.profile !== 'SHEAR')?.params.center_y ?? 0;
  // Grid offset by a fraction of a step so no vertex sits exactly on a singular centre.
  const x0 = cx - R + 0.3183 * h, y0 = cy - R + 0.2718 * h;
  // The grid is mapped with the profiles' vectorised deflections (the simulator's fast path;
  // ~1e-6 θE accurate): only bracketing uses it, the polish uses the exact scalar formulae.
  const gx = new Float64Array(n * n), gy = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) { gx[j * n + i] = x0 + i * h; gy[j * n + i] = y0 + j * h; }
  const ax = new Float64Array(n * n), ay = new Float64Array(n * n);
  for (const m of mass) massProfile(m.profile).addDeflections(gx, gy, n * n, m.params, ax, ay);
  const sx = new Float64Array(n * n), sy = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) { sx[k] = gx[k]! - ax[k]!; sy[k] = gy[k]! - ay[k]!; }
  const found: PointImage[] = [];
  const tryStart = (x: number, y: number) => {
    const s = polish(mass, bx, by, x, y, tol, 3 * h);
    if (!s) return;
    if (found.some((f) => Math.hypot(f.x - s.x, f.y - s.y) < merge)) return;
    const mu = magnification(mass, s.x, s.y);
    if (!Number.isFinite(mu) || Math.abs(mu) < (o.minAbsMu ?? 0)) return;
    found.push({ x: s.x, y: s.y, mu, residual: s.r });
  };
  // Orientation (sign of the mapped area) of each cell's two triangles: it flips across a critical
  // curve, where two images can share one cell; such cells are searched again on a finer sub-grid.
  const orient = (ax: number, ay: number, bx2: number, by2: number, cx2: number, cy2: number) => Math.sign((bx2 - ax) * (cy2 - ay) - (cx2 - ax) * (by2 - ay));
  const m = n - 1;
  const o1 = new Int8Array(m * m), o2 = new Int8Array(m * m);
  for (let j = 0; j < m; j++) for (let i = 0; i < m; i++) {
    const k00 = j * n + i, k10 = k00 + 1, k01 = k00 + n, k11 = k01 + 1;
    o1[j * m + i] = orient(sx[k00]!, sy[k00]!, sx[k10]!, sy[k10]!, sx[k11]!, sy[k11]!);
    o2[j * m + i] = orient(sx[k00]!, sy[k00]!, sx[k11]!, sy[k11]!, sx[k01]!, sy[k01]!);
  }
  const critical = (i: number, j: number): boolean => {
    const c = j * m + i, ref = o1[c]!;
    if (o2[c] !== ref) return true;
    for (const [di, dj] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
      const ii = i + di, jj = j + dj;
      if (ii >= 0 && jj >= 0 && ii < m && jj < m && (o1[jj * m + ii] !== ref || o2[jj * m + ii] !== ref)) return true;
    }
    return false;
  };
  const SUB = 8;
  const b = [0, 0];
  const fx = new Float64Array((SUB + 1) * (SUB + 1)), fy = new Float64Array((SUB + 1) * (SUB + 1));
  const searchCell = (xa: number, ya: number, step: number, k: number, X: Float64Array, Y: Float64Array, stride: number, i: number, j: number) => {
    const k00 = k, k10 = k00 + 1, k01 = k00 + stride, k11 = k01 + 1;
    // Two triangles per cell: (00, 10, 11) and (00, 11, 01); start Newton at the triangle's centroid.
    if (inTriangle(bx, by, X[k00]!, Y[k00]!, X[k10]!, Y[k10]!, X[k11]!, Y[k11]!)) tryStart(xa + ((i + 2 / 3)) * step, ya + (j + 1 / 3) * step);
    if (inTriangle(bx, by, X[k00]!, Y[k00]!, X[k11]!, Y[k11]!, X[k01]!, Y[k01]!)) tryStart(xa + (i + 1 / 3) * step, ya + (j + 2 / 3) * step);
  };
  for (let j = 0; j < m; j++) for (let i = 0; i < m; i++) {
    if (!critical(i, j)) {
      searchCell(x0, y0, h, j * n + i, sx, sy, n, i, j);
      continue;
    }
    const xa = x0 + i * h, ya = y0 + j * h, hs = h / SUB;
    for (let v = 0; v <= SUB; v++) for (let u = 0; u <= SUB; u++) {
      rayShoot(mass, xa + u * hs, ya + v * hs, b);
      fx[v * (SUB + 1) + u] = b[0]!;
      fy[v * (SUB + 1) + u] = b[1]!;
    }
    for (let v = 0; v < SUB; v++) for (let u = 0; u < SUB; u++) searchCell(xa, ya, hs, v * (SUB + 1) + u, fx, fy, SUB + 1, u, v);
  }
  found.sort((a, c) => Math.abs(c.mu) - Math.abs(a.mu));
  return found;
}
