// TPV distortion (the SCAMP/IRAF "TAN + polynomial" convention registered with the FITS WCS
// community; wcslib implements it as a prior distortion on TAN). Applied to intermediate world
// coordinates (x, y) in degrees, r = √(x² + y²):
//   ξ = Σ_k PV1_k T_k(x, y, r),   η = Σ_k PV2_k T_k(y, x, r)     (note x ↔ y for η)
// with the 40 terms T_0…T_39 = 1, x, y, r, x², xy, y², x³, x²y, xy², y³, r³, x⁴ … y⁴, x⁵ … y⁵, r⁵,
// x⁶ … y⁶, x⁷ … y⁷, r⁷ (odd powers of r at k = 3, 11, 23, 39).

/** Powers (i, j, rPower) of each term k: value x^i y^j r^rPower. */
const TERMS: Array<[number, number, number]> = (() => {
  const t: Array<[number, number, number]> = [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]];
  for (let deg = 2; deg <= 7; deg++) {
    for (let j = 0; j <= deg; j++) t.push([deg - j, j, 0]);
    if (deg % 2 === 1) t.push([0, 0, deg]);
  }
  return t;
})();

export interface TpvPolynomial {
  /** Coefficients by term index k (0…39). */
  readonly xi: Float64Array;
  readonly eta: Float64Array;
}

/** PV1_k / PV2_k → polynomial. An axis without any PV keyword is the identity (PVi_1 = 1). */
export function tpvFromPv(pv1: ReadonlyMap<number, number> | undefined, pv2: ReadonlyMap<number, number> | undefined): TpvPolynomial {
  const fill = (m: ReadonlyMap<number, number> | undefined): Float64Array => {
    const c = new Float64Array(TERMS.length);
    if (!m || m.size === 0) c[1] = 1;
    else for (const [k, v] of m) if (k < TERMS.length) c[k] = v;
    return c;
  };
  return { xi: fill(pv1), eta: fill(pv2) };
}

/** Σ c_k T_k(x, y, r) and its derivatives ∂/∂x, ∂/∂y (powers tabulated once per call). */
function evalTerms(c: Float64Array, x: number, y: number): [number, number, number] {
  const r = Math.hypot(x, y);
  const xp = [1, x, x * x, 0, 0, 0, 0, 0];
  const yp = [1, y, y * y, 0, 0, 0, 0, 0];
  for (let k = 3; k < 8; k++) {
    xp[k] = xp[k - 1] * x;
    yp[k] = yp[k - 1] * y;
  }
  let f = 0;
  let fx = 0;
  let fy = 0;
  for (let k = 0; k < TERMS.length; k++) {
    const ck = c[k];
    if (ck === 0) continue;
    const t = TERMS[k];
    const i = t[0], j = t[1], p = t[2];
    if (p > 0) {
      const rp = r ** p;
      f += ck * rp;
      if (r > 0) {
        const d = (p * rp) / (r * r); // ∂r^p/∂x = p r^(p−2) x
        fx += ck * d * x;
        fy += ck * d * y;
      }
    } else {
      f += ck * xp[i] * yp[j];
      if (i > 0) fx += ck * i * xp[i - 1] * yp[j];
      if (j > 0) fy += ck * j * xp[i] * yp[j - 1];
    }
  }
  return [f, fx, fy];
}

/** Intermediate (x, y) → distorted (ξ, η), degrees. */
export function tpvForward(t: TpvPolynomial, x: number, y: number): [number, number] {
  return [evalTerms(t.xi, x, y)[0], evalTerms(t.eta, y, x)[0]];
}

/** Distorted (ξ, η) → intermediate (x, y) by Newton's method; NaN when it fails to converge. */
export function tpvInverse(t: TpvPolynomial, xi: number, eta: number): [number, number] {
  let x = xi;
  let y = eta;
  for (let it = 0; it < 60; it++) {
    const [f, fx, fy] = evalTerms(t.xi, x, y);
    const [g, gy, gx] = evalTerms(t.eta, y, x); // η's polynomial takes (y, x)
    const rf = f - xi;
    const rg = g - eta;
    const det = fx * gy - fy * gx;
    if (det === 0 || !Number.isFinite(det)) return [NaN, NaN];
    const dx = (gy * rf - fy * rg) / det;
    const dy = (-gx * rf + fx * rg) / det;
    x -= dx;
    y -= dy;
    if (Math.abs(dx) < 1e-15 && Math.abs(dy) < 1e-15) return [x, y];
  }
  const [fx2, fy2] = tpvForward(t, x, y);
  return Math.hypot(fx2 - xi, fy2 - eta) < 1e-12 ? [x, y] : [NaN, NaN];
}
