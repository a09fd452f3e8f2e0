// Simple Imaging Polynomial distortion (Shupe et al. 2005, ASP Conf. Ser. 347, 491).
// In pixel offsets from CRPIX (u, v) = (p − CRPIX) with 1-based p:
//   forward  u' = u + Σ A_pq u^p v^q,  v' = v + Σ B_pq u^p v^q   (then CD/PC applies to (u', v'))
//   inverse  u  = U + Σ AP_pq U^p V^q (approximate; refined by Newton iterations on the forward).
import type { SipPolynomial } from './params';

/** Σ c_pq u^p v^q and its partial derivatives (∂/∂u, ∂/∂v). */
function evalPoly(poly: SipPolynomial, u: number, v: number): [number, number, number] {
  const n = poly.order;
  let f = 0;
  let fu = 0;
  let fv = 0;
  let up = 1; // u^p
  let upm1 = 0; // u^(p−1)
  for (let p = 0; p <= n; p++) {
    let vq = 1;
    let vqm1 = 0;
    for (let q = 0; q + p <= n; q++) {
      const c = poly.coeff[p][q];
      if (c !== 0) {
        f += c * up * vq;
        fu += c * p * upm1 * vq;
        fv += c * q * up * vqm1;
      }
      vqm1 = vq;
      vq *= v;
    }
    upm1 = up;
    up *= u;
  }
  return [f, fu, fv];
}

export interface SipDistortion {
  readonly a: SipPolynomial;
  readonly b: SipPolynomial;
  readonly ap?: SipPolynomial;
  readonly bp?: SipPolynomial;
}

/** Forward SIP: (u, v) → (u', v') in pixels relative to CRPIX. */
export function sipForward(sip: SipDistortion, u: number, v: number): [number, number] {
  return [u + evalPoly(sip.a, u, v)[0], v + evalPoly(sip.b, u, v)[0]];
}

/**
 * Inverse SIP: (u', v') → (u, v) such that sipForward(u, v) = (u', v') to 1e-12 px. Starts from
 * AP/BP when present (or from (u', v')) and applies Newton steps with the analytic Jacobian.
 * NaN when it does not converge (a position far outside the fitted region).
 */
export function sipInverse(sip: SipDistortion, uu: number, vv: number): [number, number] {
  let u = uu;
  let v = vv;
  if (sip.ap && sip.bp) {
    u = uu + evalPoly(sip.ap, uu, vv)[0];
    v = vv + evalPoly(sip.bp, uu, vv)[0];
  }
  for (let it = 0; it < 50; it++) {
    const [fa, au, av] = evalPoly(sip.a, u, v);
    const [fb, bu, bv] = evalPoly(sip.b, u, v);
    const ru = u + fa - uu;
    const rv = v + fb - vv;
    const j11 = 1 + au;
    const j12 = av;
    const j21 = bu;
    const j22 = 1 + bv;
    const det = j11 * j22 - j12 * j21;
    if (det === 0 || !Number.isFinite(det)) return [NaN, NaN];
    const du = (j22 * ru - j12 * rv) / det;
    const dv = (-j21 * ru + j11 * rv) / det;
    u -= du;
    v -= dv;
    if (Math.abs(du) < 1e-13 * Math.max(1, Math.abs(u)) && Math.abs(dv) < 1e-13 * Math.max(1, Math.abs(v))) return [u, v];
  }
  const [fu, fv] = sipForward(sip, u, v);
  return Math.hypot(fu - uu, fv - vv) < 1e-9 ? [u, v] : [NaN, NaN];
}
