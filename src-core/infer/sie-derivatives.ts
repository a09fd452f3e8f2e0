// Derivatives of the SIE deflection (Kormann, Schneider & Bartelmann 1994, A&A 284, 285; the form of
// lens-model.ts addSieExact) at one point, for the analytic gradients of the lens models. In the major-axis
// frame (x', y') = R(−φ) d, with k = √(1 − q²), w = √(q²x'² + y'²), A = θE √q / k:
//   α' = A (atan(k x'/w), atanh(k y'/w)),   α = R(φ) α'.
// Jacobian (the potential's Hessian; 1 + (kx'/w)² = r²/w² and 1 − (ky'/w)² = q² r²/w², r² = x'² + y'²):
//   ∂α'/∂d' = (2κ / r²) [[y'², −x'y'], [−x'y', x'²]],  2κ = θE √q / w,   ∂α/∂d = R (∂α'/∂d') Rᵀ,
// finite at q → 1 (the SIS). ∂α/∂θE = α/θE (α ∝ θE). ∂α/∂φ = R(φ)(−α'_y + 2κ y', α'_x − 2κ x') (rotating
// the frame turns α' and moves the point: J'(y', −x') = 2κ (y', −x')). ∂α'/∂q from differentiating A, k and w
// (ill-conditioned as k → 0: callers fall back to differences of the likelihood for nearly round masses).

export class SieDerivatives {
  readonly c: number;
  readonly s: number;
  readonly k: number;
  private readonly A: number;
  private readonly dk: number;
  private readonly dlnA: number;
  private readonly tq: number;
  // Outputs of at(): ∂α/∂q, ∂α/∂φ and the Jacobian ∂α/∂d (symmetric) in the stamp frame.
  dqx = 0; dqy = 0; dpx = 0; dpy = 0; j11 = 0; j12 = 0; j22 = 0;

  constructor(readonly thetaE: number, readonly q: number, phi: number) {
    this.c = Math.cos(phi);
    this.s = Math.sin(phi);
    this.k = Math.sqrt((1 - q) * (1 + q));
    this.A = this.k > 0 ? (thetaE * Math.sqrt(q)) / this.k : 0;
    this.dk = this.k > 0 ? -q / this.k : 0; // dk/dq
    this.dlnA = this.k > 0 ? 1 / (2 * q) - this.dk / this.k : 0; // d ln A / dq
    this.tq = thetaE * Math.sqrt(q);
  }

  /** Derivatives at offset (dx, dy) from the centre, given the SIE deflection (ax, ay) there. */
  at(dx: number, dy: number, ax: number, ay: number): void {
    const { c, s, q, k, A } = this;
    const xm = c * dx + s * dy, ym = c * dy - s * dx; // major frame
    const a1 = c * ax + s * ay, a2 = -s * ax + c * ay;
    const ww = Math.max(Math.sqrt(q * q * xm * xm + ym * ym), 1e-150);
    const kappa2 = this.tq / ww; // 2κ
    const r2 = Math.max(xm * xm + ym * ym, 1e-300);
    const K = kappa2 / r2;
    const m11 = K * ym * ym, m12 = -K * xm * ym, m22 = K * xm * xm;
    this.j11 = c * c * m11 - 2 * c * s * m12 + s * s * m22;
    this.j22 = s * s * m11 + 2 * c * s * m12 + c * c * m22;
    this.j12 = c * s * (m11 - m22) + (c * c - s * s) * m12;
    const p1 = -a2 + kappa2 * ym, p2 = a1 - kappa2 * xm;
    this.dpx = c * p1 - s * p2;
    this.dpy = s * p1 + c * p2;
    if (k > 0) {
      const dw = (q * xm * xm) / ww;
      const z1 = (k * xm) / ww, z2 = (k * ym) / ww;
      const dz1 = (xm * (this.dk * ww - k * dw)) / (ww * ww);
      const dz2 = (ym * (this.dk * ww - k * dw)) / (ww * ww);
      const q1 = this.dlnA * a1 + (A * dz1) / (1 + z1 * z1);
      const q2 = this.dlnA * a2 + (A * dz2) / (1 - z2 * z2);
      this.dqx = c * q1 - s * q2;
      this.dqy = s * q1 + c * q2;
    } else {
      this.dqx = this.dqy = 0;
    }
  }
}
