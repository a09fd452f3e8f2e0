// Point-source images from the lens equation, checked against closed forms that do not use the
// solver or the profile code: SIS + external shear (Kovner 1987, ApJ 312, 22; Schneider, Ehlers &
// Falco 1992 §8.4). For γ1 = γ > 0, γ2 = 0, the lens equation in polar form θ = r(cos φ, sin φ) is
//   βx = cos φ (r(1 − γ) − θE),   βy = sin φ (r(1 + γ) − θE),
// so a source (b, 0) has two images on the x-axis at x = (b ± θE)/(1 − γ) (|b| < θE) and two more
// at r = θE/(1 + γ), cos φ = −b(1 + γ)/(2γθE) exactly when |b| < 2γθE/(1 + γ) (the cusps of the
// tangential caustic on x); a source (0, b) gets four images when |b| < 2γθE/(1 − γ).
// Magnifications: Dalal (1998, ApJ 509, L13): the signed magnifications of the four images of an
// SIS + shear quad sum to 2/(1 − γ²); for an SIS (γ = 0) the two images have μ = 1 ± θE/β.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { solvePointImages, type PointImage } from './point-images';
import { SHEAR } from './profiles/shear';
import { SIE } from './profiles/sie';
import type { MassComponent } from './scene';

// Deflections only for the finite-difference check of μ: the Hessian code path, which μ uses, is
// not involved.
const MASS: Record<string, (x: number, y: number, p: Record<string, number>, out: Float64Array) => void> = {
  SIE: (x, y, p, out) => SIE.deflection(x, y, p, out),
  SHEAR: (x, y, p, out) => SHEAR.deflection(x, y, p, out),
};

const TE = 1.2;
const sisShear = (g1: number, g2 = 0): MassComponent[] => [
  { profile: 'SIS', params: { theta_E: TE, center_x: 0, center_y: 0 } },
  { profile: 'SHEAR', params: { gamma1: g1, gamma2: g2, center_x: 0, center_y: 0 } },
];

/** The lens equation for SIS + shear written out (independent of the profile code). */
function betaSisShear(x: number, y: number, g1: number, g2: number): [number, number] {
  const r = Math.hypot(x, y);
  return [x - (TE * x) / r - (g1 * x + g2 * y), y - (TE * y) / r - (g2 * x - g1 * y)];
}

function expectSolves(ims: PointImage[], bx: number, by: number, g1: number, g2 = 0): void {
  for (const im of ims) {
    const [px, py] = betaSisShear(im.x, im.y, g1, g2);
    expect(Math.hypot(px - bx, py - by)).toBeLessThan(1e-6);
  }
}


describe('point images: SIS + shear (closed form)', () => {
  const g = 0.12;
  const cuspX = (2 * g * TE) / (1 + g), cuspY = (2 * g * TE) / (1 - g);

  it('a source inside the x cusps has four images at the analytic positions', () => {
    const b = 0.6 * cuspX;
    const ims = solvePointImages(sisShear(g), b, 0);
    expect(ims).toHaveLength(4);
    expectSolves(ims, b, 0, g);
    const r = TE / (1 + g), c = (-b * (1 + g)) / (2 * g * TE), s = Math.sqrt(1 - c * c);
    const expected = ([{ x: (b + TE) / (1 - g), y: 0 }, { x: (b - TE) / (1 - g), y: 0 }, { x: r * c, y: r * s }, { x: r * c, y: -r * s }]);
    for (const e of expected) {
      const d = Math.min(...ims.map((im) => Math.hypot(im.x - e.x, im.y - e.y)));
      expect(d).toBeLessThan(1e-6);
    }
  });

  it('quad/double counts switch at the caustic cusps (x: 2γθE/(1+γ), y: 2γθE/(1−γ)) and one image outside |β| > θE', () => {
    const cases: [number, number, number][] = [
      [0.95 * cuspX, 0, 4], [1.05 * cuspX, 0, 2], [0, 0.95 * cuspY, 4], [0, 1.05 * cuspY, 2],
      [-0.5 * cuspX, 0, 4], [0, -1.2 * cuspY, 2], [0.8 * TE, 0, 2], [0, 1.3 * TE, 1], [1.4 * TE, 0, 1],
    ];
    for (const [bx, by, n] of cases) {
      const ims = solvePointImages(sisShear(g), bx, by);
      expect(ims.length, `β = (${bx.toFixed(3)}, ${by.toFixed(3)})`).toBe(n);
      expectSolves(ims, bx, by, g);
    }
  });

  it('the signed magnifications of a quad sum to 2/(1 − γ²) (Dalal 1998), for random sources and shear angles', () => {
    const rng = new Rng(7, 0);
    let quads = 0;
    for (let k = 0; k < 12; k++) {
      const gam = rng.range(0.05, 0.2), ang = rng.range(0, Math.PI);
      const g1 = gam * Math.cos(2 * ang), g2 = gam * Math.sin(2 * ang);
      const rad = 0.4 * ((2 * gam * TE) / (1 + gam)) * Math.sqrt(rng.uniform()), a = rng.range(0, 2 * Math.PI);
      const bx = rad * Math.cos(a), by = rad * Math.sin(a);
      const ims = solvePointImages(sisShear(g1, g2), bx, by);
      expectSolves(ims, bx, by, g1, g2);
      expect(ims).toHaveLength(4); // well inside the astroid: always a quad
      quads++;
      const sum = ims.reduce((s, im) => s + im.mu, 0);
      expect(Math.abs(sum - 2 / (1 - gam * gam))).toBeLessThan(1e-5);
      // Parity: two minima (μ > 0) and two saddles (μ < 0).
      expect(ims.filter((im) => im.mu > 0)).toHaveLength(2);
    }
    expect(quads).toBe(12);
  });

  it('SIS without shear: two images on the source axis with μ = 1 ± θE/β', () => {
    const b = 0.37;
    const ims = solvePointImages(sisShear(0), b, 0);
    expect(ims).toHaveLength(2);
    const plus = ims.find((im) => im.x > 0)!, minus = ims.find((im) => im.x < 0)!;
    expect(Math.abs(plus.x - (b + TE))).toBeLessThan(1e-6);
    expect(Math.abs(minus.x - (b - TE))).toBeLessThan(1e-6);
    expect(Math.abs(plus.mu - (1 + TE / b))).toBeLessThan(1e-6);
    expect(Math.abs(minus.mu - (1 - TE / b))).toBeLessThan(1e-6);
  });
});

describe('point images: SIE + shear', () => {
  it('images solve the lens equation to < 1e-6″, counts are 1, 2 or 4, and μ matches finite differences of β(θ)', () => {
    const rng = new Rng(11, 0);
    const counts = new Map<number, number>();
    for (let k = 0; k < 10; k++) {
      const te = rng.range(0.6, 2), q = rng.range(0.5, 0.95), phi = rng.range(0, Math.PI);
      const mass: MassComponent[] = [
        { profile: 'SIE', params: { theta_E: te, q, phi, center_x: 0.05, center_y: -0.03 } },
        { profile: 'SHEAR', params: { gamma1: rng.range(-0.05, 0.05), gamma2: rng.range(-0.05, 0.05), center_x: 0, center_y: 0 } },
      ];
      const bx = rng.range(-0.4, 0.4) * te, by = rng.range(-0.4, 0.4) * te;
      const ims = solvePointImages(mass, bx, by);
      counts.set(ims.length, (counts.get(ims.length) ?? 0) + 1);
      expect([1, 2, 4]).toContain(ims.length);
      for (const im of ims) {
        expect(im.residual).toBeLessThan(1e-6);
        // det(∂β/∂θ) by central differences of the ray-shooting map (no Hessian code involved).
        const h = 1e-5;
        const b = (x: number, y: number) => {
          const out = [0, 0];
          let ax = 0, ay = 0;
          for (const m of mass) {
            const d = new Float64Array(2);
            MASS[m.profile]!(x, y, m.params, d);
            ax += d[0]!; ay += d[1]!;
          }
          out[0] = x - ax; out[1] = y - ay;
          return out;
        };
        const xp = b(im.x + h, im.y), xm = b(im.x - h, im.y), yp = b(im.x, im.y + h), ym = b(im.x, im.y - h);
        const det = ((xp[0]! - xm[0]!) * (yp[1]! - ym[1]!) - (yp[0]! - ym[0]!) * (xp[1]! - xm[1]!)) / (4 * h * h);
        expect(Math.abs(1 / det / im.mu - 1)).toBeLessThan(1e-4);
      }
    }
    expect((counts.get(2) ?? 0) + (counts.get(4) ?? 0)).toBeGreaterThan(0);
  });
});

