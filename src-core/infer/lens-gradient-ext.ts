// Analytic gradient of the profiled χ² of the extended lens model (lens-model-ext.ts, 17 parameters, with or
// without point sources), replacing its forward differences (18 renders per gradient → about 2).
// As for the 12-parameter model (lens-gradient.ts): by the envelope theorem dχ²/dθ = ∂χ²/∂θ at the NNLS
// amplitudes A*; with ρ_b = (model_b − data_b)/σ² and the adjoint PSF, R_c = Σ_b A_cb K_bᵀ ρ_b, the extended
// components contribute 2 Σ_j R_c[j] ∂P_c[j]/∂θ, accumulated in one pass over the sub-pixels.
//   Source I_s(β), β = θ − α_SIE(θ − c) − Γ(θ − c):  ∂β/∂p = −∂α/∂p for θE, q, φ, γ; ∂β/∂c = (J_SIE + Γ) (sie-derivatives.ts).
//   Lens light I_l(θ − c; R_e, n, q, φ): the Sérsic derivatives of lens-gradient.ts, and ∂/∂c = −∂/∂θ.
// Point images: template T_k = PSF at the image θ_k (Keys interpolation, point-template.ts), so
//   ∂χ²/∂θ_k = 2 Σ_b A_kb ρ_b · ∂T_kb/∂θ_k (pointTemplateGradient), and θ_k moves with the parameters by the
//   implicit function theorem on the lens equation F = θ − α(θ − c) − β_s = 0 with 𝒜 = ∂F/∂θ = I − J − Γ:
//   dθ_k/dβ_s = 𝒜⁻¹, dθ_k/dp = 𝒜⁻¹ ∂α/∂p (mass), dθ_k/dc = −𝒜⁻¹ (J + Γ).
// Shapelets (source with shapelets, shapelets.ts): S_b(β) = Σ_k a_kb B_k((β − β_s)/β_sc), β_sc = β(r_e) (= r_e by
//   default; ExtLensModel.shapeletScale); their
//   coefficients are profiled too (signed, under a fixed Gaussian prior: the envelope theorem still holds), so they
//   add ∂S/∂β to the source's ∂I/∂β (the same chain through the lens equation and the source centre) and
//   dβ_sc/dr_e · ∂S/∂β_sc, ∂S/∂β_sc = −(u ∂S/∂u + v ∂S/∂v)/β_sc, to ∂/∂r_e. Their coefficients differ per band, so Kᵀρ is kept per band.
// The image set is that of the render at θ (it changes only on a caustic, where the new pair enters with
// amplitude ≥ 0 at the critical curve). Units: arcsec, radians; ellipticities chain through q = (1−e)/(1+e),
// φ = ½ atan2(e2, e1).
import { sersicBn } from '../lens/profiles/sersic';
import { adjointPsf, massEllipticityByDifferences, sersicBnPrime } from './lens-gradient';
import { addSieExact, ellipticityToQPhi } from './lens-model';
import type { ExtLensModel } from './lens-model-ext';
import { pointTemplateGradient } from './point-template';
import { shapeletGradient } from './shapelets';
import { SieDerivatives } from './sie-derivatives';

/** Per-sample Sérsic terms: ∂ln I/∂(x, y) of the profile's argument and ∂ln I/∂(R_e, n, q, φ). */
class SersicTerms {
  dx = 0; dy = 0; dRe = 0; dN = 0; dQ = 0; dP = 0;
  private readonly c: number;
  private readonly s: number;
  private readonly re2: number;
  private readonly b: number;
  private readonly bp: number;

  constructor(readonly re: number, readonly n: number, readonly q: number, phi: number) {
    this.c = Math.cos(phi);
    this.s = Math.sin(phi);
    this.re2 = re * re;
    this.b = sersicBn(n);
    this.bp = sersicBnPrime(n);
  }

  /** At offset (dx, dy) from the profile's centre, with t = s^{1/(2n)} and ln s from the forward pass (lnS is
   * not cached for n = 4, so it is recomputed then). */
  at(dx: number, dy: number, t: number, lnS: number): void {
    const { c, s, q, re2, n, b } = this;
    const xr = c * dx + s * dy, yr = c * dy - s * dx;
    const ss = Math.max((q * xr * xr + (yr * yr) / q) / re2, 1e-300);
    const lns = Math.max(n === 4 ? Math.log(ss) : lnS, -690.7755);
    const dIds = (-b * t) / (2 * n * ss); // ∂ln I/∂s
    this.dx = (dIds * 2 * (q * xr * c - (yr * s) / q)) / re2;
    this.dy = (dIds * 2 * (q * xr * s + (yr * c) / q)) / re2;
    this.dRe = (b * t) / (n * this.re);
    this.dN = -this.bp * (t - 1) + (b * t * lns) / (2 * n * n);
    this.dQ = (dIds * (xr * xr - (yr * yr) / (q * q))) / re2;
    this.dP = (dIds * 2 * xr * yr * (q - 1 / q)) / re2;
  }
}

/** (∂/∂q, ∂/∂φ) → (∂/∂e1, ∂/∂e2) for q = (1−e)/(1+e), φ = ½ atan2(e2, e1). */
function chainEllipticity(gq: number, gp: number, a: number, b: number): [number, number] {
  const e = Math.hypot(a, b);
  if (e < 1e-12) return [0, 0];
  const dqde = -2 / ((1 + e) * (1 + e));
  return [gq * dqde * (a / e) + gp * (-b / (2 * e * e)), gq * dqde * (b / e) + gp * (a / (2 * e * e))];
}

export class ExtLensGradient {
  private readonly rho: Float64Array;
  private readonly rSrc: Float64Array;
  private readonly rLens: Float64Array;
  private readonly tmp: Float64Array;
  private readonly adj: Float64Array;
  private readonly amps: Float64Array;
  private readonly ptG: Float64Array;
  private readonly g2 = new Float64Array(2);
  /** Kᵀρ per band (shapelets only) and the per-sub-pixel coefficient sums Σ_b a_kb (Kᵀρ_b)[j]. */
  private readonly adjB: Float64Array;
  private readonly cS: Float64Array;
  private readonly one = [new Float64Array(1), new Float64Array(1), new Float64Array(1), new Float64Array(1)] as const;

  constructor(readonly model: ExtLensModel) {
    const side = model.grid.side;
    this.rho = new Float64Array(model.npix);
    this.rSrc = new Float64Array(side * side);
    this.rLens = new Float64Array(side * side);
    this.tmp = new Float64Array(side * side);
    this.adj = new Float64Array(side * side);
    this.amps = new Float64Array(model.nLinear);
    this.ptG = new Float64Array(2 * model.maxImages);
    this.adjB = new Float64Array(model.nShapelets ? model.data.bands * side * side : 0);
    this.cS = new Float64Array(model.nShapelets);
  }

  /** χ² at t (amplitudes profiled) and dχ²/dt into grad (length 17). */
  chi2AndGradient(t: ArrayLike<number>, grad: Float64Array): number {
    const m = this.model;
    const { chi2 } = m.solve(t, this.amps);
    grad.fill(0);
    if (!Number.isFinite(chi2)) return chi2;
    const g = m.grid, n = m.npix, size = m.data.size, ps = m.data.pixelScale;
    const w = m.weights, yw = m.weightedData;
    const nc = m.nBase, ns = m.nShapelets, nb = m.data.bands, side2 = g.side * g.side;
    const c0 = (size - 1) / 2;
    this.rSrc.fill(0);
    this.rLens.fill(0);
    this.ptG.fill(0);
    this.adjB.fill(0);
    const shp = (b: number) => this.amps.subarray(nb * nc + b * ns, nb * nc + (b + 1) * ns);
    for (let b = 0; b < nb; b++) {
      const a = this.amps.subarray(b * nc, (b + 1) * nc), as = shp(b);
      const anyShp = as.some((v) => v !== 0);
      for (let i = 0; i < n; i++) {
        const k = b * n + i;
        let v = a[0]! * m.srcT[k]! + a[1]! * m.lensT[k]!;
        for (let p = 2; p < nc; p++) if (a[p] !== 0) v += a[p]! * m.ptT[p - 2]![k]!;
        if (anyShp) for (let p = 0; p < ns; p++) v += as[p]! * m.shpT[(p * nb + b) * n + i]!;
        this.rho[i] = (v * w[k]! - yw[k]!) * w[k]!;
      }
      const psf = m.data.psf[b]!;
      // Kᵀρ once per band (the costly part with a wide pixelised PSF), then scaled into each component.
      if (a[0] !== 0 || a[1] !== 0 || anyShp) {
        this.adj.fill(0);
        adjointPsf(this.rho, g.side, g.margin, psf, 1, this.adj, this.tmp);
        if (anyShp) this.adjB.set(this.adj, b * side2);
        const as = a[0]!, al = a[1]!;
        for (let j = 0; j < this.adj.length; j++) {
          const v = this.adj[j]!;
          this.rSrc[j] = this.rSrc[j]! + as * v;
          this.rLens[j] = this.rLens[j]! + al * v;
        }
      }
      for (let k = 0; k < nc - 2; k++) {
        const amp = a[2 + k]!, im = m.images[k];
        if (amp === 0 || !im) continue;
        pointTemplateGradient(this.rho, size, psf, c0 + im.x / ps, c0 + im.y / ps, this.g2);
        this.ptG[2 * k] = this.ptG[2 * k]! + (amp * this.g2[0]!) / ps;
        this.ptG[2 * k + 1] = this.ptG[2 * k + 1]! + (amp * this.g2[1]!) / ps;
      }
    }
    const thetaE = t[0]!, cx = t[3]!, cy = t[4]!, g1 = t[5]!, g2 = t[6]!, srcX = t[7]!, srcY = t[8]!;
    const mass = ellipticityToQPhi(t[1]!, t[2]!);
    const src = ellipticityToQPhi(t[11]!, t[12]!);
    const light = ellipticityToQPhi(t[15]!, t[16]!);
    const sie = new SieDerivatives(thetaE, mass.q, mass.phi);
    const analyticQ = sie.k > 1e-3;
    const S = new SersicTerms(t[9]!, t[10]!, src.q, src.phi);
    const L = new SersicTerms(t[13]!, t[14]!, light.q, light.phi);
    // Half-gradients ∂(χ²/2)/∂(θE, q_m, φ_m, cx, cy, γ1, γ2, sx, sy, sRe, sn, s_q, s_φ, lRe, ln, l_q, l_φ).
    let gT = 0, gQm = 0, gPm = 0, gCx = 0, gCy = 0, gG1 = 0, gG2 = 0, gSx = 0, gSy = 0;
    let gSre = 0, gSn = 0, gSq = 0, gSp = 0, gLre = 0, gLn = 0, gLq = 0, gLp = 0;
    const { x: xs, y: ys, pix, wt, n: ng } = g;
    const { sx: dxs, sy: dys, bx, by } = m;
    const sc = m.srcCache, lc = m.lensCache;
    const basis = m.shapelets, beta = basis ? m.shapeletScale(t[9]!) : 1, dBeta = basis ? m.shapeletScaleDerivative(t[9]!) : 0, area = ps * ps, cS = this.cS, gS = this.g2;
    for (let s = 0; s < ng; s++) {
      const j = pix[s]!;
      const Rs = this.rSrc[j]!, Rl = this.rLens[j]!;
      // Shapelets: c_k = Σ_b a_kb (Kᵀρ_b)[j]; then ∂(χ²/2)/∂β of Σ_k c_k B_k at this sub-pixel.
      let hx = 0, hy = 0;
      if (basis) {
        let any = false;
        cS.fill(0);
        for (let b = 0; b < nb; b++) {
          const r = this.adjB[b * side2 + j]!;
          if (r === 0) continue;
          const as = shp(b);
          for (let k = 0; k < ns; k++) cS[k] = cS[k]! + as[k]! * r;
          any = true;
        }
        if (any) {
          const u = (bx[s]! - srcX) / beta, v = (by[s]! - srcY) / beta;
          shapeletGradient(basis, u, v, cS, gS);
          const f = wt[s]! / area;
          hx = (f * gS[0]!) / beta;
          hy = (f * gS[1]!) / beta;
          gSre -= dBeta * (u * hx + v * hy);
        }
      }
      if (Rs === 0 && Rl === 0 && hx === 0 && hy === 0) continue;
      const dx = dxs[s]!, dy = dys[s]!;
      if (Rs !== 0 || hx !== 0 || hy !== 0) {
        // lx, ly: ∂(χ²/2)/∂β at this sub-pixel, Sérsic and shapelets together.
        let lx = hx, ly = hy;
        if (Rs !== 0) {
          const f = wt[s]! * Rs * sc.I[s]!;
          S.at(bx[s]! - srcX, by[s]! - srcY, sc.t[s]!, sc.lnS[s]!);
          lx += f * S.dx;
          ly += f * S.dy;
          gSre += f * S.dRe;
          gSn += f * S.dN;
          gSq += f * S.dQ;
          gSp += f * S.dP;
        }
        gSx -= lx;
        gSy -= ly;
        gG1 -= lx * dx - ly * dy;
        gG2 -= lx * dy + ly * dx;
        // SIE deflection from the ray shooting: β = x − α_SIE − Γd.
        const ax = xs[s]! - bx[s]! - (g1 * dx + g2 * dy);
        const ay = ys[s]! - by[s]! - (g2 * dx - g1 * dy);
        gT -= (lx * ax + ly * ay) / thetaE;
        sie.at(dx, dy, ax, ay);
        gPm -= lx * sie.dpx + ly * sie.dpy;
        if (analyticQ) gQm -= lx * sie.dqx + ly * sie.dqy;
        gCx += lx * (sie.j11 + g1) + ly * (sie.j12 + g2);
        gCy += lx * (sie.j12 + g2) + ly * (sie.j22 - g1);
      }
      if (Rl !== 0) {
        const f = wt[s]! * Rl * lc.I[s]!;
        L.at(dx, dy, lc.t[s]!, lc.lnS[s]!);
        gCx -= f * L.dx;
        gCy -= f * L.dy;
        gLre += f * L.dRe;
        gLn += f * L.dN;
        gLq += f * L.dQ;
        gLp += f * L.dP;
      }
    }
    // Point images: ∂(χ²/2)/∂θ_k = ptG_k, carried to the parameters through the lens equation.
    const [px, py, pax, pay] = this.one;
    for (let k = 0; k < nc - 2; k++) {
      const im = m.images[k];
      const Gx = this.ptG[2 * k]!, Gy = this.ptG[2 * k + 1]!;
      if (!im || (Gx === 0 && Gy === 0)) continue;
      const dx = im.x - cx, dy = im.y - cy;
      px[0] = dx; py[0] = dy; pax[0] = 0; pay[0] = 0;
      addSieExact(px, py, 1, thetaE, mass.q, mass.phi, pax, pay);
      sie.at(dx, dy, pax[0]!, pay[0]!);
      const T11 = sie.j11 + g1, T12 = sie.j12 + g2, T22 = sie.j22 - g1;
      const A11 = 1 - T11, A12 = -T12, A22 = 1 - T22;
      const det = A11 * A22 - A12 * A12;
      if (!(Math.abs(det) > 1e-12)) continue; // on a critical curve: the image's position is not differentiable
      const vx = (A22 * Gx - A12 * Gy) / det, vy = (A11 * Gy - A12 * Gx) / det; // 𝒜⁻ᵀ G (𝒜 symmetric)
      gSx += vx;
      gSy += vy;
      gT += (vx * pax[0]! + vy * pay[0]!) / thetaE;
      gG1 += vx * dx - vy * dy;
      gG2 += vx * dy + vy * dx;
      gPm += vx * sie.dpx + vy * sie.dpy;
      if (analyticQ) gQm += vx * sie.dqx + vy * sie.dqy;
      gCx -= vx * T11 + vy * T12;
      gCy -= vx * T12 + vy * T22;
    }
    const [gE1, gE2] = chainEllipticity(gQm, gPm, t[1]!, t[2]!);
    const [gSe1, gSe2] = chainEllipticity(gSq, gSp, t[11]!, t[12]!);
    const [gLe1, gLe2] = chainEllipticity(gLq, gLp, t[15]!, t[16]!);
    const half = [gT, gE1, gE2, gCx, gCy, gG1, gG2, gSx, gSy, gSre, gSn, gSe1, gSe2, gLre, gLn, gLe1, gLe2];
    for (let i = 0; i < 17; i++) grad[i] = 2 * half[i]!;
    if (!analyticQ) massEllipticityByDifferences(this.model, t, grad, this.amps);
    return chi2;
  }
}
